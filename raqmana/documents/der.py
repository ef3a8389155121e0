"""DER framing (X.690 § 10) of values asn1crypto has encoded: cutting a constructed value into its parts, putting
parts together (a CMS SignerInfo among them), and telling DER from BER, as bytes.

A value assembled once by asn1crypto is kept as DER pieces and put together again with a few parts changed (a
seal's container, a development time stamp): asn1crypto 1.5.1 takes a definite length whose last byte is 0x80 (a
value of 384 or 3,968 bytes, say) for an indefinite one, and then encodes that value again from its smallest parts,
several times over (wbond/asn1crypto#249, open since 2022), where these take a few microseconds."""

from asn1crypto import parser

SET = b"\x31"  # universal, constructed, tag 17
IMPLICIT_0 = b"\xa0"  # context-specific, constructed, tag 0


def sequence(*encoded):
    return parser.emit(0, 1, 16, b"".join(encoded))


def set_of_one(one):  # a SET OF one value: nothing to sort
    return parser.emit(0, 1, 17, one)


def parts(encoded):
    """The DER encodings of a constructed value's parts, in order."""
    contents = parser.parse(encoded, strict=True)[4]
    found = []
    while contents:
        size = parser.peek(contents)
        found.append(contents[:size])
        contents = contents[size:]
    return found


def octet_string(value):
    return parser.emit(0, 0, 4, value)


def signer_info_pieces(encoded):
    """What stays of a CMS SignerInfo (RFC 5652 § 5.3) from one signature to the next: its head (version, signer
    identifier, digest algorithm), its signed attributes as the SET OF that is signed, and its signature algorithm."""
    version, signer_id, digest_algorithm, implicit_attributes, signature_algorithm, _signature, *_unsigned = parts(
        encoded
    )
    return version + signer_id + digest_algorithm, SET + implicit_attributes[1:], signature_algorithm


def signer_info(head, signed_attributes, signature_algorithm, signature, unsigned_attributes=b""):
    """A SignerInfo from the pieces `signer_info_pieces` gives, with these signed attributes and signature."""
    return sequence(
        head,
        IMPLICIT_0 + signed_attributes[1:],  # signed as a SET, held as [0] IMPLICIT
        signature_algorithm,
        octet_string(signature),
        unsigned_attributes,
    )


# Universal types that DER encodes as one primitive value and BER may cut into parts (X.690 § 10.2).
PRIMITIVE_IN_DER = frozenset({3, 4, 12, *range(18, 23), *range(25, 31)})


def in_der(encoded):
    """Whether every length in `encoded` is definite and as short as it goes, and no string is cut into parts: the
    framing DER asks beyond BER (X.690 § 10), checked without decoding a value (0.05 ms a token of 2.3 kB, where
    asn1crypto's parser takes 0.4 ms)."""
    pending = [(0, len(encoded))]
    while pending:
        at, end = pending.pop()
        while at < end:
            identifier = encoded[at]
            at += 1
            if identifier & 0x1F == 0x1F:  # a tag number of 31 or more, in base 128
                while at < end and encoded[at] & 0x80:
                    at += 1
                at += 1
            if at >= end:
                return False
            length = encoded[at]
            at += 1
            if length & 0x80:
                octets = length & 0x7F
                length = int.from_bytes(encoded[at : at + octets])
                at += octets
                if octets == 0 or length < 0x80 or length >> (8 * octets - 8) == 0:  # indefinite, or longer than needed
                    return False
            if at + length > end:
                return False
            if identifier & 0x20:
                if identifier & 0xC0 == 0 and identifier & 0x1F in PRIMITIVE_IN_DER:
                    return False
                pending.append((at, at + length))
            at += length
    return bool(encoded)

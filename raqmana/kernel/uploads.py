"""Uploaded files are judged by their content, never by their name or the browser's word, and are size-limited
(while they arrive: `upload_handlers.SizeLimitedUploadHandler`). A file that is kept and shown to agents is taken
apart and written anew (`clean_stored_upload`): an image is decoded and re-encoded without its metadata, a PDF
opened and rewritten, so that what is stored is only what it claims to be."""

import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import filetype
import pikepdf
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from PIL.JpegImagePlugin import JpegImageFile, get_sampling

from .scanning import ScannerUnavailable, ScanState, scan

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
PROOF_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png"}
# A 50-megapixel phone photograph; decoding one takes about 150 MB, a 30000 × 30000 "bomb" would take 2.7 GB.
MAX_IMAGE_PIXELS = 50_000_000
PIL_FORMATS = {"jpg": "JPEG", "png": "PNG"}
# PDF whitespace may follow the last %%EOF; anything else was appended to the document.
PDF_TRAILING_WHITESPACE = b" \t\r\n\x0c\x00"
# What a PDF viewer would run, fetch or unpack: scripts, launches, other files, forms that send data, attachments.
PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA", "/RichMediaContent"}
PDF_ACTIVE_ACTIONS = {
    pikepdf.Name(name)
    for name in ("/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToR", "/GoToE", "/RichMediaExecute")
}
PDF_ACTIVE_TYPES = {pikepdf.Name(name) for name in ("/EmbeddedFile", "/FileAttachment", "/RichMedia")}


@dataclass(frozen=True)
class CleanFile:
    content: bytes
    extension: str


def check_upload(data: bytes, allowed: dict[str, str] = PROOF_TYPES, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The file's extension for its real type, or a translated ValidationError. Enough for a file that is only
    read, never kept nor shown: a PDF brought for verification is compared byte for byte with the issued ones, so
    it must not be rewritten, and nothing after its %%EOF is refused: a signature or a viewer's save appends an
    incremental update there, and any addition already makes it "not the document issued" with its seal checked
    (covers_whole_file). A kept file goes through clean_stored_upload."""
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    kind = filetype.guess(data)
    if kind is None or kind.mime not in allowed:
        raise ValidationError(
            _("This kind of file is not accepted. Send one of: %(kinds)s.")
            % {"kinds": ", ".join(extension.upper() for extension in allowed.values())}
        )
    return allowed[kind.mime]


def clean_stored_upload(
    upload: File, allowed: dict[str, str] = PROOF_TYPES, max_bytes: int = MAX_UPLOAD_BYTES
) -> CleanFile:
    """The upload rewritten from what it shows (CleanFile), or a translated ValidationError: an image over the
    pixel limit, anything after the file's end, an encrypted PDF, or one that runs scripts or carries files."""
    check_size(upload, max_bytes)
    data = upload.read(max_bytes + 1)
    extension = check_upload(data, allowed, max_bytes)
    if extension == "pdf":
        return CleanFile(_rewritten_pdf(data), extension)
    return CleanFile(_reencoded_image(data, extension), extension)


@dataclass(frozen=True)
class ScannedFile:
    """A file given with a form, rewritten (`clean`) and found clean by the virus scanner; `name` as the browser
    gave it."""

    name: str
    clean: CleanFile


def file_name_of(upload: File) -> str:
    """The file's own name as the browser gave it, without its folders: shown to the people who read it."""
    name = str(getattr(upload, "name", "") or "")
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()


def scanned_uploads(
    files: Sequence[File], *, most: int, scanner_away: str, allowed: dict[str, str] = PROOF_TYPES
) -> list[ScannedFile]:
    """Files given at once with a form (a commission member's opinion, a complaint), each checked, rewritten and
    scanned before anything is written. Refused whole, on "files": more than `most` files, one that is not what it
    claims or carries a threat, and any when the virus scanner does not answer (`scanner_away` says what to do):
    such files are not kept pending, since nothing would scan them later."""
    if len(files) > most:
        raise ValidationError({"files": _("At most %(count)d files.") % {"count": most}})
    scanned = []
    for upload in files:
        try:
            clean = clean_stored_upload(upload, allowed)
        except ValidationError as error:
            raise ValidationError({"files": error.messages}) from error
        try:
            state = scan(clean.content).state
        except ScannerUnavailable:
            raise ValidationError({"files": scanner_away}) from None
        if state == ScanState.INFECTED:
            raise ValidationError({"files": _("The virus scanner found a threat in this file: it was not kept.")})
        scanned.append(ScannedFile(file_name_of(upload)[:200], clean))
    return scanned


def check_size(upload: File, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """A translated ValidationError for an uploaded file over the limit; a file the upload handler stopped reading
    (upload_handlers.RefusedUpload) says how much of it arrived."""
    if upload.size > max_bytes:
        raise _too_large(max_bytes)


def _too_large(max_bytes: int) -> ValidationError:
    return ValidationError(_("The file is larger than %(size)s MB.") % {"size": max_bytes // (1024 * 1024)})


def _trailing_data() -> ValidationError:
    return ValidationError(
        _("The file has data after its end. Send the document alone, as your scanner or phone saved it.")
    )


def _unreadable() -> ValidationError:
    return ValidationError(_("The file is damaged and cannot be read. Save or scan the document again."))


def _reencoded_image(data: bytes, extension: str) -> bytes:
    """Decoded within the pixel limit and encoded again, upright, with no metadata (place, device, comments)."""
    end = _image_end(data, extension)
    if end is None:
        raise _unreadable()
    if end != len(data):
        raise _trailing_data()
    too_large = ValidationError(
        _("The image has more than %(megapixels)s megapixels. Send a smaller photograph or scan.")
        % {"megapixels": MAX_IMAGE_PIXELS // 1_000_000}
    )
    output = io.BytesIO()
    try:
        with Image.open(io.BytesIO(data), formats=[PIL_FORMATS[extension]]) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:  # read from the header, before any decoding
                raise too_large
            upright = ImageOps.exif_transpose(image)
            # A JPEG is encoded again with its own quantization and sampling: the same quality, about the same size.
            encoding: dict[str, object] = {}
            if isinstance(image, JpegImageFile):
                encoding = {"qtables": image.quantization, "subsampling": get_sampling(image)}
        upright.info = {}
        upright.save(output, PIL_FORMATS[extension], **encoding)
    except Image.DecompressionBombError as error:
        raise too_large from error
    except (OSError, SyntaxError, ValueError) as error:
        raise _unreadable() from error
    return output.getvalue()


def _image_end(data: bytes, extension: str) -> int | None:
    """Where the image's own data ends (its last chunk or marker), or None when it has no end."""
    return _png_end(data) if extension == "png" else _jpeg_end(data)


def _png_end(data: bytes) -> int | None:
    position = 8  # after the signature
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunk_type = data[position + 4 : position + 8]
        position += 12 + length  # length, type, data, CRC
        if chunk_type == b"IEND":
            return position
    return None


def _jpeg_end(data: bytes) -> int | None:
    """After the end-of-image marker, walking the segments and the compressed data between them."""
    position = 2  # after the start-of-image marker
    while position + 2 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
        elif marker == 0xD9:
            return position + 2
        elif 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            position += 2
        else:
            position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
            if marker == 0xDA:  # start of scan: compressed data runs to the next real marker
                end_of_scan = _after_scan(data, position)
                if end_of_scan is None:
                    return None
                position = end_of_scan
    return None


def _after_scan(data: bytes, position: int) -> int | None:
    while True:
        position = data.find(b"\xff", position)
        if position < 0 or position + 1 >= len(data):
            return None
        following = data[position + 1]
        if following != 0x00 and not 0xD0 <= following <= 0xD7:  # neither an escaped 0xFF nor a restart
            return position
        position += 2


def _rewritten_pdf(data: bytes) -> bytes:
    """Opened and saved anew by qpdf, without its metadata: only the objects the document uses are written, and
    nothing after them. Streams are copied as they are, never decompressed (no decompression bomb)."""
    if not data.rstrip(PDF_TRAILING_WHITESPACE).endswith(b"%%EOF"):
        raise _trailing_data()
    encrypted = ValidationError(_("The PDF is protected by a password or encrypted. Send it unprotected."))
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                raise encrypted
            if not len(pdf.pages):
                raise _unreadable()
            if _has_active_content(pdf):
                raise ValidationError(
                    _(
                        "The PDF contains scripts, actions or attached files. Send the document alone: "
                        "scan it, or print it to a new PDF."
                    )
                )
            for pdf_object in pdf.objects:
                if _is_dictionary(pdf_object) and "/Metadata" in pdf_object:
                    del pdf_object["/Metadata"]
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            output = io.BytesIO()
            pdf.save(output, stream_decode_level=pikepdf.StreamDecodeLevel.none, fix_metadata_version=False)
    except pikepdf.PasswordError as error:
        raise encrypted from error
    except pikepdf.PdfError as error:
        raise _unreadable() from error
    return output.getvalue()


def _is_dictionary(pdf_object: object) -> bool:
    return isinstance(pdf_object, pikepdf.Dictionary | pikepdf.Stream)


def _has_active_content(pdf: pikepdf.Pdf) -> bool:
    """Whether anything in the file is a script, an action of PDF_ACTIVE_ACTIONS, an embedded file or an
    attachment: every object of the file and everything written inside it (dictionaries, streams' dictionaries,
    arrays, the trailer) is looked at, each indirect object once (cycles end), in a loop: deep nesting cannot
    exhaust the stack.

    Such a PDF is refused, not rewritten without its actions: actions hide in many places (/A, /AA, /OpenAction,
    /Next chains, name trees, form fields, annotations), so stripping them takes the same knowledge as finding them
    and would silently change what the agent sees; a scanner or phone never writes them, and the citizen can print
    the document to a new PDF. As a second defence an agent's browser is given proofs to save, not to open
    (documents.views.check_proof)."""
    waiting = [pdf.trailer, *pdf.objects]
    seen = set()
    while waiting:
        pdf_object = waiting.pop()
        if not isinstance(pdf_object, pikepdf.Array | pikepdf.Dictionary | pikepdf.Stream):
            continue  # numbers, names, strings: nothing inside
        if pdf_object.is_indirect:
            if pdf_object.objgen in seen:
                continue
            seen.add(pdf_object.objgen)
        if isinstance(pdf_object, pikepdf.Array):
            waiting.extend(pdf_object)
        else:
            keys = set(pdf_object.keys())
            if (
                keys & PDF_ACTIVE_KEYS
                or _is_one_of(pdf_object.get("/S"), PDF_ACTIVE_ACTIONS)
                or _is_one_of(pdf_object.get("/Type"), PDF_ACTIVE_TYPES)
                or _is_one_of(pdf_object.get("/Subtype"), PDF_ACTIVE_TYPES)
            ):
                return True
            waiting.extend(pdf_object[key] for key in keys)
    return False


def _is_one_of(value: object, names: Collection[pikepdf.Name]) -> bool:
    # A dictionary or array where a name belongs names no action (and cannot be looked up in a set).
    return isinstance(value, pikepdf.Name) and value in names

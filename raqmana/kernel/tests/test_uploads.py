"""Uploads are what they say: kept files are taken apart and written anew, files that hide something after their
end or inside them are refused, sizes are limited while the request arrives, and kept files are virus-scanned."""

import io
import socket
import zlib
from urllib.parse import urlencode

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from django.utils import translation
from PIL import Image, PngImagePlugin
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status_documents.models import DocumentOrder
from raqmana.kernel.scanning import ScannerUnavailable, ScanState, scan
from raqmana.kernel.tests import samples
from raqmana.kernel.upload_handlers import RefusedUpload
from raqmana.kernel.uploads import MAX_UPLOAD_BYTES, clean_stored_upload

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def cleaned(data, name="proof"):
    return clean_stored_upload(SimpleUploadedFile(name, data))


def refusal(data):
    with pytest.raises(ValidationError) as refused:
        cleaned(data)
    return " ".join(refused.value.messages)


def png_bomb(width=30000, height=30000):
    """A 1-bit PNG of width × height white pixels: half a megabyte on disk, 2.7 GB once decoded to RGB."""

    def chunk(kind, body):
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    compressor = zlib.compressobj(1)
    rows = row * 1000
    pixels = b"".join(compressor.compress(rows) for _ in range(height // 1000)) + compressor.flush()
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("attack", "refused_because"),
    [
        (samples.png() + HTML, "data after its end"),
        (b"%PDF-1.7\n" + HTML + b"\n%%EOF\n", "damaged"),
        (samples.jpeg() + ZIP, "data after its end"),
        (samples.pdf() + HTML, "data after its end"),
    ],
    ids=["png-then-html", "pdf-header-then-html", "jpeg-then-zip", "pdf-then-html"],
)
def test_a_file_hiding_another_after_its_own_is_refused(attack, refused_because):
    assert refused_because in refusal(attack)


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    bomb = png_bomb()
    assert len(bomb) < MAX_UPLOAD_BYTES
    assert "more than 50 megapixels" in refusal(bomb)


@pytest.mark.parametrize(
    "root",
    [
        {"OpenAction": pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))},
        {"OpenAction": pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))},
        {"Names": pikepdf.Dictionary(EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array()))},
        {"AcroForm": pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=pikepdf.String("<xdp/>"))},
    ],
    ids=["javascript", "launch", "embedded-files", "xfa"],
)
def test_a_pdf_that_runs_or_carries_something_is_refused(root):
    assert "scripts, actions or attached files" in refusal(samples.pdf(**root))


JAVASCRIPT = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
LAUNCH = pikepdf.Dictionary(
    S=pikepdf.Name.Launch, F=pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("cmd.exe"))
)


@pytest.mark.parametrize(
    "attack",
    [
        samples.pdf_with_link_in_indirect_annots(JAVASCRIPT),
        samples.pdf_with_link_in_indirect_annots(LAUNCH),
        samples.pdf_with_javascript_next_to_open_action(),
        samples.pdf_with_javascript_in_outline(),
        samples.pdf_with_javascript_in_array_cycle(),
    ],
    ids=["link-javascript", "link-launch", "open-action-next", "outline-next", "array-cycle"],
)
def test_an_action_inside_an_indirect_array_is_found(attack):
    assert "scripts, actions or attached files" in refusal(attack)


def test_a_pdf_whose_action_type_is_no_name_is_no_server_error():
    odd = samples.pdf(OpenAction=pikepdf.Dictionary(S=pikepdf.Dictionary(), Type=pikepdf.Array([1])))
    assert cleaned(odd).extension == "pdf"


def test_an_encrypted_pdf_is_refused():
    document = pikepdf.open(io.BytesIO(samples.pdf()))
    output = io.BytesIO()
    document.save(output, encryption=pikepdf.Encryption(owner="owner", user=""))
    assert "protected by a password" in refusal(output.getvalue())
    document.save(output := io.BytesIO(), encryption=pikepdf.Encryption(owner="owner", user="user"))
    assert "protected by a password" in refusal(output.getvalue())


def test_anything_else_is_refused_by_its_content_whatever_its_name():
    assert "not accepted" in refusal(HTML)
    assert "not accepted" in refusal(b"GIF89a" + b"\x00" * 40)
    assert "damaged" in refusal(samples.png()[:60])


def test_a_clean_photograph_is_stored_re_encoded_upright_without_its_metadata():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # the camera's make
    exif[0x0112] = 6  # taken sideways: shown turned by 90°
    original = samples.jpeg(size=(40, 30), exif=exif, comment=b"home address")
    stored = cleaned(original)
    assert stored.extension == "jpg" and stored.content != original
    assert b"PhoneMaker" not in stored.content and b"home address" not in stored.content
    with Image.open(io.BytesIO(stored.content)) as image:
        assert image.format == "JPEG" and image.size == (30, 40) and not image.getexif()


def test_a_clean_png_is_stored_re_encoded():
    output = io.BytesIO()
    Image.new("RGB", (20, 10), "teal").save(output, "PNG", pnginfo=_png_text("Author", "Someone"))
    stored = cleaned(output.getvalue())
    assert stored.extension == "png" and b"Someone" not in stored.content
    with Image.open(io.BytesIO(stored.content)) as image:
        assert image.format == "PNG" and image.size == (20, 10) and image.getpixel((0, 0)) == (0, 128, 128)


def test_a_clean_pdf_is_stored_rewritten_without_its_metadata():
    original = samples.pdf(content=b"BT /F1 12 Tf 72 700 Td (CIN AB123456) Tj ET")
    with pikepdf.open(io.BytesIO(original)) as document:
        document.docinfo["/Author"] = "Someone"
        with document.open_metadata() as metadata:
            metadata["dc:creator"] = ["Someone"]
        output = io.BytesIO()
        document.save(output)
    stored = cleaned(output.getvalue())
    assert stored.extension == "pdf" and b"Someone" not in stored.content
    with pikepdf.open(io.BytesIO(stored.content)) as rewritten:
        assert len(rewritten.pages) == 1 and "/Metadata" not in rewritten.Root
        assert b"AB123456" in rewritten.pages[0].Contents.read_bytes()


def test_an_incrementally_updated_pdf_is_a_pdf():
    """A signed PDF, or one a viewer saved again, has its updates appended after a first %%EOF: that is no
    trailing data."""
    original = samples.pdf()
    writer = IncrementalPdfFileWriter(io.BytesIO(original))
    writer.root["/PageMode"] = generic.NameObject("/UseNone")
    writer.update_root()
    updated = io.BytesIO()
    writer.write(updated)
    assert updated.getvalue().startswith(original) and updated.getvalue().count(b"%%EOF") == 2
    assert cleaned(updated.getvalue()).content.startswith(b"%PDF-")


def _png_text(key, value):
    info = PngImagePlugin.PngInfo()
    info.add_text(key, value)
    return info


class CountingInput(io.BytesIO):
    """A request body that counts what the server read of it."""

    def read(self, size=-1):
        data = super().read(size)
        self.consumed = getattr(self, "consumed", 0) + len(data)
        return data


def test_an_oversize_file_stops_the_reading_of_the_request():
    body = encode_multipart(
        BOUNDARY,
        {
            "purpose": "Bourse d'études",
            "proof": SimpleUploadedFile("id.pdf", samples.pdf() + b"%" * (4 * MAX_UPLOAD_BYTES)),
            "after": "never read",
        },
    )
    wsgi_input = CountingInput(body)
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "CONTENT_TYPE": MULTIPART_CONTENT,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": wsgi_input,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
        }
    )
    assert request.POST["purpose"] == "Bourse d'études"  # the fields before the file are kept
    refused = request.FILES["proof"]
    assert isinstance(refused, RefusedUpload) and refused.size > MAX_UPLOAD_BYTES and refused.name == "id.pdf"
    chunk = min(handler.chunk_size for handler in request.upload_handlers)
    assert MAX_UPLOAD_BYTES < wsgi_input.consumed <= MAX_UPLOAD_BYTES + 2 * chunk  # the limit, a chunk, the headers
    assert len(body) > 4 * MAX_UPLOAD_BYTES and "after" not in request.POST
    with pytest.raises(ValidationError, match="larger than 5 MB"):
        clean_stored_upload(refused)


@pytest.mark.django_db
def test_an_oversize_upload_is_a_translated_form_error_not_a_server_error(client):
    client.cookies["django_language"] = "fr"
    oversize = SimpleUploadedFile("a.pdf", samples.pdf() + b"%" * MAX_UPLOAD_BYTES)
    page = client.post(reverse("documents:verify_start"), {"pdf": oversize})
    assert page.status_code == 200 and "5 Mo" in page.text
    oversize.seek(0)
    answer = client.post("/api/documents/verify", {"pdf": oversize})
    assert answer.status_code == 413


def order_with_oversize_proof(client, act, proof_first):
    client.force_login(UserFactory())
    client.cookies["django_language"] = "en"
    lookup = {"kind": "birth_full_copy", "reference": act.idcs, "event_date": f"{act.birth_date:%Y-%m-%d}",
              "first_name": act.first_name_latin}  # fmt: skip
    typed = {"requester_relation": "ascendant", "purpose": "Bourse d'études"}
    oversize = {"proof": SimpleUploadedFile("id.pdf", samples.pdf() + b"%" * MAX_UPLOAD_BYTES)}
    sent = oversize | typed if proof_first else typed | oversize  # the multipart body keeps this order
    page = client.post(f"{reverse('documents:order_new')}?{urlencode(lookup)}", sent)
    assert page.status_code == 200 and not DocumentOrder.objects.exists()
    return page.text


@pytest.mark.django_db
def test_an_oversize_proof_is_refused_beside_what_the_citizen_typed(client, birth_act):
    page = order_with_oversize_proof(client, birth_act, proof_first=False)  # a browser sends the fields in order
    assert "The file is larger than 5 MB." in page and "Bourse d&#x27;études" in page
    assert "did not arrive" not in page and "This field is required." not in page


@pytest.mark.django_db
def test_an_oversize_proof_sent_first_says_the_fields_after_it_did_not_arrive(client, birth_act):
    page = order_with_oversize_proof(client, birth_act, proof_first=True)
    assert "The file is larger than 5 MB." in page
    assert "The file was too large, so what was sent after it did not arrive." in page


def test_without_a_scanner_nothing_passes_as_clean(scanner_away):
    with pytest.raises(ScannerUnavailable):
        scan(samples.pdf())


def test_a_scanner_port_nobody_answers_on_is_unavailable_not_an_error(settings):
    with socket.socket() as probe:  # a port just freed: nothing listens on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.RAQMANA_CLAMD_SOCKET, settings.RAQMANA_CLAMD_HOST, settings.RAQMANA_CLAMD_PORT = "", "127.0.0.1", port
    with pytest.raises(ScannerUnavailable):
        scan(samples.pdf())


def test_clamav_finds_the_eicar_test_string_in_a_stored_pdf(clamav):
    stored = cleaned(samples.pdf(content=b"% " + EICAR + b"\n"))
    assert EICAR not in stored.content  # compressed by the rewrite: ClamAV reads the PDF's streams
    found = scan(stored.content)
    assert found.state == ScanState.INFECTED and "EICAR" in found.signature
    assert scan(cleaned(samples.pdf()).content).state == ScanState.CLEAN

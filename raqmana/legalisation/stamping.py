"""The legalised document as the citizen takes it away: their own file, page for page, with the office's stamp laid
on the page and at the place they chose, followed by the documents engine's page that certifies the entry in the
register; the whole then sealed by the office (documents.services.issue_document).

The stamp is drawn by typst (typst/stamp.typ, the documents app's fonts) as a small page of its own, and laid over
the citizen's page by pikepdf as a form XObject: the citizen's page is not redrawn, so what they signed stays
byte for byte what it was, under the stamp. An image brought instead of a PDF becomes a one-page PDF first."""

import functools
import io
import json
import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pikepdf
import typst
from PIL import Image

from raqmana.documents.rendering import FONTS, qr_png, typst_string

from .constants import StampPlace

LAYOUTS = Path(__file__).resolve().parent / "typst"
MAIN = '#import "/stamp.typ": stamp\n#stamp(json(bytes({data})), bytes({qr}))\n'
POINTS_PER_MM = Decimal(72) / Decimal("25.4")
# The stamp's size as drawn (stamp.typ), its distance from the page's edges, and the most of a page's width it takes.
STAMP_WIDTH_MM, STAMP_HEIGHT_MM, EDGE_MM = 100, 46, 10
MOST_OF_WIDTH = 0.62
# An image brought as the document becomes a page whose long side is an A4's.
A4_LONG_SIDE_INCHES = 297 / 25.4
_lock = threading.Lock()


@dataclass(frozen=True)
class Stamp:
    """What the stamp says: title (ar, fr), office (ar, fr), the register's number, lines of (ar, fr), the officer's
    capacity (ar, fr) and name, the date and its Hijri date, the verification code."""

    title: tuple[str, str]
    office: tuple[str, str]
    number: str
    lines: list[tuple[str, str]]
    officer: tuple[str, str]
    officer_name: str
    date: str
    hijri: str
    code: str


@functools.cache
def _compiler() -> typst.Compiler:
    return typst.Compiler(root=LAYOUTS, font_paths=[FONTS], ignore_system_fonts=True)


def stamp_pdf(stamp: Stamp, verify_url: str) -> bytes:
    """The stamp as a one-page PDF, its QR code holding `verify_url`."""
    data = {**stamp.__dict__, "lines": [list(line) for line in stamp.lines]}
    main = MAIN.format(
        data=typst_string(json.dumps(data, ensure_ascii=False)),
        qr=f"({','.join(map(str, qr_png(verify_url)))},)",
    )
    with _lock:
        return _compiler().compile(input=main.encode(), format="pdf")


def as_pdf(content: bytes, extension: str) -> bytes:
    """The document brought as a PDF: a PDF as it is, an image (already decoded and rewritten by the upload check)
    as one page the size of an A4 on its long side."""
    if extension == "pdf":
        return content
    with Image.open(io.BytesIO(content)) as image:
        page = image.convert("RGB")
        buffer = io.BytesIO()
        page.save(buffer, format="PDF", resolution=max(page.size) / A4_LONG_SIDE_INCHES)
    return buffer.getvalue()


def page_count(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def stamped(document: bytes, stamp: bytes, *, page: int, place: str, certificate: bytes) -> bytes:
    """`document` with `stamp` laid on its page `page` (from 1) at `place` (StampPlace), then `certificate`'s pages."""
    with (
        pikepdf.open(io.BytesIO(document)) as pdf,
        pikepdf.open(io.BytesIO(stamp)) as drawn,
        pikepdf.open(io.BytesIO(certificate)) as certified,
    ):
        target = pdf.pages[page - 1]
        _upright(pdf, target)
        target.add_overlay(pdf.copy_foreign(drawn.pages[0].as_form_xobject()), _box(target, StampPlace(place)))
        pdf.pages.extend(certified.pages)
        output = io.BytesIO()
        pdf.save(output, fix_metadata_version=False)
    return output.getvalue()


def _upright(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """A page shown turned (/Rotate, as phones and scanners save) drawn again upright, its content unchanged inside a
    form XObject that qpdf turns as the viewer would: the stamp laid on it then reads the right way up, where the
    citizen saw the place."""
    rotation = int(page.obj.get("/Rotate", 0)) % 360
    if rotation == 0:
        return
    left, bottom, right, top = (float(value) for value in page.cropbox)
    upright = (top - bottom, right - left) if rotation in (90, 270) else (right - left, top - bottom)
    content = page.as_form_xobject(handle_transformations=True)
    # qpdf hands the page's content stream to the form lazily: written out now, before the page gets its own.
    content.write(content.read_bytes())
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Page=content))
    page.obj.Contents = pdf.make_stream(b"q /Page Do Q")
    page.obj.MediaBox = pikepdf.Array([0, 0, *upright])
    for key in ("/CropBox", "/TrimBox", "/BleedBox", "/ArtBox", "/Rotate"):
        if key in page.obj:
            del page.obj[key]


def _box(page: pikepdf.Page, place: StampPlace) -> pikepdf.Rectangle:
    """Where the stamp goes on the (upright) page's crop box: at the chosen corner or middle, `EDGE_MM` from the
    edges, shrunk to `MOST_OF_WIDTH` of a narrow page."""
    left, bottom, right, top = (float(value) for value in page.cropbox)
    width, height = right - left, top - bottom
    edge = EDGE_MM * float(POINTS_PER_MM)
    stamp_width = min(STAMP_WIDTH_MM * float(POINTS_PER_MM), width * MOST_OF_WIDTH)
    stamp_height = stamp_width * STAMP_HEIGHT_MM / STAMP_WIDTH_MM
    vertical, horizontal = place.value.split("_")
    x = {"left": edge, "centre": (width - stamp_width) / 2, "right": width - edge - stamp_width}[horizontal]
    y = {"bottom": edge, "top": height - edge - stamp_height}[vertical]
    return pikepdf.Rectangle(left + x, bottom + y, left + x + stamp_width, bottom + y + stamp_height)

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
# Smaller than this, the stamp's lines and its QR code are no longer read: the page is refused.
LEAST_WIDTH_MM = 45
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


class Unstampable(ValueError):
    """The page chosen cannot carry the stamp (too small, or nothing of it is shown), or the file cannot be
    rewritten with it (a damaged content stream)."""


def as_pdf(content: bytes, extension: str) -> bytes:
    """The document brought as a PDF: a PDF as it is, an image (already decoded and rewritten by the upload check)
    as one page the size of an A4 on its long side, its transparent parts white as on paper."""
    if extension == "pdf":
        return content
    with Image.open(io.BytesIO(content)) as image:
        shown = image.convert("RGBA")
        page = Image.new("RGB", shown.size, "white")
        page.paste(shown, mask=shown.getchannel("A"))
        buffer = io.BytesIO()
        page.save(buffer, format="PDF", resolution=max(page.size) / A4_LONG_SIDE_INCHES)
    return buffer.getvalue()


def page_count(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def check_stampable(document: bytes, *, page: int, place: str) -> None:
    """Unstampable unless the stamp can be laid on page `page` at `place`: tried once with a blank stamp, when the
    request is prepared, so that the officer never meets a file that cannot be completed."""
    blank = pikepdf.new()
    blank.add_blank_page(page_size=(STAMP_WIDTH_MM * float(POINTS_PER_MM), STAMP_HEIGHT_MM * float(POINTS_PER_MM)))
    trial = io.BytesIO()
    blank.save(trial)
    try:
        stamped(document, trial.getvalue(), page=page, place=place, certificate=trial.getvalue())
    except (pikepdf.PdfError, TypeError, ValueError) as error:
        if isinstance(error, Unstampable):
            raise
        raise Unstampable(str(error)) from error


def stamped(document: bytes, stamp: bytes, *, page: int, place: str, certificate: bytes) -> bytes:
    """`document` with `stamp` laid on its page `page` (from 1) at `place` (StampPlace), then `certificate`'s pages.
    Unstampable when the page cannot carry it."""
    with (
        pikepdf.open(io.BytesIO(document)) as pdf,
        pikepdf.open(io.BytesIO(stamp)) as drawn,
        pikepdf.open(io.BytesIO(certificate)) as certified,
    ):
        target = pdf.pages[page - 1]
        _shown_box(target)
        _isolated(pdf, target)
        target.add_overlay(pdf.copy_foreign(drawn.pages[0].as_form_xobject()), _box(target, StampPlace(place)))
        pdf.pages.extend(certified.pages)
        output = io.BytesIO()
        pdf.save(output, fix_metadata_version=False)
    return output.getvalue()


def _normal(box: pikepdf.Array) -> tuple[float, float, float, float]:
    """A box's corners as left, bottom, right, top: PDF lets a box list its corners in any order."""
    x1, y1, x2, y2 = (float(value) for value in box)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _shown_box(page: pikepdf.Page) -> tuple[float, float, float, float]:
    """What a viewer shows of the page: its crop box within its media box. Unstampable when nothing is shown."""
    media, crop = _normal(page.mediabox), _normal(page.cropbox)
    left, bottom = max(media[0], crop[0]), max(media[1], crop[1])
    right, top = min(media[2], crop[2]), min(media[3], crop[3])
    if right - left < 1 or top - bottom < 1:
        raise Unstampable("nothing of the page is shown")
    return left, bottom, right, top


def _isolated(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """The page's content put inside a form XObject, drawn upright as the viewer shows it (qpdf applies /Rotate,
    inherited or not, and the crop box), and the page made just that: the content cannot then reach the stamp laid
    over it (a stream that starts by restoring a state it never saved would otherwise move or clip the stamp), and
    a page saved turned by a phone or a scanner carries the stamp the right way up, where the citizen saw the place.
    """
    content = page.as_form_xobject(handle_transformations=True)
    # qpdf hands the page's content stream to the form lazily: written out now, before the page gets its own.
    content.write(content.read_bytes())
    a, b, c, d, e, f = (float(value) for value in content.get("/Matrix", [1, 0, 0, 1, 0, 0]))
    x1, y1, x2, y2 = _normal(content.BBox)
    corners = [(a * x + c * y + e, b * x + d * y + f) for x in (x1, x2) for y in (y1, y2)]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Page=content))
    page.obj.Contents = pdf.make_stream(b"q /Page Do Q")
    page.obj.MediaBox = pikepdf.Array([min(xs), min(ys), max(xs), max(ys)])
    for key in ("/CropBox", "/TrimBox", "/BleedBox", "/ArtBox", "/Rotate"):
        if key in page.obj:
            del page.obj[key]
    page.obj.Rotate = 0  # a value inherited from the page tree no longer applies: the content is drawn upright


def _box(page: pikepdf.Page, place: StampPlace) -> pikepdf.Rectangle:
    """Where the stamp goes on the (isolated) page: at the chosen corner or middle, `EDGE_MM` from the edges, shrunk
    to `MOST_OF_WIDTH` of a narrow page and to the height of a short one; Unstampable under `LEAST_WIDTH_MM`."""
    left, bottom, right, top = _normal(page.mediabox)
    width, height = right - left, top - bottom
    edge = EDGE_MM * float(POINTS_PER_MM)
    stamp_width = min(
        STAMP_WIDTH_MM * float(POINTS_PER_MM),
        width * MOST_OF_WIDTH,
        (height - 2 * edge) * STAMP_WIDTH_MM / STAMP_HEIGHT_MM,
    )
    if stamp_width < LEAST_WIDTH_MM * float(POINTS_PER_MM):
        raise Unstampable("the page is too small for the stamp")
    stamp_height = stamp_width * STAMP_HEIGHT_MM / STAMP_WIDTH_MM
    vertical, horizontal = place.value.split("_")
    x = {"left": edge, "centre": (width - stamp_width) / 2, "right": width - edge - stamp_width}[horizontal]
    y = {"bottom": edge, "top": height - edge - stamp_height}[vertical]
    return pikepdf.Rectangle(left + x, bottom + y, left + x + stamp_width, bottom + y + stamp_height)

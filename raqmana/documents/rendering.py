"""PDF rendering with typst: one layout (typst/document.typ) under the kingdom's coat of arms (its source in
typst/coat-of-arms-morocco.SOURCE.md), the fonts shipped in fonts/ (OFL) embedded, PDF/A-2b.

The compiler is built once per process (loading fonts is most of a first compile) and used under a lock,
since a compiler is not meant to be shared between threads.

Each document's data reaches the layout inside a small main source, as string literals, not through typst's
`sys.inputs`: new inputs make typst redo every page from nothing, while a new main source leaves in its cache
the layout of whatever did not change (labels, authority lines, fixed sentences). A page then takes about
8 ms instead of 11 to 13 (bench/documents_issue.py).
"""

import functools
import io
import json
import threading
from pathlib import Path

import segno
import typst
from PIL import Image

HERE = Path(__file__).resolve().parent
FONTS = HERE / "fonts"
LAYOUTS = HERE / "typst"
MAIN = '#import "/document.typ": printed\n#printed(json(bytes({document})), bytes({qr}))\n'
PDF_STANDARD = "a-2b"
# The QR code's pixels a module, and its quiet zone in modules; segno's matrix holds 1 for a dark module.
QR_SCALE, QR_BORDER = 4, 2
QR_LIGHT = 255
QR_SHADES = bytes.maketrans(b"\x00\x01", bytes([QR_LIGHT, 0]))
_lock = threading.Lock()

# Left-to-right isolate: Latin names, numbers and dates keep their order inside Arabic lines.
LRI, PDI = "\u2066", "\u2069"


def isolate(text):
    return f"{LRI}{text}{PDI}"


@functools.cache
def _compiler():
    return typst.Compiler(root=LAYOUTS, font_paths=[FONTS], ignore_system_fonts=True)


def typst_string(text):
    """A typst string literal holding `text`: inside one, only the backslash and the double quote are special
    (line breaks are escaped too, to keep the source on one line)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def qr_png(url):
    """The QR code as a small PNG (four pixels a module), which the layout scales up without smoothing: typst
    embeds it in 0.1 ms, against 1 ms to convert the same code drawn as SVG. At one pixel a module, viewers that
    smooth images enlarged less than fourfold (poppler's) blur it on screen at 72-100 dpi.

    segno encodes the code; Pillow enlarges and writes it, in C, where segno's own PNG writer walks every pixel
    in Python (1.2 ms of a receipt's filing)."""
    # A fixed mask: readers decode any of the eight, and scoring all of them costs 3 ms. Level M as declared, not
    # raised to what the version would hold (segno's `boost_error` tries each level: 0.3 ms), and no Micro QR
    # tried first: an address never fits one.
    code = segno.make_qr(url, error="m", mask=0, boost_error=False)
    side = len(code.matrix) + 2 * QR_BORDER
    quiet = bytes([QR_LIGHT]) * QR_BORDER
    rows = (quiet + bytes(row).translate(QR_SHADES) + quiet for row in code.matrix)
    margin = bytes([QR_LIGHT]) * (side * QR_BORDER)
    image = Image.frombytes("L", (side, side), margin + b"".join(rows) + margin)
    image = image.resize((side * QR_SCALE, side * QR_SCALE), Image.Resampling.NEAREST).convert("1")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def render_pdf(page, *, verify_url, created_at):
    """The PDF of a document. `page` holds the certified content (content.py) and the issuance lines."""
    printable = {**page, "rows": [_isolated_row(row) for row in page["rows"]]}
    main = MAIN.format(
        document=typst_string(json.dumps(printable, ensure_ascii=False)),
        qr=f"({','.join(map(str, qr_png(verify_url)))},)",  # a typst array of the bytes
    )
    with _lock:
        return _compiler().compile(
            input=main.encode(),
            format="pdf",
            pdf_standards=PDF_STANDARD,
            timestamp=created_at.replace(microsecond=0),
        )


def _isolated_row(row):
    values = [
        {**value, "text": value["text"] if value["script"] == "ar" else isolate(value["text"])}
        for value in row["values"]
    ]
    return {**row, "values": values}

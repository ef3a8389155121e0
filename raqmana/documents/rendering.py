"""PDF rendering with typst: one layout (typst/document.typ), the fonts shipped in fonts/ (OFL) embedded, PDF/A-2b.

The compiler is built once per process (loading fonts is most of a first compile) and used under a lock,
since a compiler is not meant to be shared between threads.
"""

import functools
import io
import json
import threading
from pathlib import Path

import segno
import typst

HERE = Path(__file__).resolve().parent
FONTS = HERE / "fonts"
LAYOUT = HERE / "typst" / "document.typ"
PDF_STANDARD = "a-2b"
_lock = threading.Lock()

# Left-to-right isolate: Latin names, numbers and dates keep their order inside Arabic lines.
LRI, PDI = "\u2066", "\u2069"


def isolate(text):
    return f"{LRI}{text}{PDI}"


@functools.cache
def _compiler():
    return typst.Compiler(LAYOUT, root=HERE / "typst", font_paths=[FONTS], ignore_system_fonts=True)


def qr_svg(url):
    buffer = io.BytesIO()
    # A fixed mask: readers decode any of the eight, and scoring all of them is 3 ms of a document's ~25.
    segno.make(url, error="m", mask=0).save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    return buffer.getvalue().decode()


def render_pdf(page, *, verify_url, created_at):
    """The PDF of a document. `page` holds the certified content (content.py) and the issuance lines."""
    printable = {**page, "rows": [_isolated_row(row) for row in page["rows"]]}
    with _lock:
        return _compiler().compile(
            format="pdf",
            sys_inputs={"document": json.dumps(printable, ensure_ascii=False), "qr": qr_svg(verify_url)},
            pdf_standards=PDF_STANDARD,
            timestamp=created_at.replace(microsecond=0),
        )


def _isolated_row(row):
    values = [
        {**value, "text": value["text"] if value["script"] == "ar" else isolate(value["text"])}
        for value in row["values"]
    ]
    return {**row, "values": values}

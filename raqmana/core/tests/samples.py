"""Small genuine files for upload tests, made here rather than shipped."""

import io

import pikepdf
from PIL import Image


def png(size=(40, 30)):
    output = io.BytesIO()
    Image.new("RGB", size, "teal").save(output, "PNG")
    return output.getvalue()


def jpeg(size=(40, 30), exif=None, comment=b""):
    output = io.BytesIO()
    Image.new("RGB", size, "teal").save(output, "JPEG", exif=exif or Image.Exif(), comment=comment)
    return output.getvalue()


def pdf(content=b"", **root):
    """A one-page PDF; `content` is written uncompressed in its page, `root` added to its catalogue."""
    document = pikepdf.new()
    document.add_blank_page()
    if content:
        document.pages[0].Contents = document.make_stream(content)
    for key, value in root.items():
        document.Root[f"/{key}"] = value
    output = io.BytesIO()
    document.save(output, compress_streams=False)
    return output.getvalue()

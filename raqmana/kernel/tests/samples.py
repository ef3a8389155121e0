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


def _saved(document):
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _javascript():
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))


def pdf_with_link_in_indirect_annots(action):
    """A page whose /Annots is an indirect array holding a direct link annotation that runs `action`."""
    document = pikepdf.new()
    document.add_blank_page()
    link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 200, 200], A=action)
    document.pages[0].obj.Annots = document.make_indirect(pikepdf.Array([link]))
    return _saved(document)


def pdf_with_javascript_next_to_open_action():
    """Opens on its page (GoTo), then runs the actions of its /Next: an indirect array holding a script."""
    document = pikepdf.new()
    document.add_blank_page()
    following = document.make_indirect(pikepdf.Array([_javascript()]))
    page = document.pages[0].obj
    document.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=[page, pikepdf.Name.Fit], Next=following)
    return _saved(document)


def pdf_with_javascript_in_outline():
    """A bookmark going to the page whose /Next action, in an indirect array, is a script."""
    document = pikepdf.new()
    document.add_blank_page()
    following = document.make_indirect(pikepdf.Array([_javascript()]))
    page = document.pages[0].obj
    action = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=[page, pikepdf.Name.Fit], Next=following)
    item = document.make_indirect(pikepdf.Dictionary(Title=pikepdf.String("Page 1"), A=action))
    document.Root.Outlines = document.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Outlines, First=item, Last=item, Count=1)
    )
    item.Parent = document.Root.Outlines
    return _saved(document)


def pdf_with_javascript_in_array_cycle():
    """An indirect array holding itself and, deep in nested arrays, a script: walking it must end, and find it."""
    document = pikepdf.new()
    document.add_blank_page()
    looping = document.make_indirect(pikepdf.Array())
    nested = pikepdf.Array([_javascript()])
    for _ in range(200):
        nested = pikepdf.Array([nested])
    looping.append(looping)
    looping.append(nested)
    document.pages[0].obj.Annots = looping
    return _saved(document)

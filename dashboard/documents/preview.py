"""What an attachment's preview may show: a PDF as it is, an image re-drawn as PNG, else why not.

Attachments come from strangers. An SVG is a document that can carry script and links, so it
is never shown; a raster image is decoded and re-encoded by Pillow, so what reaches the
browser is pixels we made (and a fax TIFF, which browsers cannot show, becomes a PNG); a file
that claims to be an image or a PDF but is not gets a message. Download stays possible.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

RASTER_FORMATS = frozenset({"PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP"})
MAX_PIXELS = 50_000_000  # beyond this a "picture" is a decompression bomb, not a fax page
NOT_AN_IMAGE = "This file is not an image that can be shown here. Download it to look at it."


@dataclass(frozen=True)
class Preview:
    kind: str  # "pdf", "image", or "none" (then ``message`` says why)
    data: bytes = b""
    message: str = ""


def offered(mime: str) -> bool:
    """Whether a preview is worth offering for this content type."""
    return mime.startswith("image/") or mime == "application/pdf"


def prepare(content: bytes, mime: str) -> Preview:
    mime = mime.lower()
    if mime == "application/pdf":
        if content.lstrip()[:5] == b"%PDF-":
            return Preview("pdf", content)
        return Preview("none", message="This file is not a PDF that can be shown here. "
                                       "Download it to look at it.")
    if "svg" in mime or content.lstrip()[:5].lower() in (b"<?xml", b"<svg "):
        return Preview("none", message="SVG drawings are not shown here: they can carry "
                                       "scripts and links. Download it to open it.")
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format not in RASTER_FORMATS:
                return Preview("none", message=NOT_AN_IMAGE)
            if image.width * image.height > MAX_PIXELS:
                return Preview("none", message="This image is too large to show here. "
                                               "Download it to look at it.")
            image.load()
            out = io.BytesIO()
            mode = "RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB"
            image.convert(mode).save(out, format="PNG")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError,
            SyntaxError):
        return Preview("none", message=NOT_AN_IMAGE)
    return Preview("image", out.getvalue())

"""Real files to upload: a one-page PDF written by pypdf, a PNG and a JPEG drawn by Pillow
(attachments are opened by their parsers, so a file that only starts right is refused)."""

import io

from PIL import Image
from pypdf import PdfWriter


def pdf(pages: int = 1, password: str | None = None) -> bytes:
    """A blank A4 document of ``pages`` pages, locked with ``password`` if given."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password is not None:
        writer.encrypt(password, algorithm="RC4-128")  # built in; AES needs another package
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image(format: str) -> bytes:
    """A small white picture as ``format`` ("PNG" or "JPEG")."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format)
    return out.getvalue()


PDF = pdf()
PNG = image("PNG")
JPEG = image("JPEG")

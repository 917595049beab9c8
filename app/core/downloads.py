"""How a download names its file: RFC 6266, in any script.

A name comes from the data (an attachment's own name, a convoy's number in Cyrillic), so it
is never written into the header as it is: ``filename*`` carries it whole, percent-encoded
UTF-8 (RFC 8187), and ``filename`` an ASCII stand-in for clients that know no better. Neither
can hold a quote, a semicolon or a line break, so a name never adds a parameter or a header.
"""

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

# What the ASCII stand-in keeps; anything else becomes "_".
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._()+ -]+")
# Control characters and path separators: no browser should see them in a file's name.
_NEVER = re.compile(r"[\x00-\x1f\x7f/\\]+")


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''percent-encoded`` for ``filename``
    (``inline`` to let the browser show it)."""
    name = _NEVER.sub("_", filename).strip() or "download"
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{_ascii(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def _ascii(name: str) -> str:
    """The name in ASCII: accents dropped ("Übergabe" → "Ubergabe"), other scripts left out;
    its extension kept, "download" where nothing is left of the rest."""
    path = PurePosixPath(name)
    suffix = _clean(path.suffix) if len(path.suffix) <= 10 else ""
    stem = name.removesuffix(path.suffix) if suffix else name
    return (_clean(stem) or "download") + suffix


def _clean(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"_+", "_", _UNSAFE_ASCII.sub("_", plain)).strip("_ ")

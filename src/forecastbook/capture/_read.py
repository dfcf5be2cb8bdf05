"""Reading an article: plain UTF-8 text, refused with a clear message otherwise.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
>>> _ = path.write_bytes(b"\\xff\\xfe")
>>> try:
...     read_article(path)
... except CaptureError as exc:
...     print(str(exc).split(": ", 1)[1])
not UTF-8 text: byte 0 (0xff) cannot be decoded; save the article as UTF-8
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CaptureError", "read_article", "MAX_BYTES"]

MAX_BYTES = 5_000_000  # about a thousand pages of text


class CaptureError(Exception):
    """A text that cannot be captured, or a choice that cannot be made: the message says why."""


def _shown(path: Path) -> str:
    text = str(path)
    return text if len(text) <= 200 else "…" + text[-199:]


def read_article(path: Path | str, *, limit: int = MAX_BYTES) -> str:
    """The text of the file at ``path`` (UTF-8, a BOM dropped, line ends as written)."""
    path = Path(path)
    where = _shown(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise CaptureError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise CaptureError(f"{where}: is a folder, not a text file") from None
    except OSError as exc:
        raise CaptureError(f"{where}: cannot read it: {exc.strerror}") from None
    if len(data) > limit:
        raise CaptureError(f"{where}: too large: more than {limit:,} bytes; split the text and capture each part")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise CaptureError(f"{where}: a binary file (a NUL byte at byte {nul}), not plain text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaptureError(f"{where}: not UTF-8 text: byte {exc.start} (0x{data[exc.start]:02x}) cannot be decoded; "
                           "save the article as UTF-8") from None
    if not text.strip():
        raise CaptureError(f"{where}: empty: no text to capture")
    return text

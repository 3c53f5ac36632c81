"""Files named on the command line: read or written, or one plain line saying why not."""

from __future__ import annotations

import errno
from pathlib import Path

__all__ = ["FileProblem", "check_writable", "read_bytes", "read_utf8", "write_bytes"]


class FileProblem(Exception):
    """A file the command cannot use; `str()` is one line naming it, for the terminal."""

    def __init__(self, file: str | Path, reason: str) -> None:
        super().__init__(f"{file}: {reason}")


def _reason(error: OSError, writing: bool) -> str:
    """What went wrong with a file, in plain words rather than the system's error text."""
    code = error.errno
    if code == errno.ENOENT:
        return "no such folder" if writing else "no such file"
    if code == errno.EISDIR:
        return "this is a folder, not a file"
    if code == errno.ENOTDIR:
        return "part of this path is a file, not a folder"
    if code in (errno.EACCES, errno.EPERM):
        return "you are not allowed to write here" if writing else "you are not allowed to read it"
    if code == errno.ENOSPC:
        return "the disk is full"
    if code == errno.EROFS:
        return "the disk is read-only"
    what = "written" if writing else "read"
    detail = (error.strerror or "").lower()
    return f"cannot be {what}" + (f" ({detail})" if detail else "")


def read_bytes(file: str | Path) -> bytes:
    """The content of `file`; `FileProblem` when it is missing, a folder or unreadable."""
    path = Path(file)
    if path.is_dir():
        raise FileProblem(file, "this is a folder, not a file")
    try:
        return path.read_bytes()
    except OSError as error:
        raise FileProblem(file, _reason(error, writing=False)) from None


def read_utf8(file: str | Path) -> str:
    """The text of `file` (UTF-8, with or without BOM); `FileProblem` for anything else."""
    content = read_bytes(file)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        hint = ""
        try:
            content.decode("gb18030")
            hint = "; it looks like GBK, as older Windows programs save Chinese text"
        except UnicodeDecodeError:
            pass
        raise FileProblem(
            file, f"not UTF-8 text (from line {line}{hint}): save it as UTF-8 and try again"
        ) from None


def check_writable(file: str | Path) -> None:
    """Raise `FileProblem` unless `file` can be created or replaced (its folder exists)."""
    path = Path(file)
    if path.is_dir():
        raise FileProblem(file, "this is a folder; name a file to write")
    folder = path.parent
    if not folder.exists():
        raise FileProblem(file, f"the folder {folder} does not exist")
    if not folder.is_dir():
        raise FileProblem(file, f"{folder} is a file, not a folder")


def write_bytes(file: str | Path, content: bytes) -> None:
    """Write `content` to `file`; `FileProblem` when it cannot be written."""
    check_writable(file)
    try:
        Path(file).write_bytes(content)
    except OSError as error:
        raise FileProblem(file, _reason(error, writing=True)) from None

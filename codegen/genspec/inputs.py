"""Paths to bytes, safely: what `genspec validate`/`lint` and every JSON file reader may open.

Only regular files are read: a FIFO, a device or a socket is refused from its `stat`, before any
open that could block or never end; every read is size-bounded. Directory walks and globs never
follow symbolic links to directories (a link loop cannot make the walk explode) and report a
directory they cannot list instead of skipping it silently.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass

BODY_SUFFIXES = (".json", ".jsonl")


class InputRefused(Exception):
    """A path we will not or cannot read; the message says why (no path in it)."""


@dataclass(frozen=True)
class Unreadable:
    """A path named or found that yields no files: a missing directory entry, no glob match."""

    path: str
    message: str
    nothing_found: bool = False  # an empty directory or an unmatched glob (--allow-empty)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def open_regular(path: str) -> int:
    """A read-only descriptor of the regular file `path`; anything else is refused unopened."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise InputRefused(f"cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise InputRefused(f"cannot read: {_kind(mode)}, not a regular file")
    # O_NONBLOCK: should the path be swapped for a FIFO after the stat, open still returns at once
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputRefused(f"cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputRefused("cannot read: not a regular file")
    return fd


def read_bounded(path: str, limit: int) -> bytes:
    """The file's bytes, at most `limit + 1` of them (a caller seeing more knows it is too big)."""
    fd = open_regular(path)
    try:
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        raise InputRefused(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def is_body_file(name: str) -> bool:
    """`.json` and `.jsonl`, in any case (`BODY.JSON` is a body file too)."""
    return name.lower().endswith(BODY_SUFFIXES)


def is_jsonl(name: str) -> bool:
    return name.lower().endswith(".jsonl")


def walk(directory: str) -> Iterator[str | Unreadable]:
    """Body files under `directory`, sorted, hidden directories skipped, links to directories
    not followed; a directory that cannot be listed is reported."""
    failures: list[OSError] = []
    for root, dirs, files in os.walk(directory, onerror=failures.append):
        while failures:
            failure = failures.pop()
            yield Unreadable(failure.filename or root, f"cannot list: {failure.strerror}")
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # .git, .venv, ...
        yield from (os.path.join(root, f) for f in sorted(files) if is_body_file(f))
    while failures:
        failure = failures.pop()
        yield Unreadable(failure.filename or directory, f"cannot list: {failure.strerror}")


_MAGIC = re.compile(r"[*?[]")


def has_magic(pattern: str) -> bool:
    return _MAGIC.search(pattern) is not None


def _translate(segment: str) -> str:
    """One path segment of a glob as a regex (`*`, `?`, `[...]`; never matching `/`)."""
    out, i = [], 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = segment.find("]", i + 2 if segment[i + 1 : i + 2] in ("!", "]") else i + 1)
            if end < 0:
                out.append(re.escape(char))
            else:
                inner = segment[i + 1 : end].replace("\\", "\\\\")
                if inner.startswith("!"):
                    inner = "^" + inner[1:]
                out.append(f"[{inner}]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def glob(pattern: str) -> Iterator[str]:
    """Paths matching `pattern` (`**` = any number of directories), sorted, found by a walk
    that never follows a link to a directory; hidden names match only a pattern starting with
    a dot, as in the shell."""
    parts = pattern.replace(os.sep, "/").split("/")
    fixed: list[str] = []
    while parts and not has_magic(parts[0]):
        fixed.append(parts.pop(0))
    base = "/".join(fixed) or "."
    if fixed == [""]:  # an absolute pattern: /tmp/*.json
        base = "/"
    regex_parts = []
    for position, part in enumerate(parts):
        if part == "**":
            regex_parts.append(".+/" if position == len(parts) - 1 else "(?:[^/]+/)*")
        else:
            regex_parts.append(_translate(part) + "/")
    matcher = re.compile("".join(regex_parts).removesuffix("/") + r"\Z", re.DOTALL)
    deep = "**" in parts
    depth = len(parts)
    show_hidden = any(p.startswith(".") for p in parts)
    found: list[str] = []
    for root, dirs, files in os.walk(base):
        relative = os.path.relpath(root, base).replace(os.sep, "/")
        level = 0 if relative == "." else relative.count("/") + 1
        prefix = "" if relative == "." else relative + "/"
        dirs[:] = sorted(d for d in dirs if show_hidden or not d.startswith("."))
        for name in sorted([*files, *dirs]):
            if name.startswith(".") and not show_hidden:
                continue
            if matcher.match(prefix + name):
                found.append(os.path.join(root, name) if base != "." else prefix + name)
        if not deep and level + 1 >= depth:
            dirs[:] = []  # no deeper match possible
    yield from sorted(found)

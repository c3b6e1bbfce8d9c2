"""Printing for commands whose output is often piped: `genspec generate | head` must not crash."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TextIO


def emit(lines: Iterable[str], stream: TextIO | None = None) -> None:
    """Print lines; a reader that went away (`| head`) ends the output quietly."""
    stream = stream or sys.stdout
    try:
        for line in lines:
            stream.write(f"{line}\n")
        stream.flush()
    except BrokenPipeError:
        # Point the stream at /dev/null so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)

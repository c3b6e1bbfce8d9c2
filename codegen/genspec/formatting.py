"""Format generated Python with the pinned ruff, so output is byte-identical everywhere."""

from __future__ import annotations

import subprocess
import sys
from functools import cache

# Explicit settings (not the caller's config) keep the output the same from any directory.
RUFF_FORMAT_ARGS = ("format", "--isolated", "--line-length", "100", "--target-version", "py311")


class FormattingError(RuntimeError):
    pass


@cache
def _ruff_binary() -> str:
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - ruff is a dependency of genspec
        raise FormattingError("ruff is not installed; `pip install genspec` brings it") from None
    return str(find_ruff_bin())


def ruff_format(source: str, filename: str = "generated.py") -> str:
    """`source` formatted by ruff; raises FormattingError when ruff rejects it."""
    result = subprocess.run(
        [_ruff_binary(), *RUFF_FORMAT_ARGS, "--stdin-filename", filename, "-"],
        input=source,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if result.returncode != 0:
        raise FormattingError(f"ruff could not format {filename}: {result.stderr.strip()}")
    return result.stdout


if __name__ == "__main__":  # pragma: no cover - a debugging aid
    sys.stdout.write(ruff_format(sys.stdin.read()))

"""The `genspec` command: a thin dispatcher over library functions.

Start-up stays cheap (`genspec --version` imports nothing heavy): each subcommand's module is
imported only when that subcommand runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from genspec import __version__

# subcommand -> (module that implements it, one-line help). Each module exposes
# `add_arguments(parser, command)` and `run(args) -> int` (the exit code).
COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("genspec.generate", "write generated/ from spec/ (--check: fail if stale)"),
    "compile": ("genspec.compile_command", "compile any JSON Schema into a standalone validator"),
    "validate": ("genspec.check", "check request bodies: errors only (the CI gate)"),
    "lint": ("genspec.check", "check request bodies: errors and warnings (the editor linter)"),
    "server": ("genspec.server", "a language server for request bodies, over stdio (LSP)"),
    "schema": ("genspec.schema_command", "print the request schema (--path: where it is)"),
    "rule": ("genspec.rule_command", "print a rule's reference and link (none: list the ids)"),
    "drift": ("genspec.drift", "compare the spec with an OpenAPI document of Leonardo's API"),
    "mock": ("genspec.mock", "serve a local mock of Leonardo's API (for tests; no credits)"),
}


def build_parser(selected: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the `selected` subcommand's module is imported (others stay cheap)."""
    parser = argparse.ArgumentParser(
        prog="genspec",
        description="Spec-driven validators, linter and clients for Leonardo.ai generations.",
    )
    parser.add_argument("--version", action="version", version=f"genspec {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if name == selected:
            module = importlib.import_module(module_name)
            module.add_arguments(sub, name)
            sub.set_defaults(run=module.run)
    return parser


# The shell's status for a process killed by SIGPIPE (128 + 13), as `yes | head -1` leaves.
EXIT_BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv in (["--version"], ["-V"]):  # answer before importing any subcommand module
            if sys.stdout is not None:
                print(f"genspec {__version__}")
            return 0
        selected = next((arg for arg in argv if not arg.startswith("-")), None)
        args = build_parser(selected).parse_args(argv)
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_went_away()


def _reader_went_away() -> int:
    """The reader of our output closed the pipe (`genspec lint ... | head -1`): stop quietly.

    Python would print a second BrokenPipeError while flushing stdout at exit; pointing the
    descriptor at /dev/null first keeps that flush silent.
    """
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    raise SystemExit(main())

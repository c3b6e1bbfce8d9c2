"""`genspec schema`: the request schema editors read (VS Code's `json.schemas`, any JSON
language server), printed, or with `--path` where it is installed.

The schema of `--spec` or `[tool.genspec] spec` when a project has its own, else the bundled
Leonardo spec; the file, not a copy, so an editor pointed at it follows upgrades.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument(
        "--path", action="store_true", help="print where the schema file is, not its text"
    )
    parser.add_argument(
        "--isolated", action="store_true", help="ignore [tool.genspec] spec in pyproject.toml"
    )
    from genspec.user_spec import add_spec_argument

    add_spec_argument(parser)


def schema_path(args: argparse.Namespace) -> Path:
    from genspec.spec import REQUEST_SCHEMA, spec_dir
    from genspec.user_spec import request_schema_path, selected_spec

    chosen = selected_spec(args)
    return request_schema_path(chosen) if chosen is not None else spec_dir() / REQUEST_SCHEMA


def run(args: argparse.Namespace) -> int:
    from genspec.config import ConfigError
    from genspec.inputs import InputRefused, read_bounded
    from genspec.jsonio import MAX_DOCUMENT_BYTES
    from genspec.render import printable
    from genspec.user_spec import SpecSettingError

    try:
        path = schema_path(args).resolve()
        if args.path:
            if not path.is_file():
                raise InputRefused(f"{path}: no such file")
            print(path)
            return 0
        data = read_bounded(str(path), MAX_DOCUMENT_BYTES)
    except (SpecSettingError, ConfigError, InputRefused, OSError) as exc:
        print(f"genspec schema: {printable(str(exc))}", file=sys.stderr)
        return 2
    sys.stdout.write(data.decode("utf-8", "replace"))
    sys.stdout.flush()
    return 0

"""`genspec compile SCHEMA.json -o OUT.py`: any draft 2020-12 schema to a standalone validator
(a Python module, an ES module, or a native extension module built with mypyc)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument("schema", help="the JSON Schema (draft 2020-12) file to compile")
    parser.add_argument("-o", "--output", required=True, help="where to write the module")
    parser.add_argument(
        "--target",
        choices=("python", "js", "native"),
        default="python",
        help="python (a .py module, default), js (an ES module, .mjs) or native (a C "
        "extension module built with mypyc, e.g. validator.so; needs genspec[native] and a C "
        "compiler)",
    )
    parser.add_argument(
        "--resource",
        action="append",
        default=[],
        metavar="[URI=]FILE",
        help="another local schema a $ref may name: by URI (URI=FILE, for a document whose "
        "$refs name it by URL) or by its $id (FILE); repeatable",
    )


# `https://example.com/s.json=local.json`: a scheme before the first `=` marks a URI.
# A one-letter scheme would be a Windows drive (C:\x), so schemes have two letters or more.
_URI_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:[^=]*")


def split_resource(argument: str) -> tuple[str | None, str]:
    """(URI or None, FILE) of one --resource argument."""
    uri, equals, file = argument.partition("=")
    if equals and file and _URI_PREFIX.fullmatch(uri):
        return uri, file
    return None, argument


def _resource_uri(path: Path, document: Any) -> str:
    if isinstance(document, dict) and isinstance(document.get("$id"), str):
        return str(document["$id"])
    return path.resolve().as_uri()


def run(args: argparse.Namespace) -> int:
    from genspec.compiler import SchemaError, compile_schema
    from genspec.jsonio import JsonInputError, load_file, write_atomic

    def fail(message: str, code: int) -> int:
        print(f"genspec compile: error: {message}", file=sys.stderr)
        return code

    try:
        schema = load_file(args.schema)
        resources = {}
        for argument in args.resource:
            uri, name = split_resource(argument)
            document = load_file(name)
            resources[uri or _resource_uri(Path(name), document)] = document
    except JsonInputError as exc:
        return fail(str(exc) if exc.line == 0 else f"{args.schema}:{exc}", 2)
    if args.target == "js":
        return _run_js(args, schema, resources, fail)
    if args.target == "native":
        return _run_native(args, schema, resources, fail)
    try:
        source = compile_schema(
            schema,
            source=Path(args.schema).name,
            command=f"genspec compile {Path(args.schema).name} -o {Path(args.output).name}",
            resources=resources,
        )
    except SchemaError as exc:
        return fail(f"{args.schema}: {exc}", 1)
    try:
        write_atomic(args.output, source)
    except OSError as exc:
        return fail(f"cannot write {args.output}: {exc.strerror}", 2)
    print(f"wrote {args.output}")
    return 0


def _run_js(args: argparse.Namespace, schema: Any, resources: dict[str, Any], fail: Any) -> int:
    from genspec.compiler_js import compile_schema_js
    from genspec.ir import SchemaError
    from genspec.js_patterns import NodeUnavailable
    from genspec.jsonio import write_atomic

    name = Path(args.schema).name
    try:
        source = compile_schema_js(
            schema,
            source=name,
            command=f"genspec compile {name} --target js -o {Path(args.output).name}",
            resources=resources,
        )
    except SchemaError as exc:
        return int(fail(f"{args.schema}: {exc}", 1))
    except NodeUnavailable as exc:
        return int(fail(str(exc), 2))
    try:
        write_atomic(args.output, source)
    except OSError as exc:
        return int(fail(f"cannot write {args.output}: {exc.strerror}", 2))
    print(f"wrote {args.output}")
    return 0


def _run_native(args: argparse.Namespace, schema: Any, resources: dict[str, Any], fail: Any) -> int:
    from genspec.ir import SchemaError
    from genspec.native import NativeBuildError, build_native, module_name, native_source

    name, output = Path(args.schema).name, Path(args.output)
    try:
        module_name(output)  # a bad file name is refused before the compile, not after it
        source = native_source(
            schema,
            source=name,
            command=f"genspec compile {name} --target native -o {output.name}",
            resources=resources,
        )
    except NativeBuildError as exc:
        return int(fail(str(exc), 2))
    except SchemaError as exc:
        return int(fail(f"{args.schema}: {exc}", 1))
    try:
        build_native(source, output)
    except NativeBuildError as exc:
        return int(fail(str(exc), 2))
    print(f"wrote {args.output}")
    return 0

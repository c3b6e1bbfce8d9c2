"""compile_schema: JSON Schema -> a standalone Python validator module (source text).

Pipeline: check (meta-schema, keyword table, x-rule annotations) -> IR -> emitters -> template.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable
from typing import Any, TypeVar

from genspec.emit_python import PythonEmitter
from genspec.ir import SchemaError, lower
from genspec.literals import py_literal
from genspec.pointer import escape_token
from genspec.pylayout import layout
from genspec.rules import rules_table
from genspec.templating import header, render

__all__ = ["SchemaError", "compile_schema", "load_module"]

T = TypeVar("T")
# A subschema level costs about ten Python frames in the meta-schema check and the lowering,
# so the 256 levels the input limits allow need more than the default 1,000; the thread's
# stack is sized so that the frames fit long before the limit (it is reserved, not used).
DEEP_RECURSION_LIMIT = 20_000
DEEP_STACK_BYTES = 512 * 1024 * 1024
# JSON nesting beyond this is refused up front (twice the CLI's input limit of 256 levels).
MAX_SCHEMA_DEPTH = 512


def refuse_too_deep(document: Any, limit: int = MAX_SCHEMA_DEPTH) -> None:
    """SchemaError naming the first place nested deeper than `limit` (checked without recursion)."""
    stack: list[tuple[Any, str, int]] = [(document, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > limit:
            message = f"the schema nests deeper than {limit} levels; flatten it with $defs and $ref"
            raise SchemaError(path, message)
        if isinstance(value, dict):
            stack.extend((v, f"{path}/{escape_token(str(k))}", depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{path}/{i}", depth + 1) for i, v in enumerate(value))


def run_deep(work: Callable[[], T]) -> T:
    """`work()` on a thread with room for deep recursion; RecursionError becomes SchemaError."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except RecursionError:
            message = "the schema nests too deeply to compile (flatten it with $defs and $ref)"
            outcome.append((False, SchemaError("", message)))
        except BaseException as exc:  # handed to the caller's thread as is
            outcome.append((False, exc))

    old_limit, old_stack = sys.getrecursionlimit(), threading.stack_size()
    threading.stack_size(DEEP_STACK_BYTES)
    try:
        sys.setrecursionlimit(max(old_limit, DEEP_RECURSION_LIMIT))
        thread = threading.Thread(target=run, name="genspec-compile")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old_limit)
    ok, value = outcome[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def compile_schema(
    schema: Any,
    *,
    source: str = "<schema>",
    command: str = "genspec compile",
    check: bool = True,
    resources: dict[str, Any] | None = None,
    native: bool = False,
) -> str:
    """Python source of a validator module for `schema`; raises SchemaError when refused.

    `resources`: other local schema documents by absolute URI, for `$ref`s between files.
    `native`: the layout meant for mypyc (`genspec.native` builds it into a C extension): the
    same checks and findings, dispatched as compiled C does best (see emit_python).
    """
    for document in (schema, *(resources or {}).values()):
        refuse_too_deep(document)
    return run_deep(lambda: _compile(schema, source, command, check, resources, native))


def _compile(
    schema: Any,
    source: str,
    command: str,
    check: bool,
    resources: dict[str, Any] | None,
    native: bool,
) -> str:
    schema_ir = lower(schema, check=check, resources=resources)
    emitter = PythonEmitter(schema_ir, native=native)
    emitter.emit()
    # Long statements laid out piece by piece (never the whole module split into lines at once:
    # for a big schema that would hold every line twice).
    for name, text in emitter.functions.items():
        emitter.functions[name] = layout(text)
    emitter.constant_lines = [layout(line) for line in emitter.constant_lines]
    emitter.table_lines = [layout(line) for line in emitter.table_lines]
    rules_head = "RULES: dict[str, dict[str, str]] = "  # as the template spells it
    rules = layout(rules_head + py_literal(rules_table(schema_ir.rules.values())))
    return str(
        render(
            "validator.py.jinja",
            header=header(source, command=command),
            rules=rules.removeprefix(rules_head),
            root_valid=emitter.root_valid(),
            root_errors=emitter.root_errors(),
            uses_regex=any(line.startswith("_RE_") for line in emitter.constant_lines),
            uses_fraction=emitter.uses_fraction,
            constants=emitter.constant_lines,
            functions=[f for f in emitter.functions.values() if f],
            tables=emitter.table_lines,
            native=native,
        )
    )


def load_module(source: str, name: str = "genspec_compiled") -> types.ModuleType:
    """Execute generated validator source as a fresh module (for in-process use and tests)."""
    module = types.ModuleType(name)
    module.__file__ = f"<{name}>"
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    try:
        code = run_deep(lambda: compile(source, f"<{name}>", "exec"))
        exec(code, module.__dict__)
    finally:
        sys.modules.pop(name, None)
    return module

"""compile_schema: JSON Schema -> a standalone Python validator module (source text).

Pipeline: check (meta-schema, keyword table, x-rule annotations) -> IR -> emitters -> template.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from genspec.emit_python import PythonEmitter
from genspec.ir import SchemaError, lower
from genspec.literals import py_literal
from genspec.templating import header, render

__all__ = ["SchemaError", "compile_schema", "load_module"]


def compile_schema(
    schema: Any,
    *,
    source: str = "<schema>",
    command: str = "genspec compile",
    check: bool = True,
    resources: dict[str, Any] | None = None,
) -> str:
    """Python source of a validator module for `schema`; raises SchemaError when refused.

    `resources`: other local schema documents by absolute URI, for `$ref`s between files.
    """
    schema_ir = lower(schema, check=check, resources=resources)
    emitter = PythonEmitter(schema_ir)
    emitter.emit()
    rules = {
        rule.id: {
            "severity": rule.severity,
            "message": rule.message,
            "source": rule.source,
            "reference": rule.reference,
        }
        for rule in schema_ir.rules.values()
    }
    return str(
        render(
            "validator.py.jinja",
            header=header(source, command=command),
            rules=py_literal(rules),
            root_valid=emitter.root_valid(),
            root_errors=f"_e{schema_ir.root.index}",
            uses_regex=any(name.startswith("_RE") for name in emitter.constants.values()),
            uses_fraction=emitter.uses_fraction,
            constants=emitter.constant_lines,
            functions=[f for f in emitter.functions.values() if f],
            tables=emitter.table_lines,
        )
    )


def load_module(source: str, name: str = "genspec_compiled") -> types.ModuleType:
    """Execute generated validator source as a fresh module (for in-process use and tests)."""
    module = types.ModuleType(name)
    module.__file__ = f"<{name}>"
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    try:
        exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    finally:
        sys.modules.pop(name, None)
    return module

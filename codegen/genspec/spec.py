"""Where the endpoint spec lives and how its rule annotations (`x-rule`) are read.

The spec is the single source of truth; everything else asks this module for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genspec.jsonio import load_file, write_atomic

REQUEST_SCHEMA = "generation-request.schema.json"
RESPONSE_SCHEMA = "generation-response.schema.json"
RULE_KEYWORD = "x-rule"
ADVICE_KEYWORD = "x-advice"  # root list of warning rules, applied to the whole instance
SEVERITIES = ("error", "warning")
# What backs a rule's severity: a quoted server error text, a "must"/"requires" sentence of the
# docs with no contrary evidence, or advice-worded docs (warnings only).
EVIDENCE = ("server-rejection", "documented-requirement", "documented-advice")


def spec_dir() -> Path:
    """The spec directory: inside the installed package (wheel), else the checkout's spec/."""
    packaged = Path(__file__).resolve().parent / "_spec"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "spec"


def load_schema(name: str = REQUEST_SCHEMA) -> Any:
    return load_file(spec_dir() / name)


@dataclass(frozen=True)
class Rule:
    """One documented rule: a stable id, how bad breaking it is, what to do, where it is written."""

    id: str
    severity: str
    message: str
    source: str
    reference: str
    schema_path: str  # JSON Pointer of the subschema carrying the annotation
    evidence: str = ""


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def iter_rules(schema: Any, pointer: str = "") -> Iterator[Rule]:
    """Every `x-rule` annotation in `schema`, in document order."""
    if isinstance(schema, dict):
        rule = schema.get(RULE_KEYWORD)
        if isinstance(rule, dict):
            yield Rule(
                id=rule["id"],
                severity=rule["severity"],
                message=rule["message"],
                source=rule["source"],
                reference=rule.get("reference", ""),
                schema_path=pointer,
                evidence=rule.get("evidence", ""),
            )
        for key, value in schema.items():
            if key != RULE_KEYWORD and key not in ("enum", "const", "default", "examples"):
                yield from iter_rules(value, f"{pointer}/{_escape(key)}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from iter_rules(value, f"{pointer}/{index}")


def advice_schemas(schema: Any) -> list[Any]:
    """Each `x-advice` entry as a schema of its own (the root's `$defs` beside it), to be applied
    to the whole instance: a standard validator reports its errors as that rule's warnings."""
    entries = schema.get(ADVICE_KEYWORD, []) if isinstance(schema, dict) else []
    definitions = schema.get("$defs") if isinstance(schema, dict) else None
    return [entry if definitions is None else {**entry, "$defs": definitions} for entry in entries]


def _resolve_local_ref(root: Any, ref: str) -> Any:
    """The subschema a local `#/...` reference names (the only kind the spec may use)."""
    if not ref.startswith("#"):
        raise ValueError(f"only local $ref is supported, got {ref!r}")
    node = root
    for token in ref[1:].split("/")[1:]:
        key = token.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def enclosing_rule_id(schema: Any, schema_path: Sequence[str | int]) -> str | None:
    """Id of the innermost `x-rule` on `schema_path` (a python-jsonschema `absolute_schema_path`).

    python-jsonschema leaves `$ref` out of schema paths, so when the next step is not in the
    current subschema but the subschema is a `$ref`, the walk continues in the referenced one.
    """
    node = schema
    found: str | None = None
    for step in schema_path:
        while isinstance(node, dict) and step not in node and "$ref" in node:
            node = _resolve_local_ref(schema, node["$ref"])
        if isinstance(node, dict) and isinstance(node.get(RULE_KEYWORD), dict):
            found = node[RULE_KEYWORD]["id"]
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    return found


# The generated rules table in README.md sits between these markers.
README_START = "<!-- rules:start -->"
README_END = "<!-- rules:end -->"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def rule_table_markdown(schema: Any) -> str:
    """The README table of every rule in `schema`: id, severity, evidence, message, source and
    reference (errors first, as the schema lists them, then the advice)."""
    lines = [
        "| id | severity | evidence | message | source |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in iter_rules(schema):
        source = f"“{_cell(rule.source)}” ({_cell(rule.reference)})"
        lines.append(
            f"| `{rule.id}` | {rule.severity} | {rule.evidence or '—'} | {_cell(rule.message)} "
            f"| {source} |"
        )
    return "\n".join(lines) + "\n"


def readme_rules_section(readme: str) -> str | None:
    """What README.md holds between the rules markers, or None when the markers are missing."""
    start = readme.find(README_START)
    end = readme.find(README_END)
    if start < 0 or end < start:
        return None
    return readme[start + len(README_START) : end].strip("\n") + "\n"


def with_rules_table(readme: str, schema: Any) -> str:
    """`readme` with the rules section replaced by the current table (appended under `## Rules`
    with its markers when absent)."""
    block = f"{README_START}\n{rule_table_markdown(schema)}{README_END}"
    start = readme.find(README_START)
    end = readme.find(README_END)
    if start < 0 or end < start:
        return f"{readme.rstrip()}\n\n## Rules\n\n{block}\n"
    return readme[:start] + block + readme[end + len(README_END) :]


def default_readme_path() -> Path:
    return spec_dir().parent / "README.md"


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m genspec.spec --write-readme|--check-readme [--readme PATH]`."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m genspec.spec",
        description="Refresh or check the rules table in README.md from the request schema.",
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write-readme", action="store_true", help="rewrite the rules section")
    mode.add_argument("--check-readme", action="store_true", help="exit 1 if it is stale")
    parser.add_argument("--readme", type=Path, default=None, help="default: the checkout's README")
    args = parser.parse_args(argv)
    path: Path = args.readme or default_readme_path()
    current = path.read_text(encoding="utf-8")
    updated = with_rules_table(current, load_schema())
    if args.check_readme:
        if updated != current:
            print(f"{path}: rules table is stale; run python -m genspec.spec --write-readme")
            return 1
        return 0
    if updated != current:
        write_atomic(path, updated)
        print(f"{path}: rules table updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

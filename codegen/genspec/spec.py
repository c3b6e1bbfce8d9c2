"""Where the endpoint spec lives, its rules (`x-rule`, read by `genspec.rules`) and the README
rules table made from them.

The spec is the single source of truth; everything else asks this module for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from genspec import pointer
from genspec.jsonio import load_file, write_atomic
from genspec.refs import SchemaIndex
from genspec.rules import RULE_KEYWORD, Rule, Severity, read_rule

REQUEST_SCHEMA = "generation-request.schema.json"
RESPONSE_SCHEMA = "generation-response.schema.json"
SEVERITIES = tuple(severity.value for severity in Severity)


def spec_dir() -> Path:
    """The spec directory: inside the installed package (wheel), else the checkout's spec/."""
    packaged = Path(__file__).resolve().parent / "_spec"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "spec"


def load_schema(name: str = REQUEST_SCHEMA) -> Any:
    return load_file(spec_dir() / name)


def iter_rules(
    schema: Any, schema_path: str = "", *, require_evidence: bool = False
) -> Iterator[Rule]:
    """Every `x-rule` annotation in `schema` (x-advice included), in document order, each read
    by `genspec.rules.read_rule` (RuleAnnotationError for a malformed one; `require_evidence`
    for the Leonardo spec, whose rules must say what they rest on)."""
    stack: list[tuple[Any, str]] = [(schema, schema_path)]
    while stack:
        value, at = stack.pop()
        children: list[tuple[Any, str]] = []
        if isinstance(value, dict):
            if RULE_KEYWORD in value:
                yield read_rule(value[RULE_KEYWORD], at, require_evidence=require_evidence)
            children = [
                (item, pointer.join(at, key))
                for key, item in value.items()
                if key != RULE_KEYWORD and key not in ("enum", "const", "default", "examples")
            ]
        elif isinstance(value, list):
            children = [(item, pointer.join(at, index)) for index, item in enumerate(value)]
        stack.extend(reversed(children))


def enclosing_rule_id(schema: Any, schema_path: Sequence[str | int]) -> str | None:
    """Id of the innermost `x-rule` on `schema_path` (a python-jsonschema `absolute_schema_path`).

    python-jsonschema leaves `$ref` out of schema paths, so when the next step is not in the
    current subschema but the subschema is a `$ref`, the walk continues in the referenced one.
    """
    index = SchemaIndex(schema)
    node = schema
    found: str | None = None
    for step in schema_path:
        seen: set[int] = set()
        while isinstance(node, dict) and step not in node and id(node) not in seen:
            seen.add(id(node))
            target = index.referenced(node)
            if target is None:
                break
            node = target
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
    """The README table of every rule in `schema`: id, severity, message, source and reference."""
    lines = [
        "| id | severity | message | source |",
        "| --- | --- | --- | --- |",
    ]
    for rule in iter_rules(schema):
        source = f"“{_cell(rule.source)}” ({_cell(rule.reference)})"
        lines.append(f"| `{rule.id}` | {rule.severity} | {_cell(rule.message)} | {source} |")
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

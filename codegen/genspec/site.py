"""generated/site/: the rules reference (rules.html) and the playground (index.html).

Both pages are self-contained HTML: the playground carries the generated JavaScript validator
and JSON parser inline (Chromium refuses module scripts from file://), so the site works offline
from file:// or from any static host and never makes a request. Every value reaches the HTML
through Jinja's autoescape, and JSON inside <script> through `script_json`.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from genspec.templating import html_environment

if TYPE_CHECKING:
    from genspec.diagnostics import LintModel
    from genspec.ir import Node

FOLDER = "site"
# What SARIF's helpUri and the CLI's messages link to: rules.html#<rule-id>.
RULES_PAGE = "rules.html"

# Inlined scripts: the generated modules' `export` statements are the only module syntax they use.
_EXPORT = re.compile(r"^export (?=(?:const|function|class|let) )", re.MULTILINE)


def script_json(value: Any) -> Markup:
    """JSON safe inside <script>: no `</script>`, `<!--`, `&` or U+2028/2029 can end or bend it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return Markup(text)


def inline_script(source: str) -> Markup:
    """JavaScript source made safe to place between <script> tags."""
    return Markup(re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE))


def classic_script(module: str, exported: tuple[str, ...], name: str) -> str:
    """A generated ES module as a classic script defining `const name = {exported...}`."""
    body = _EXPORT.sub("", module)
    if re.search(r"^\s*(?:import|export)\b", body, re.MULTILINE):
        raise ValueError(f"{name}: the generated module uses module syntax the site cannot inline")
    return f"const {name} = (() => {{\n{body}\nreturn {{ {', '.join(exported)} }};\n}})();\n"


@dataclass(frozen=True)
class Example:
    name: str  # the file stem
    kind: str  # "valid" or "invalid"
    text: str  # the file as written
    rules: tuple[str, ...]  # what expected.toml says it breaks (invalid examples)
    why: str


def load_examples(spec: Path) -> list[Example]:
    """spec/examples: valid/, invalid/ and official/ bodies, each with the rules expected.toml
    says it breaks (its errors, and for the advice its warnings)."""
    folder = spec / "examples"
    expected: dict[str, Any] = {}
    if (folder / "expected.toml").is_file():
        expected = tomllib.loads((folder / "expected.toml").read_text(encoding="utf-8"))
    examples = []
    for kind in ("valid", "invalid", "official"):
        entries = expected.get("official", {}) if kind == "official" else expected
        for path in sorted((folder / kind).glob("*.json")):
            entry = entries.get(path.stem, {})
            findings = [*entry.get("errors", ()), *entry.get("warnings", ())]
            rules = tuple(dict.fromkeys(finding["rule"] for finding in findings))
            text = path.read_text(encoding="utf-8")
            examples.append(Example(path.stem, kind, text, rules, entry.get("why", "")))
    return examples


def _members_set(text: str) -> set[str]:
    """The top-level members a body sends with a value that turns something on (not null/false)."""
    try:
        body = json.loads(text)
    except ValueError:
        return set()
    if not isinstance(body, dict):
        return set()
    return {name for name, value in body.items() if value is not None and value is not False}


def _passing_example(triggers: set[str], valid: list[Example]) -> Example | None:
    """The valid example setting most of the members the rule's condition reads (first on ties)."""
    best = max(valid, key=lambda e: len(triggers & _members_set(e.text)), default=None)
    if best is None or not triggers & _members_set(best.text):
        return None
    return best


def _member_tree(view: LintModel, node: Node, depth: int = 0) -> dict[str, Any] | None:
    """What `genspec lint`'s member checks read, precomputed for the playground: per object,
    its declared names (None: open), patterns, and per member its deprecation, default and
    children; walked as genspec.diagnostics walks a body (first branch only, bounded depth)."""
    from genspec.diagnostics import annotations_of, deprecation_message
    from genspec.ir import PatternProperties

    if depth > 12:
        return None
    known = view.property_names(node)
    members: dict[str, Any] = {}
    for name in sorted(known or ()):
        nodes = view.property_nodes(node, name)
        schemas = annotations_of(nodes)
        entry: dict[str, Any] = {}
        if any(s.get("deprecated") is True for s in schemas):
            entry["deprecated"] = deprecation_message(name, schemas)
        defaults = [s["default"] for s in schemas if "default" in s]
        if defaults:
            entry["default"] = defaults[0]
        child = _member_tree(view, nodes[0], depth + 1) if nodes else None
        if child:
            entry["members"] = child
        members[name] = entry
    items = view.item_nodes(node)
    item_tree = _member_tree(view, items[0], depth + 1) if items else None
    if known is None and item_tree is None:
        return None
    patterns = {
        pattern
        for branch in view.branches(node)
        if (keyword := branch.find(PatternProperties)) is not None
        for pattern, _ in keyword.children
    }
    tree = {"known": sorted(known) if known is not None else None, "patterns": sorted(patterns)}
    return {**tree, "members": members, **({"items": item_tree} if item_tree else {})}


def _no_effect_pairs(view: LintModel) -> list[dict[str, Any]]:
    """The FEATURE_SWITCHES pairs `genspec lint` checks, with the switch's reading when omitted."""
    from genspec.diagnostics import FEATURE_SWITCHES, annotations_of

    known = view.property_names(view.root) or set()
    pairs = []
    for name, switch in FEATURE_SWITCHES.items():
        if switch not in known or view.rule_covers(name, switch):
            continue
        schemas = annotations_of(view.property_nodes(view.root, switch))
        defaults = [s["default"] for s in schemas if "default" in s]
        pairs.append(
            {"name": name, "switch": switch, "onByDefault": bool(defaults) and defaults[0] is True}
        )
    return pairs


def _rule_triggers(request: Any) -> dict[str, set[str]]:
    """Rule id -> the members its `if` names (what makes the rule apply to a body)."""
    from genspec.diagnostics import names_mentioned
    from genspec.pointer import resolve
    from genspec.spec import iter_rules

    found: dict[str, set[str]] = {}
    for rule in iter_rules(request):
        subschema = resolve(request, rule.schema_path)
        condition = subschema.get("if", {}) if isinstance(subschema, dict) else {}
        found[rule.id] = names_mentioned(condition)
    return found


def schema_keyword_rules() -> list[tuple[str, str]]:
    """(id, keyword) of the plain schema errors: `genspec lint` names them schema-<keyword>."""
    from genspec.diagnostics import schema_rule_id
    from genspec.keywords import CHECKED
    from genspec.rules import ADVICE_KEYWORD

    return sorted((schema_rule_id(name), name) for name in CHECKED if name != ADVICE_KEYWORD)


def _environment() -> jinja2.Environment:
    env = html_environment()
    env.filters["script_json"] = script_json
    return env


def _asset(name: str) -> str:
    return (resources.files("genspec") / "templates" / "site" / name).read_text(encoding="utf-8")


def render_site(request: Any, response: Any, spec: Path) -> dict[str, str]:
    """{path under generated/: text} for the two pages."""
    from genspec.diagnostics import KEY_ANCHORED, LINT_RULES, LintModel
    from genspec.js_package import render_js_package
    from genspec.openapi import ENDPOINT
    from genspec.spec import iter_rules

    # Evidence is read when present: a generic user schema may leave it out.
    rules = list(iter_rules(request))
    view = LintModel(request)
    triggers = _rule_triggers(request)
    examples = load_examples(spec)
    valid = [e for e in examples if e.kind == "valid"]
    failing = {rule.id: next((e for e in examples if rule.id in e.rules), None) for rule in rules}
    passing = {
        rule.id: _passing_example(
            triggers.get(rule.id, set()), [e for e in valid if rule.id not in e.rules]
        )
        for rule in rules
    }

    js = render_js_package(request, response)
    validator = classic_script(
        js["js/validate_request.mjs"], ("RULES", "ADVICE", "isValid", "validate"), "genspecRequest"
    ) + classic_script(js["js/json.mjs"], ("parseJson", "JsonSyntaxError"), "genspecJson")

    rule_data = {
        rule.id: {
            "severity": str(rule.severity),
            "evidence": str(rule.evidence) if rule.evidence else "",
            "message": rule.message,
        }
        for rule in [*rules, *LINT_RULES.values()]
    }
    data = {
        "rules": rule_data,
        "triggers": {rule_id: sorted(names) for rule_id, names in sorted(triggers.items())},
        "keyAnchored": sorted(KEY_ANCHORED),
        "rulesPage": RULES_PAGE,
        "members": _member_tree(view, view.root),
        "noEffect": _no_effect_pairs(view),
        "url": ENDPOINT.server + ENDPOINT.path,
        "examples": [
            {"name": e.name, "kind": e.kind, "text": e.text, "rules": list(e.rules)}
            for e in examples
        ],
    }
    env = _environment()
    header = "Generated by genspec from spec/: do not edit. Regenerate with `genspec generate`."
    return {
        f"{FOLDER}/{RULES_PAGE}": env.get_template("rules.html.jinja").render(
            header=header,
            rules=rules,
            lint_rules=list(LINT_RULES.values()),
            keyword_rules=schema_keyword_rules(),
            failing=failing,
            passing=passing,
            style=Markup(_asset("site.css")),
        ),
        f"{FOLDER}/index.html": env.get_template("index.html.jinja").render(
            header=header,
            data=data,
            gallery=list(enumerate(examples)),  # the index is the example's place in the data
            validator=inline_script(validator),
            playground=inline_script(_asset("playground.js")),
            style=Markup(_asset("site.css")),
        ),
    }

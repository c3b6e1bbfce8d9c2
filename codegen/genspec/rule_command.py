"""`genspec rule ID`: a rule's reference in the terminal (as `ruff rule`), and its link.

The rules are read from the request schema `genspec lint` uses (`--spec`, `[tool.genspec]
spec`, else the bundled Leonardo spec): its x-rules, genspec's own lint checks and the
`schema-<keyword>` ids of plain schema errors. `genspec rule` alone lists every id.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from genspec.rules import Rule


def add_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument("rule", nargs="?", metavar="ID", help="a rule id (none: list them all)")
    parser.add_argument(
        "--rules-url",
        metavar="URL",
        default=None,
        help="base of the rules reference to link to (default: [tool.genspec] rules-url, "
        "else the rules.html installed with genspec)",
    )
    parser.add_argument(
        "--isolated", action="store_true", help="ignore [tool.genspec] in pyproject.toml"
    )
    from genspec.user_spec import add_spec_argument

    add_spec_argument(parser)


def known_rules(args: argparse.Namespace) -> dict[str, Rule]:
    """Every rule id a finding of `genspec lint` can carry, with what is known about it."""
    from genspec.diagnostics import LINT_RULES
    from genspec.jsonio import load_file
    from genspec.rules import Rule, Severity
    from genspec.schema_command import schema_path
    from genspec.site import schema_keyword_rules
    from genspec.spec import iter_rules

    found: dict[str, Rule] = dict(LINT_RULES)
    for rule_id, keyword in schema_keyword_rules():
        summary = f"The value breaks the request schema's {keyword} constraint."
        found[rule_id] = Rule(rule_id, Severity.ERROR, summary)
    found.update((rule.id, rule) for rule in iter_rules(load_file(schema_path(args))))
    return found


def describe(rule: Rule, url: str) -> str:
    from genspec.render import printable

    kind = f"{rule.severity}, {rule.evidence}" if rule.evidence else str(rule.severity)
    lines = [f"{rule.id} ({kind})", "", rule.message]
    if rule.source:
        lines += ["", f"Source: {rule.source}"]
    if rule.reference:
        lines += ["", f"Reference: {rule.reference}"]
    lines += ["", f"More: {url}"]
    return "\n".join(printable(line) for line in lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from genspec.config import Config, ConfigError, load_config
    from genspec.diagnostics import closest_name
    from genspec.jsonio import JsonInputError
    from genspec.render import default_rules_base, printable, rules_url
    from genspec.user_spec import SpecSettingError

    try:
        config = Config() if args.isolated else load_config()
        rules = known_rules(args)
    except (ConfigError, SpecSettingError, JsonInputError, OSError) as exc:
        print(f"genspec rule: {printable(str(exc))}", file=sys.stderr)
        return 2
    base = args.rules_url or config.rules_url or default_rules_base()
    if args.rule is None:
        for rule in sorted(rules.values(), key=lambda r: r.id):
            print(printable(f"{rule.id} [{rule.severity}] {rule.message}"))
        return 0
    found = rules.get(args.rule)
    if found is None:
        guess = closest_name(args.rule, set(rules))
        hint = f"; did you mean {guess!r}?" if guess else " (`genspec rule` lists them)"
        print(f"genspec rule: no rule {printable(args.rule)!r}{hint}", file=sys.stderr)
        return 2
    sys.stdout.write(describe(found, rules_url(found.id, base)))
    return 0

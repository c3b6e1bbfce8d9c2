"""Renderers: diagnostics in, text out. One small class per output format, no checking here.

Every renderer streams: `add` writes one finding as it comes (nothing is kept but the rule ids
seen, for SARIF's rule table), `end` closes the document. All read the same `Diagnostic`s, so
`--format` never changes what is found, and every field of every format is escaped: a control
character in a file name, a key or a message never splits a line or reaches the terminal.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO, Protocol
from urllib.parse import quote

from genspec import __version__
from genspec.diagnostics import ERROR, Diagnostic
from genspec.rules import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def rules_page() -> Path:
    """The rules reference (generated/site/rules.html) as installed: package data of a wheel
    (genspec/_site), else the checkout's generated/site (an editable install)."""
    packaged = Path(__file__).resolve().parent / "_site" / "rules.html"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "generated" / "site" / "rules.html"


def default_rules_base() -> str:
    """Where a finding's rule links to without `--rules-url`/`rules-url`: the installed page,
    so the link opens on any machine genspec is installed on (a checkout or a plain pip
    install); a published copy of the site is named with `rules-url`."""
    return rules_page().as_uri()


# C0 and C1 controls, DEL, line/paragraph separators, bidirectional overrides: never printed raw.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control character written as a visible escape (`\\n`, `\\x1b`)."""
    return _UNPRINTABLE.sub(_escape_char, text)


@dataclass(frozen=True)
class Summary:
    files: int  # files (and standard input) read
    bodies: int  # request bodies checked (one a .json file, one a line of .jsonl)
    errors: int
    warnings: int


def summary_line(summary: Summary) -> str:
    checked = f"{summary.bodies} body(ies) in {summary.files} file(s)"
    if not summary.errors and not summary.warnings:
        return f"Checked {checked}: no problems found."
    return f"Found {summary.errors} error(s) and {summary.warnings} warning(s) in {checked}."


class Renderer(Protocol):
    def add(self, diagnostic: Diagnostic) -> None: ...
    def end(self, summary: Summary, rules: Mapping[str, Rule]) -> None: ...


def _where(diagnostic: Diagnostic) -> str:
    """` (at /pointer)`, or nothing for a diagnostic about the whole file or body."""
    return f" (at {diagnostic.instance_path})" if diagnostic.instance_path else ""


def text_line(d: Diagnostic, link: str | None = None) -> str:
    """`path:line:col: RULE [severity] message (at /pointer)`, every field escaped; with `link`
    the rule id is an OSC 8 terminal hyperlink to it (terminals without them show the id)."""
    path = printable(d.path)
    place = f"{path}:{d.line}:{d.col}" if d.line >= 1 else path  # 0: the file was not read
    rule = printable(d.rule_id)
    if link is not None:  # OSC 8; an escape inside a configured URL never reaches the terminal
        rule = f"\x1b]8;;{printable(link)}\x1b\\{rule}\x1b]8;;\x1b\\"
    return f"{place}: {rule} {printable(f'[{d.severity}] {d.message}{_where(d)}')}"


class TextRenderer:
    """One line a finding, ruff-style, then the summary line (unless quiet). `links`: the rule
    ids are hyperlinks (for a terminal only: pipes and CI logs get plain text)."""

    def __init__(
        self,
        out: IO[str],
        *,
        quiet: bool = False,
        links: bool = False,
        rules_base: str | None = None,
    ) -> None:
        self.out, self.quiet, self.links = out, quiet, links
        self.rules_base = (rules_base or default_rules_base()) if links else ""

    def add(self, diagnostic: Diagnostic) -> None:
        link = rules_url(diagnostic.rule_id, self.rules_base) if self.links else None
        self.out.write(text_line(diagnostic, link) + "\n")

    def end(self, summary: Summary, rules: Mapping[str, Rule]) -> None:
        if not self.quiet:
            self.out.write(summary_line(summary) + "\n")


def json_record(d: Diagnostic, rules_base: str | None = None) -> dict[str, object]:
    """The stable record of the json and jsonl formats: the finding (genspec.spark's row has
    the same fields) and its rule's `url`."""
    return {
        "path": d.path,
        "line": d.line,
        "column": d.col,
        "rule": d.rule_id,
        "severity": d.severity,
        "message": d.message,
        "instance_path": d.instance_path,
        "url": rules_url(d.rule_id, rules_base or default_rules_base()),
    }


class JsonRenderer:
    """A JSON array of records, one a line; ASCII-only (controls escaped) for any pipe."""

    def __init__(self, out: IO[str], *, quiet: bool = False, rules_base: str | None = None):
        self.out, self.count = out, 0
        self.rules_base = rules_base or default_rules_base()

    def add(self, diagnostic: Diagnostic) -> None:
        record = json_record(diagnostic, self.rules_base)
        self.out.write(("[\n  " if not self.count else ",\n  ") + json.dumps(record))
        self.count += 1

    def end(self, summary: Summary, rules: Mapping[str, Rule]) -> None:
        self.out.write("\n]\n" if self.count else "[]\n")


class JsonLinesRenderer:
    """One JSON record a line, written as each finding comes: for streams and big runs."""

    def __init__(self, out: IO[str], *, quiet: bool = False, rules_base: str | None = None):
        self.out, self.rules_base = out, rules_base or default_rules_base()

    def add(self, diagnostic: Diagnostic) -> None:
        self.out.write(json.dumps(json_record(diagnostic, self.rules_base)) + "\n")

    def end(self, summary: Summary, rules: Mapping[str, Rule]) -> None:
        pass


@functools.lru_cache(maxsize=256)  # one file's findings come together: its URI is made once
def _artifact_uri(path: str) -> str:
    """A SARIF `uri`: relative paths stay relative (with /), absolute ones become file: URIs."""
    pure = PurePath(path)
    # surrogateescape: a file name that is not UTF-8 keeps its original bytes, percent-encoded
    encoded = quote(pure.as_posix(), errors="surrogateescape")
    return f"file://{encoded}" if pure.is_absolute() else encoded


@functools.lru_cache(maxsize=1024)  # a few dozen ids, one URL each: not quoted per finding
def rules_url(rule_id: str, base: str) -> str:
    """The rule's anchor in the rules reference at `base` (rules.html: one anchor per id)."""
    return f"{base}#{quote(rule_id)}"


def sarif_rule(rule_id: str, info: Rule | None, base: str) -> dict[str, object]:
    rule: dict[str, object] = {"id": rule_id, "helpUri": rules_url(rule_id, base)}
    if info is not None:
        rule["shortDescription"] = {"text": info.message}
        rule["defaultConfiguration"] = {"level": info.severity}
        help_lines = [info.message]
        if info.evidence:
            help_lines.append(f"Evidence: {info.evidence}.")
        if info.source:
            help_lines.append(f"Source: {info.source}")
        if info.reference:
            help_lines.append(f"Reference: {info.reference}")
        rule["fullDescription"] = {"text": info.message}
        rule["help"] = {"text": "\n".join(help_lines)}
        properties: dict[str, object] = {}
        if info.evidence:
            properties["evidence"] = info.evidence
        if info.reference:
            properties["reference"] = info.reference
        if properties:
            rule["properties"] = properties
    return rule


def _sarif_result(diagnostic: Diagnostic, rule_index: int) -> dict[str, object]:
    physical: dict[str, object] = {"artifactLocation": {"uri": _artifact_uri(diagnostic.path)}}
    if diagnostic.line >= 1:
        physical["region"] = {"startLine": diagnostic.line, "startColumn": max(diagnostic.col, 1)}
    location: dict[str, object] = {"physicalLocation": physical}
    if diagnostic.instance_path:
        location["logicalLocations"] = [
            {"fullyQualifiedName": diagnostic.instance_path, "kind": "member"}
        ]
    return {
        "ruleId": diagnostic.rule_id,
        "ruleIndex": rule_index,
        "level": diagnostic.severity,
        "message": {"text": diagnostic.message},
        "locations": [location],
    }


class SarifRenderer:
    """A SARIF 2.1.0 log with one run. Results are written as they come; the rule table (which
    needs every rule id seen) follows them, as JSON members may come in any order."""

    def __init__(self, out: IO[str], *, quiet: bool = False, rules_base: str | None = None):
        self.out, self.rules_base = out, rules_base or default_rules_base()
        self.index: dict[str, int] = {}

    def add(self, diagnostic: Diagnostic) -> None:
        if not self.index:
            self.out.write(f'{{"$schema": "{SARIF_SCHEMA}", "version": "2.1.0", "runs": [{{')
            self.out.write('"columnKind": "unicodeCodePoints", "results": [\n')
        else:
            self.out.write(",\n")
        position = self.index.setdefault(diagnostic.rule_id, len(self.index))
        self.out.write(json.dumps(_sarif_result(diagnostic, position)))

    def end(self, summary: Summary, rules: Mapping[str, Rule]) -> None:
        if not self.index:
            self.out.write(f'{{"$schema": "{SARIF_SCHEMA}", "version": "2.1.0", "runs": [{{')
            self.out.write('"columnKind": "unicodeCodePoints", "results": [\n')
        driver = {
            "name": "genspec",
            "version": __version__,
            "rules": [sarif_rule(r, rules.get(r), self.rules_base) for r in self.index],
        }
        properties = {"files": summary.files, "bodies": summary.bodies}
        self.out.write(f'\n], "tool": {{"driver": {json.dumps(driver)}}}, ')
        self.out.write(f'"properties": {json.dumps(properties)}}}]}}\n')


def _escape_data(text: str) -> str:
    # GitHub's workflow-command encoding: these three would end or corrupt the command; every
    # other control character is shown as an escape, as in the text format.
    encoded = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(encoded)


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubRenderer:
    """GitHub Actions annotations: `::error file=...,line=...,col=...,title=RULE::message`.
    With a published `rules_base` the message ends with the rule's link; a file on the runner
    (the default base) would mean nothing in GitHub's page, so none is added then."""

    def __init__(self, out: IO[str], *, quiet: bool = False, rules_base: str | None = None):
        self.out, self.rules_base = out, rules_base

    def add(self, d: Diagnostic) -> None:
        properties = [f"file={_escape_property(d.path)}"]
        if d.line >= 1:
            properties += [f"line={d.line}", f"col={d.col}"]
        properties.append(f"title={_escape_property(d.rule_id)}")
        see = f" See {rules_url(d.rule_id, self.rules_base)}" if self.rules_base else ""
        message = _escape_data(f"{d.message}{_where(d)}{see}")
        self.out.write(f"::{printable(d.severity)} {','.join(properties)}::{message}\n")

    def end(self, summary: Summary, rules: Mapping[str, Rule]) -> None:
        pass


RENDERERS: dict[str, Callable[..., Renderer]] = {
    "text": TextRenderer,
    "json": JsonRenderer,
    "jsonl": JsonLinesRenderer,
    "sarif": SarifRenderer,
    "github": GithubRenderer,
}


def render(
    name: str,
    diagnostics: Iterable[Diagnostic],
    rules: Mapping[str, Rule],
    summary: Summary | None = None,
    **options: object,
) -> str:
    """The whole output of one format as a string (tests, and callers without a stream)."""
    import io

    out = io.StringIO()
    renderer = RENDERERS[name](out, **options)
    items = list(diagnostics)
    for diagnostic in items:
        renderer.add(diagnostic)
    if summary is None:
        errors = sum(d.severity == ERROR for d in items)
        summary = Summary(len({d.path for d in items}), 0, errors, len(items) - errors)
    renderer.end(summary, rules)
    return out.getvalue()

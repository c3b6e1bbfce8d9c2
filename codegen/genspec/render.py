"""Renderers: diagnostics in, text out. One small function per output format, no checking here.

All of them read the same `Diagnostic` list, so `--format` never changes what is found.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePath
from urllib.parse import quote

from genspec import __version__
from genspec.diagnostics import ERROR, Diagnostic
from genspec.rules import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _where(diagnostic: Diagnostic) -> str:
    """` (at /pointer)`, or nothing for a diagnostic about the whole file or body."""
    return f" (at {diagnostic.instance_path})" if diagnostic.instance_path else ""


def _text_line(d: Diagnostic) -> str:
    place = f"{d.path}:{d.line}:{d.col}" if d.line >= 1 else d.path  # 0: the file was not read
    return f"{place}: {d.rule_id} [{d.severity}] {d.message}{_where(d)}"


def render_text(diagnostics: Sequence[Diagnostic], rules: Mapping[str, Rule]) -> str:
    """`path:line:col: RULE [severity] message (at /pointer)`, one a line, ruff-style."""
    lines = [_text_line(d) for d in diagnostics]
    if diagnostics:
        errors = sum(d.severity == ERROR for d in diagnostics)
        warnings = len(diagnostics) - errors
        files = len({d.path for d in diagnostics})
        lines.append(f"Found {errors} error(s) and {warnings} warning(s) in {files} file(s).")
    return "".join(f"{line}\n" for line in lines)


def render_json(diagnostics: Sequence[Diagnostic], rules: Mapping[str, Rule]) -> str:
    """A JSON array of objects with stable keys; ASCII-only so any pipe can carry it."""
    records = [
        {
            "path": d.path,
            "line": d.line,
            "column": d.col,
            "rule": d.rule_id,
            "severity": d.severity,
            "message": d.message,
            "instance_path": d.instance_path,
        }
        for d in diagnostics
    ]
    return json.dumps(records, indent=2) + "\n"


def _artifact_uri(path: str) -> str:
    """A SARIF `uri`: relative paths stay relative (with /), absolute ones become file: URIs."""
    pure = PurePath(path)
    # surrogateescape: a file name that is not UTF-8 keeps its original bytes, percent-encoded
    encoded = quote(pure.as_posix(), errors="surrogateescape")
    return f"file://{encoded}" if pure.is_absolute() else encoded


def _sarif_rule(rule_id: str, info: Rule | None) -> dict[str, object]:
    rule: dict[str, object] = {"id": rule_id}
    if info is not None:
        rule["shortDescription"] = {"text": info.message}
        rule["defaultConfiguration"] = {"level": info.severity}
        if info.reference.startswith(("http://", "https://")):
            rule["helpUri"] = info.reference
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


def render_sarif(diagnostics: Sequence[Diagnostic], rules: Mapping[str, Rule]) -> str:
    """A SARIF 2.1.0 log with one run; `rules` describes every rule id that occurs."""
    rule_ids = sorted({d.rule_id for d in diagnostics})
    index = {rule_id: position for position, rule_id in enumerate(rule_ids)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "genspec",
                        "version": __version__,
                        "rules": [_sarif_rule(r, rules.get(r)) for r in rule_ids],
                    }
                },
                "results": [_sarif_result(d, index[d.rule_id]) for d in diagnostics],
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _escape_data(text: str) -> str:
    # GitHub's workflow-command encoding: these three would end or corrupt the command.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Sequence[Diagnostic], rules: Mapping[str, Rule]) -> str:
    """GitHub Actions annotations: `::error file=...,line=...,col=...,title=RULE::message`."""
    lines = []
    for d in diagnostics:
        properties = [f"file={_escape_property(d.path)}"]
        if d.line >= 1:
            properties += [f"line={d.line}", f"col={d.col}"]
        properties.append(f"title={_escape_property(d.rule_id)}")
        message = _escape_data(f"{d.message}{_where(d)}")
        lines.append(f"::{d.severity} {','.join(properties)}::{message}\n")
    return "".join(lines)


Renderer = Callable[[Sequence[Diagnostic], Mapping[str, Rule]], str]

RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
}

"""The rule model: one documented rule (`x-rule`), and the one reader of that annotation.

An `x-rule` annotation on a subschema says that failing it breaks a rule written somewhere:
`{"id", "severity": "error"|"warning", "message", "source", "reference", "evidence"}`, where
`evidence` says what the rule rests on (a quoted server rejection, a documented requirement,
or advice-worded documentation, the last for warnings only). The compiler, the spec tooling,
the linter's rule catalogue and the renderers all use `Rule`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

RULE_KEYWORD = "x-rule"
# Root-only: subschemas of advice, each a warning x-rule applied to the root instance. Standard
# validators ignore it (an `x-` annotation); genspec reports its failures as warnings only.
ADVICE_KEYWORD = "x-advice"


class Severity(StrEnum):
    ERROR = "error"  # the API rejects the request
    WARNING = "warning"  # accepted, but probably not what the caller meant


class Evidence(StrEnum):
    SERVER_REJECTION = "server-rejection"  # `source` quotes the server's error text
    DOCUMENTED_REQUIREMENT = "documented-requirement"  # a "must"/"requires" sentence
    DOCUMENTED_ADVICE = "documented-advice"  # advice-worded documentation (warnings only)


@dataclass(frozen=True)
class Rule:
    """One documented rule: a stable id, how bad breaking it is, what to do, where it is written.

    `schema_path` is the JSON Pointer of the subschema carrying the annotation ("" when the
    rule does not come from a schema, e.g. genspec's own lint checks).
    """

    id: str
    severity: Severity
    message: str
    source: str = ""
    reference: str = ""
    evidence: Evidence | None = None
    schema_path: str = ""


class RuleAnnotationError(ValueError):
    """An `x-rule` annotation that is not well formed; the message says what is wrong."""


_FIELDS = ("id", "severity", "message", "source", "reference", "evidence")


def read_rule(value: Any, schema_path: str = "", *, require_evidence: bool = False) -> Rule:
    """The Rule an `x-rule` annotation states; RuleAnnotationError when it is malformed."""
    if not isinstance(value, dict):
        raise RuleAnnotationError("x-rule must be an object")
    unknown = sorted(set(value) - set(_FIELDS))
    if unknown:
        raise RuleAnnotationError(f"x-rule has unknown field(s) {', '.join(map(repr, unknown))}")
    for name in ("id", "severity", "message"):
        if not isinstance(value.get(name), str) or not value[name]:
            raise RuleAnnotationError(f"x-rule needs a non-empty string {name!r}")
    for name in ("source", "reference"):
        if not isinstance(value.get(name, ""), str):
            raise RuleAnnotationError(f"x-rule {name!r} must be a string")
    try:
        severity = Severity(value["severity"])
    except ValueError:
        raise RuleAnnotationError("x-rule severity must be 'error' or 'warning'") from None
    evidence = _read_evidence(value.get("evidence"), severity, require_evidence)
    return Rule(
        id=value["id"],
        severity=severity,
        message=value["message"],
        source=value.get("source", ""),
        reference=value.get("reference", ""),
        evidence=evidence,
        schema_path=schema_path,
    )


def _read_evidence(value: Any, severity: Severity, required: bool) -> Evidence | None:
    if value is None:
        if required:
            raise RuleAnnotationError("x-rule needs 'evidence'")
        return None
    try:
        evidence = Evidence(value)
    except ValueError:
        allowed = ", ".join(repr(e.value) for e in Evidence)
        raise RuleAnnotationError(f"x-rule evidence must be one of {allowed}") from None
    if evidence is Evidence.DOCUMENTED_ADVICE and severity is not Severity.WARNING:
        raise RuleAnnotationError("evidence 'documented-advice' is only for warning rules")
    return evidence


def same_rule(left: Rule, right: Rule) -> bool:
    """Whether two annotations state the same rule (wherever each is written)."""
    return left == replace(right, schema_path=left.schema_path)


def rules_table(rules: Iterable[Rule]) -> dict[str, dict[str, str]]:
    """The RULES table every generated validator exports (id -> severity, message, source,
    reference, and evidence where the rule states it)."""
    return {
        rule.id: {
            "severity": str(rule.severity),
            "message": rule.message,
            "source": rule.source,
            "reference": rule.reference,
            **({"evidence": str(rule.evidence)} if rule.evidence else {}),
        }
        for rule in rules
    }

"""Schema patterns (Python `re` meaning, as python-jsonschema runs them) as ECMAScript `u` regexes.

The translation keeps Python's meaning where the two dialects differ on the same text:
`$` also matches before one final newline, `.` excludes only `\\n`, and `\\d`, `\\w`, `\\s` are
Unicode classes. What has no faithful ECMAScript form (`\\b`, `\\D`/`\\W`/`\\S` inside a class) is
refused; everything else is then compiled by node with the `u` flag at compile time, and what
ECMAScript cannot compile is refused too, so no generated module can throw while loading.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache

from genspec.ir import SchemaError

# Python's `\s` for str patterns: exactly the characters `str.isspace()` accepts.
_SPACE = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
_WORD = "\\p{L}\\p{N}_"
_OUTSIDE = {
    "d": "\\p{Nd}",
    "D": "\\P{Nd}",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
    "A": "^",
    "Z": "$",
}
_INSIDE = {"d": "\\p{Nd}", "w": _WORD, "s": _SPACE}


class PatternError(ValueError):
    """A Python pattern with no ECMAScript equivalent."""


def translate(pattern: str) -> str:
    """The ECMAScript (`u` flag) source matching exactly what Python's `re.search` matches."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            i += 2
            if escaped in "bB":
                if in_class and escaped == "b":
                    out.append("\\x08")  # inside a class \b is backspace in both dialects
                    continue
                raise PatternError("Python's Unicode word boundary \\b has no ECMAScript form")
            table = _INSIDE if in_class else _OUTSIDE
            if escaped in table:
                out.append(table[escaped])
            elif in_class and escaped in "DWS":
                raise PatternError(f"\\{escaped} inside a character class has no ECMAScript form")
            else:
                out.append("\\" + escaped)
            continue
        if in_class:
            if char == "]" and out and out[-1] in ("[", "[^"):
                out.append("\\]")  # a leading ] is a member in Python
                i += 1
                continue
            if char == "]":
                in_class = False
            elif char == "[":
                out.append("\\[")  # a literal in Python, a syntax error in a `u` class
                i += 1
                continue
            out.append(char)
        elif char == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 1
            else:
                out.append("[")
        elif char == "$":
            out.append("(?=\\n?$)")  # Python's $ also matches before a final newline
        elif char == ".":
            out.append("[^\\n]")  # Python's . excludes only \n; ECMAScript's also \r, U+2028/9
        else:
            out.append(char)
        i += 1
    return "".join(out)


_CHECK = (
    "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const bad={};"
    "for(const p of JSON.parse(s)){try{new RegExp(p,'u')}catch(e){bad[p]=e.message}}"
    "process.stdout.write(JSON.stringify(bad))})"
)


class NodeUnavailable(Exception):
    """The JavaScript target needs node and cannot run it: one line for the user, exit 2."""


@cache
def _ecmascript_failures(sources: tuple[str, ...]) -> dict[str, str]:
    if not sources:
        return {}
    node = shutil.which("node")
    if node is None:
        raise NodeUnavailable(
            "the JavaScript target needs node (Node.js 18+) on PATH to check the schema's "
            "patterns, and there is none: install Node.js"
        )
    try:
        result = subprocess.run(
            [node, "-e", _CHECK],
            input=json.dumps(list(sources)),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NodeUnavailable(f"could not run {node} to check the patterns: {exc}") from None
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise NodeUnavailable(f"{node} could not check the patterns: {detail}")
    failures: dict[str, str] = json.loads(result.stdout)
    return failures


def check_patterns(patterns: dict[str, tuple[str, str]]) -> dict[str, str]:
    """{Python pattern: ECMAScript source}; raises SchemaError naming the first one refused,
    NodeUnavailable when node is needed (any pattern) and cannot be run.

    `patterns` maps each pattern to (schema location, keyword) for the message.
    """
    translated: dict[str, str] = {}
    for pattern, (location, keyword) in patterns.items():
        try:
            translated[pattern] = translate(pattern)
        except PatternError as exc:
            message = f"pattern {pattern!r} cannot be run by ECMAScript: {exc}"
            raise SchemaError(location, message, keyword) from None
    failures = _ecmascript_failures(tuple(sorted(set(translated.values()))))
    for pattern, source in translated.items():
        if source in failures:
            location, keyword = patterns[pattern]
            message = f"pattern {pattern!r} cannot be run by ECMAScript: {failures[source]}"
            raise SchemaError(location, message, keyword)
    return translated

"""`$ref` resolution: which subschema a reference names.

`SchemaIndex` walks a schema document once (iteratively, so depth costs no stack) and records
every subschema by its location (a JSON Pointer; `URI#/...` inside other documents), the base
URI in effect there (embedded `$id`s rebase), the resources (`$id`s) and the `$anchor`s. A
reference is joined with its base URI (RFC 3986), then its fragment is either a JSON Pointer
from the resource's root or an anchor name. Other documents are known only through the
`registry` the caller passes (nothing is ever fetched); each is walked when first referenced.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from genspec import keywords, pointer

_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class RefError(ValueError):
    """A reference or identifier that cannot be resolved; names the keyword and location."""

    def __init__(self, location: str, keyword: str, message: str) -> None:
        self.location = location
        self.keyword = keyword
        self.reason = message
        super().__init__(f"{keyword} at {location or '/'!r}: {message}")


@dataclass(frozen=True)
class Place:
    """One subschema: its value, the base URI in effect, and its enclosing subschema."""

    schema: Any
    base: str
    parent: str | None  # location of the subschema holding this one (None: a document root)


def join_uri(base: str, reference: str) -> str:
    """`reference` resolved against `base` (a fragment-only reference keeps base's document)."""
    if reference.startswith("#"):
        return urldefrag(base)[0] + reference
    if _ABSOLUTE_URI.match(reference):
        return reference
    return urljoin(base, reference)


class SchemaIndex:
    """Every subschema of a document, its resources and anchors; resolves `$ref`s.

    `on_place(location, place)` is called for each subschema as it is indexed, parents before
    children (also for documents from the registry, indexed on first reference).
    """

    def __init__(
        self,
        document: Any,
        registry: dict[str, Any] | None = None,
        on_place: Callable[[str, Place], None] | None = None,
    ) -> None:
        self.registry = {urldefrag(uri)[0]: doc for uri, doc in (registry or {}).items()}
        self.places: dict[str, Place] = {}
        self.resources: dict[str, str] = {}  # absolute URI -> location of its root
        self.anchors: dict[str, str] = {}  # URI#anchor -> location
        self._on_place = on_place
        self._index(document, "", "")

    def _index(self, document: Any, root: str, base: str) -> None:
        self.resources.setdefault(base, root)
        stack: list[tuple[Any, str, str, str | None]] = [(document, root, base, None)]
        while stack:
            schema, location, base, parent = stack.pop()
            if isinstance(schema, dict):
                base = self._identify(schema, location, base)
            place = Place(schema, base, parent)
            self.places[location] = place
            if self._on_place is not None:
                self._on_place(location, place)
            if isinstance(schema, dict):
                children = [
                    (sub, pointer.join(location, *(t for t in (kw, token) if t is not None)))
                    for kw, token, sub in keywords.subschemas(schema)
                ]
                stack.extend((sub, at, base, location) for sub, at in reversed(children))

    def _identify(self, schema: dict[str, Any], location: str, base: str) -> str:
        """Record `schema`'s `$id` and `$anchor`; returns the base URI inside it."""
        if isinstance(schema.get("$id"), str):
            base = urldefrag(join_uri(base, schema["$id"]))[0]
            first = self.resources.get(base)
            if first is not None and first != location:
                message = f"$id {schema['$id']!r} is also the $id of {first or '/'!r}"
                raise RefError(pointer.join(location, "$id"), "$id", message)
            self.resources[base] = location
        if isinstance(schema.get("$anchor"), str):
            anchor = f"{base}#{schema['$anchor']}"
            first = self.anchors.get(anchor)
            if first is not None and first != location:
                message = f"$anchor {schema['$anchor']!r} is also the $anchor of {first or '/'!r}"
                raise RefError(pointer.join(location, "$anchor"), "$anchor", message)
            self.anchors[anchor] = location
        return base

    def resolve(self, reference: str, base: str, location: str) -> str:
        """The location of the subschema `reference` names; `location` is the `$ref`'s own."""
        uri, fragment = urldefrag(join_uri(base, reference))
        if uri not in self.resources and uri in self.registry:
            self._index(self.registry[uri], f"{uri}#", uri)
        if uri not in self.resources:
            message = f"remote reference {reference!r} (outside this document) is not supported"
            raise RefError(location, "$ref", message)
        if fragment and not fragment.startswith("/"):
            target = self.anchors.get(f"{uri}#{fragment}")
            if target is None:
                raise RefError(location, "$ref", f"no $anchor {fragment!r} for {reference!r}")
            return target
        target = self.resources[uri] + unquote(fragment)
        if target not in self.places:
            raise RefError(location, "$ref", f"$ref {reference!r} does not point at a subschema")
        return target

    def referenced(self, schema: Any) -> Any:
        """The subschema `schema`'s own `$ref` names, resolved against the document's base
        (the spec's case: no embedded `$id`); None without a `$ref` or when it names nothing."""
        if not isinstance(schema, dict) or not isinstance(schema.get("$ref"), str):
            return None
        try:
            return self.places[self.resolve(schema["$ref"], "", "")].schema
        except RefError:
            return None

    def follow(self, schema: Any) -> Any:
        """`schema` with `$ref`s followed until a subschema without one (or a loop)."""
        seen: set[int] = set()
        while (target := self.referenced(schema)) is not None and id(target) not in seen:
            seen.add(id(target))
            schema = target
        return schema

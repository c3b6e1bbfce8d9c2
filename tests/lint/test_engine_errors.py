"""The engine asks a genspec-compiled module for its constraint errors alone when no warning is
wanted, and falls back to `validate(x)` for a module without the `advice` parameter."""

from __future__ import annotations

from typing import Any

from genspec.check import Engine


class Compiled:
    """A stand-in module that records how validate was called."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def validate(self, instance: Any, *, advice: bool = True) -> list[str]:
        self.calls.append({"advice": advice})
        return ["error"] if advice else []


class Plain:
    def __init__(self) -> None:
        self.calls = 0

    def validate(self, instance: Any) -> list[str]:
        self.calls += 1
        return []


def test_errors_skip_the_advice_of_a_module_that_can() -> None:
    module = Compiled()
    engine = Engine(module, lambda: None, timeout=30)
    assert engine.errors({}) == []
    assert module.calls == [{"advice": False}]
    assert engine.validate({}) == ["error"]  # lint keeps asking for everything


def test_errors_fall_back_to_validate_for_a_module_without_advice() -> None:
    module = Plain()
    engine = Engine(module, lambda: None, timeout=30)
    assert engine.errors({}) == []
    assert module.calls == 1

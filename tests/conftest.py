"""Hypothesis profiles for the property suite.

`ci` (the default): bounded and derandomized, so CI runs are quick and reproducible.
`deep`: hundreds of thousands of examples per property, for a developer or a nightly job.
Pick one with `GENSPEC_HYPOTHESIS_PROFILE=deep` or hypothesis' own `--hypothesis-profile deep`
(the option wins: hypothesis' plugin loads it after this file).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

PROFILE_VARIABLE = "GENSPEC_HYPOTHESIS_PROFILE"

settings.register_profile(
    "ci",
    max_examples=100,
    derandomize=True,
    deadline=None,
    print_blob=True,
)
settings.register_profile(
    "deep",
    max_examples=200_000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get(PROFILE_VARIABLE, "ci"))


def pytest_collection_modifyitems(config: object, items: list[pytest.Item]) -> None:
    # `deep` runs for hours by design: lift the per-test timeout CI relies on.
    if settings.default.max_examples > settings.get_profile("ci").max_examples * 100:
        for item in items:
            item.add_marker(pytest.mark.timeout(0))

"""Hypothesis profiles: ``fast`` in ``make test``, ``fuzz`` (HYPOTHESIS_PROFILE=fuzz) in
``make fuzz``. Tests that are slow per example (a whole community each) scale with
``examples()`` instead of taking the profile's count."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"

settings.register_profile(
    "fast",
    max_examples=60,
    # The same examples on every run, so `make test` (and CI) cannot turn red by chance; the
    # fuzz profile explores at random.
    derandomize=True,
    deadline=None,  # parsers check their own time budget (CPU time, robust to a loaded machine)
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "fuzz",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile("fuzz" if FUZZ else "fast")


def examples(fast: int, fuzz: int) -> int:
    """How many examples a slow property runs under the current profile."""
    return fuzz if FUZZ else fast

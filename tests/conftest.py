"""Shared test configuration: hypothesis profiles and a guard that the global mpmath context is untouched.

Profiles: ``default`` (the everyday run) and ``ci-slow`` (used by the README's test command for the bounded
selection of ``@pytest.mark.slow`` tests: few examples each).
"""

import os

# one BLAS thread: the 2-core CI machine is much slower with oversubscribed OpenBLAS threads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import mpmath  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "default", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci-slow", max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default")


@pytest.fixture(autouse=True)
def _global_mpmath_context_untouched():
    """The library computes in private contexts; a test that leaks a change of mp.dps fails."""
    before = mpmath.mp.prec
    yield
    after = mpmath.mp.prec
    mpmath.mp.prec = 53
    assert before == after == 53, "global mpmath precision was changed"

r"""The user-facing kernel object: a description plus the interpreters that read it.

A :class:`Kernel` binds an immutable description (:mod:`symkernel.algebra`) to metadata (architecture,
depth, kind, conventions) and exposes every capability through the shared interpreters, so every
architecture gets every capability.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from .algebra import Node, inputs_of
from .errors import ParameterError, check_dps, check_int
from .interpret import exact as _exact
from .interpret import numeric as _numeric
from .interpret import series as _series
from .interpret.symbolic import symbolic

__all__ = ["Kernel"]

#: values of t within this distance outside [-1, 1] are clamped (rounding tolerance)
CLAMP_TOLERANCE = 1e-12


def _clamp_input(name: str, t: Any) -> Any:
    if isinstance(t, str):
        return t
    if isinstance(t, (bool, complex)) or not (
        isinstance(t, (int, float, sp.Basic)) or hasattr(t, "_mpf_")
    ):
        raise ParameterError(name, t, "a real number in [-1, 1]")
    x = float(t)
    if x != x or abs(x) > 1 + CLAMP_TOLERANCE:
        raise ParameterError(name, t, "a real number in [-1, 1]")
    if abs(x) > 1:
        return 1 if x > 0 else -1
    return t


@dataclass(frozen=True)
class Kernel:
    """A kernel of an infinitely wide network, described once and read by several interpreters.

    Attributes
    ----------
    node : Node
        The description (immutable expression graph).
    name : str
        Short human-readable name (for example ``"FC NTK, depth 3"``).
    info : dict
        Architecture, depth, kind and the conventions used (depth counting, normalisation, training).
    """

    node: Node
    name: str = "kernel"
    info: dict = field(default_factory=dict, compare=False)

    # ------------------------------------------------------------------ structure
    @property
    def inputs(self) -> tuple[str, ...]:
        """Names of the inputs (``("t",)`` for a dot-product kernel)."""
        return inputs_of(self.node)

    @cached_property
    def expr(self) -> sp.Expr:
        """Exact SymPy expression, the arc-cosine recursion written out with ``acos`` and ``sqrt``."""
        return symbolic(self.node, compact=False)

    @cached_property
    def expr_compact(self) -> sp.Expr:
        r"""Exact SymPy expression with :math:`\kappa_n` kept as the function ``ArcCosKernel(n, ·)``."""
        return symbolic(self.node, compact=True)

    @cached_property
    def diagonal(self) -> sp.Expr:
        """Exact value :math:`K(1)` (all inputs equal to 1)."""
        return _numeric.values_at_one(self.node)[id(self.node)]

    # ------------------------------------------------------------------ values
    def __call__(self, t: Any = None, dps: int = 15, *, theta: Any = None, **point: Any):
        """Value at ``t`` (or at the angle ``theta``), to ``dps`` significant digits (mpmath).

        ``t`` may be an exact SymPy number, a decimal string (``"0.3"`` is 3/10), a float (read through its
        shortest decimal representation) or an mpf (read exactly).  Multi-input kernels take keyword
        arguments ``t_0=..., t_1=...``.
        """
        dps = check_dps(dps)
        names = self.inputs
        if theta is not None:
            if t is not None:
                raise ParameterError("theta", theta, "either t or theta, not both")
            if len(names) > 1:
                raise ParameterError("theta", theta, "a single angle for a dot-product kernel")
            try:
                return _numeric.evaluate(self.node, {}, dps, angles={names[0] if names else "t": theta})
            except ParameterError as exc:
                raise ParameterError("theta", theta, exc.allowed) from None
        if t is not None:
            if len(names) > 1:
                raise ParameterError("t", t, f"keyword values for the inputs {names}")
            point = {names[0] if names else "t": t}
        missing = [n for n in names if n not in point]
        if missing:
            raise ParameterError(missing[0], None, "a value in [-1, 1] (missing)")
        point = {k: _clamp_input(k, v) for k, v in point.items()}
        return _numeric.evaluate(self.node, point, dps)

    def numpy(self, t: Any = None, *, theta: Any = None, defect: bool = False):
        """Vectorised float64 values at ``t`` (array) or at angles ``theta`` (preferred near ±1)."""
        name = self.inputs[0] if self.inputs else "t"
        if theta is not None:
            return _numeric.evaluate_numpy(self.node, angles={name: np.asarray(theta)}, defect=defect)
        return _numeric.evaluate_numpy(self.node, {name: np.asarray(t)}, defect=defect)

    # ------------------------------------------------------------------ series
    def coefficients(self, N: int, dps: int = 30, progress=None, backend: str = "fixed") -> list[mpmath.mpf]:
        """Maclaurin coefficients :math:`b_0..b_{N-1}` of :math:`K(t) = \\sum_n b_n t^n`, each to ``dps``
        significant digits.

        ``backend="fixed"`` (default): fixed-point Kronecker products, the digits checked by a second run at
        higher precision (:mod:`symkernel.interpret.series`); ``backend="flint"``: python-flint Arb balls,
        rigorous (:mod:`symkernel.interpret.series_flint`; needs the ``fast`` extra).
        """
        if backend == "fixed":
            return _series.coefficients(self.node, N, dps, progress=progress)
        if backend == "flint":
            from .interpret import series_flint

            if not series_flint.available():
                raise ParameterError("backend", backend,
                                     "python-flint installed (pip install symkernel[fast])")
            return series_flint.coefficients_flint(self.node, N, dps)
        raise ParameterError("backend", backend, "'fixed' or 'flint'")

    def exact_coefficients(self, n: int, keep_constants: bool = False):
        """Exact :math:`b_0..b_{n-1}` as SymPy expressions (see :mod:`symkernel.interpret.exact`)."""
        n = check_int("n", n, 1, 200)
        return _exact.exact_coefficients(self.node, n, keep_constants=keep_constants)

    def __repr__(self) -> str:
        return f"Kernel({self.name!r})"

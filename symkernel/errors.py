"""Errors raised at the public boundary of symkernel.

Every error that a user can provoke with bad input is a :class:`ParameterError`: it names the parameter,
the value that was given and the allowed range, so that the command line can print it on one line.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any


class SymkernelError(Exception):
    """Base class of symkernel's own errors."""


class ParameterError(SymkernelError, ValueError):
    """A parameter outside its allowed range.

    Attributes
    ----------
    parameter : str
        Name of the offending parameter as the user wrote it (``depth``, ``dps``, ``t`` ...).
    value : object
        The value that was given.
    allowed : str
        Human-readable description of the allowed values.
    """

    def __init__(self, parameter: str, value: Any, allowed: str):
        self.parameter = parameter
        self.value = value
        self.allowed = allowed
        super().__init__(f"invalid {parameter}={value!r}: {allowed}")


class PrecisionError(SymkernelError, ArithmeticError):
    """The requested number of correct digits could not be certified."""


def check_int(name: str, value: Any, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` or raise :class:`ParameterError` naming ``name``."""
    lo = "-inf" if minimum is None else str(minimum)
    hi = "inf" if maximum is None else str(maximum)
    allowed = f"an integer in [{lo}, {hi}]"
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ParameterError(name, value, allowed)
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ParameterError(name, value, allowed)
    return value


def check_real(
    name: str,
    value: Any,
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    open_min: bool = False,
) -> Any:
    """Check that ``value`` is a real number (Python, SymPy or mpmath) in the given range."""
    import mpmath
    import sympy

    lo_br = "(" if open_min else "["
    allowed = f"a real number in {lo_br}{'-inf' if minimum is None else minimum}, " \
              f"{'inf' if maximum is None else maximum}]"
    if isinstance(value, bool):
        raise ParameterError(name, value, allowed)
    if isinstance(value, sympy.Basic):
        if not (value.is_number and value.is_real):
            raise ParameterError(name, value, allowed)
        x = float(value)
    elif isinstance(value, (Real, mpmath.mpf)) or hasattr(value, "_mpf_"):
        x = float(value)
    else:
        raise ParameterError(name, value, allowed)
    if x != x:
        raise ParameterError(name, value, allowed)
    if minimum is not None and (x < minimum or (open_min and x <= minimum)):
        raise ParameterError(name, value, allowed)
    if maximum is not None and x > maximum:
        raise ParameterError(name, value, allowed)
    return value


MIN_DPS = 5
MAX_DPS = 100_000


def check_dps(dps: Any) -> int:
    """Validate a requested number of decimal digits (``dps``)."""
    return check_int("dps", dps, MIN_DPS, MAX_DPS)

"""Parsing of numbers typed by users, without ``eval`` of arbitrary code.

Accepted: decimals (``0.3`` is exactly 3/10, ``1e-3`` is 1/1000), fractions ``p/q``, and arithmetic
expressions over the names ``pi``, ``sqrt``, ``exp``, ``log`` (for example ``1/sqrt(2)`` or ``pi/4``).  The
text is first checked against a whitelist of characters and names, and every decimal is rewritten as the
exact fraction it denotes; only then is it handed to SymPy's parser with an empty global namespace and a
local namespace holding exactly those names.  The expression is built unevaluated and evaluated bottom-up,
refusing powers and exponentials whose exact value would be astronomically large (``9**9**9``).

:func:`read_number` is the one entry for parameters that the command line gives as text and the Python API
as numbers or text (``gamma="1/2"`` and ``--gamma 1/2`` are read by the same function).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import sympy as sp
from sympy.parsing.sympy_parser import parse_expr, standard_transformations

from .errors import ParameterError

__all__ = ["parse_number", "read_number"]

_ALLOWED_NAMES = {"pi": sp.pi, "sqrt": sp.sqrt, "exp": sp.exp, "log": sp.log}
_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)|"
                    r"(\*\*|[-+*/^(),]))")
_SYNTAX = "written as a decimal, p/q, or an expression in pi, sqrt, exp, log"
#: largest decimal exponent of a literal (``1e1000``)
MAX_EXPONENT = 1000
#: largest absolute exponent of a power or an exponential (``2**10001``, ``exp(10001)`` are refused)
MAX_POWER = 10_000
#: largest number of decimal digits of an exact integer power built while parsing
MAX_DIGITS = 10_000


def _evaluate(expr: sp.Basic, name: str, text: str, allowed: str) -> sp.Basic:
    """Evaluate an unevaluated parse tree bottom-up, refusing powers of astronomical size."""
    if not expr.args:
        return expr
    args = [_evaluate(a, name, text, allowed) for a in expr.args]
    if isinstance(expr, sp.exp) or expr.is_Pow:
        base, power = (sp.E, args[0]) if isinstance(expr, sp.exp) else args
        if power.is_number and power.is_real and abs(float(sp.N(power, 15))) > MAX_POWER:
            raise ParameterError(name, text, f"{allowed} (exponent {power} too large)")
        if base.is_Rational and power.is_Rational and base not in (0, 1, -1):
            digits = abs(float(power)) * max(len(str(abs(base.p))), len(str(base.q)))
            if digits > MAX_DIGITS:
                raise ParameterError(name, text, f"{allowed} (about {digits:.0f} digits)")
    return expr.func(*args)


def parse_number(name: str, text: str, allowed: str | None = None) -> sp.Expr:
    """Parse ``text`` into an exact real SymPy number, or raise :class:`ParameterError` naming ``name``.

    ``allowed`` describes the parameter's range for the error message (the syntax accepted is appended).
    """
    allowed = f"{allowed}, {_SYNTAX}" if allowed else f"a real number: {_SYNTAX}"
    if not isinstance(text, str) or not text.strip() or len(text) > 200:
        raise ParameterError(name, text, allowed)
    pos = 0
    s = text.strip()
    pieces = []
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if not m or m.end() == pos:
            raise ParameterError(name, text, allowed)
        if m.group(2) is not None and m.group(2) not in _ALLOWED_NAMES:
            raise ParameterError(name, text, allowed)
        literal = m.group(1)
        if literal is not None and not literal.isdigit():
            mantissa, _, exponent = literal.lower().partition("e")
            if exponent and abs(int(exponent)) > MAX_EXPONENT:
                raise ParameterError(name, text, f"{allowed} (exponent {exponent} too large)")
            q = Fraction(literal)  # the exact value of the decimal
            literal = f"({q.numerator}/{q.denominator})"
        pieces.append(literal if literal is not None else m.group(0).strip())
        pos = m.end()
    try:
        tree = parse_expr(" ".join(pieces).replace("^", "**"), local_dict=dict(_ALLOWED_NAMES),
                          global_dict={"Integer": sp.Integer, "Rational": sp.Rational, "Symbol": sp.Symbol,
                                       "Add": sp.Add, "Mul": sp.Mul, "Pow": sp.Pow},
                          transformations=standard_transformations, evaluate=False)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's input
        raise ParameterError(name, text, allowed) from exc
    if not isinstance(tree, sp.Expr):
        raise ParameterError(name, text, allowed)
    try:
        value = _evaluate(tree, name, text, allowed)
    except ParameterError:
        raise
    except Exception as exc:  # noqa: BLE001 - arithmetic failures (1/0 ...) are the user's input
        raise ParameterError(name, text, allowed) from exc
    if not isinstance(value, sp.Expr) or not value.is_number or value.is_real is not True:
        raise ParameterError(name, text, allowed)
    return value


def read_number(name: str, value: Any, allowed: str | None = None) -> sp.Expr:
    """An exact real SymPy number from a user's value: text through :func:`parse_number`, numbers through
    :func:`symkernel.algebra.exact_number` (ints, fractions, SymPy numbers; floats by their shortest
    decimal, 0.1 is 1/10).  Raises :class:`ParameterError` naming ``name`` and, when given, ``allowed``.

    >>> read_number("gamma", "1/2"), read_number("gamma", 0.25), read_number("alpha", "1/sqrt(2)")
    (1/2, 1/4, sqrt(2)/2)
    """
    from .algebra import exact_number

    if isinstance(value, str):
        return parse_number(name, value, allowed)
    try:
        return exact_number(value, name)
    except ParameterError:
        if allowed is None:
            raise
        raise ParameterError(name, value, f"{allowed} (a number or a string such as '1/2')") from None

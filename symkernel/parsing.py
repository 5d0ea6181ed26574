"""Parsing of numbers typed by users, without ``eval`` of arbitrary code.

Accepted: decimals (``0.3`` is exactly 3/10), fractions ``p/q``, and arithmetic expressions over the names
``pi``, ``sqrt``, ``exp``, ``log`` (for example ``1/sqrt(2)`` or ``pi/4``).  The text is first checked
against a whitelist of characters and names; only then is it handed to SymPy's parser with an empty global
namespace and a local namespace holding exactly those names.
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.parsing.sympy_parser import parse_expr, standard_transformations

from .errors import ParameterError

__all__ = ["parse_number"]

_ALLOWED_NAMES = {"pi": sp.pi, "sqrt": sp.sqrt, "exp": sp.exp, "log": sp.log}
_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)|"
                    r"(\*\*|[-+*/^(),]))")


def parse_number(name: str, text: str) -> sp.Expr:
    """Parse ``text`` into an exact real SymPy number, or raise :class:`ParameterError` naming ``name``."""
    allowed = "a real number: decimal, p/q, or an expression in pi, sqrt, exp, log"
    if not isinstance(text, str) or not text.strip() or len(text) > 200:
        raise ParameterError(name, text, allowed)
    pos = 0
    s = text.strip()
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if not m or m.end() == pos:
            raise ParameterError(name, text, allowed)
        if m.group(2) is not None and m.group(2) not in _ALLOWED_NAMES:
            raise ParameterError(name, text, allowed)
        pos = m.end()
    try:
        value = parse_expr(s.replace("^", "**"), local_dict=dict(_ALLOWED_NAMES), global_dict={
            "Integer": sp.Integer, "Float": sp.Float, "Rational": sp.Rational, "Symbol": sp.Symbol},
            transformations=standard_transformations, evaluate=True)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's input
        raise ParameterError(name, text, allowed) from exc
    value = sp.nsimplify(value, rational=True) if isinstance(value, sp.Float) else value
    if not isinstance(value, sp.Expr) or not value.is_number or value.is_real is not True:
        raise ParameterError(name, text, allowed)
    if value.has(sp.Float):
        value = value.xreplace({f: sp.Rational(str(f)) for f in value.atoms(sp.Float)})
    return value

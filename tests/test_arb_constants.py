"""Arb balls of exact constants contain the constant (checked against SymPy's evalf at 60 digits)."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symkernel.interpret.symbolic import ArcCosKernel

flint = pytest.importorskip("flint")

from symkernel.interpret.arb_constants import arb_constant, excludes_zero  # noqa: E402

fractions = st.fractions(min_value="-19/20", max_value="19/20", max_denominator=50)


@st.composite
def nested_constants(draw, depth=3):
    e = sp.Rational(draw(fractions))
    for _ in range(draw(st.integers(1, depth))):
        n = draw(st.sampled_from([0, 1]))
        a = sp.Rational(draw(st.fractions(min_value=0, max_value=1, max_denominator=9)))
        e = ArcCosKernel(n, a * e + (1 - a) * sp.Rational(draw(fractions)) / 2)
        e = (e * sp.sqrt(2) / sp.pi + draw(st.sampled_from([sp.Integer(0), sp.exp(sp.Rational(-1, 3))]))) / 2
    return e


@settings(max_examples=40, deadline=None)
@given(e=nested_constants())
def test_ball_contains_the_constant(e):
    old = flint.ctx.prec
    flint.ctx.prec = 200
    try:
        ball = arb_constant(e)
        assert ball.is_finite() and ball.rad() < flint.arb(10) ** -50
        ref = flint.arb(str(sp.N(e, 80)))
        assert ball.overlaps(ref)
        assert (ball - ref).abs_upper() < flint.arb(10) ** -55
    finally:
        flint.ctx.prec = old


def test_shared_subexpressions_are_evaluated_once():
    e = ArcCosKernel(1, sp.Rational(-4, 5))
    for _ in range(30):  # 2^30 leaves as a tree; a DAG of 30 nodes
        e = ArcCosKernel(0, (e + ArcCosKernel(1, e / 2)) / 3) + e / 5
    ball = arb_constant(e)
    assert ball.is_finite()


def test_zero_tests():
    assert excludes_zero(ArcCosKernel(0, sp.Rational(-1, 3)) - sp.Rational(1, 3))
    x = ArcCosKernel(1, sp.Rational(1, 7))
    assert excludes_zero(x - x.rewrite(sp.acos)) is False
    assert not arb_constant(sp.acos(2)).is_finite()


@settings(max_examples=25, deadline=None)
@given(e=nested_constants(), dps=st.integers(5, 80))
def test_arb_number_has_the_requested_digits(e, dps):
    from symkernel.interpret.arb_constants import arb_number

    v = arb_number(e, dps)
    ref = sp.N(e, dps + 30)
    assert v is not None
    assert abs(sp.Float(v, dps + 30) - ref) <= abs(ref) * sp.Float(10) ** (-dps) + sp.Float(10) ** (-dps - 25)

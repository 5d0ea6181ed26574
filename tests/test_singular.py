"""Tests of the singular interpreter (Puiseux expansions at t = ±1, SPEC §8).

Independent twins: the closed forms derived by hand (κ_0, κ_1, the two-layer kernels, the depth-L
constants), the numeric kernel evaluated at t = ±(1 - s) at high precision (the residual of a
truncated expansion must be the next term), finite differences, and
symkernel.arccos.kappa_endpoint_expansion.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import mpmath
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symkernel.algebra import Const, Input, exp, kappa, kappa0, kappa1, sqrt
from symkernel.arccos import kappa_endpoint_expansion
from symkernel.errors import ParameterError
from symkernel.interpret.numeric import evaluate
from symkernel.interpret.singular import (
    S,
    SingularExpansionError,
    endpoint_coefficients,
    leading_singular_term,
    puiseux,
    singular_expansion,
    singular_terms,
)
from symkernel.interpret.symbolic import ArcCosKernel

t = Input("t")
PI = sp.pi
R2 = sp.sqrt(2)


def fc(depth: int, kind: str = "ntk", bias=0):
    """FC NNGP/NTK (SPEC §3, depth = number of hidden ReLU layers), optionally with bias std β
    (the neural-tangents convention of SPEC §3, written out independently of architectures/)."""
    b2 = sp.nsimplify(bias) ** 2
    if b2 == 0:
        s = th = t
        for _ in range(depth):
            s, th = kappa1(s), kappa1(s) + th * kappa0(s)
        return s if kind == "nngp" else th
    q, diag, th = t + b2, 1 + b2, t + b2
    for _ in range(depth):
        rho = q * (1 / diag)
        q, th = diag * kappa1(rho) + b2, diag * kappa1(rho) + b2 + th * kappa0(rho)
        diag = diag + b2
    return q if kind == "nngp" else th


def laplace(c=1):
    return exp(-sp.nsimplify(c) * sqrt(1 - t))


def _ctx(dps=90):
    ctx = mpmath.MPContext()
    ctx.dps = dps
    return ctx


def _residual_check(node, at, order, exponents=(6, 9, 12), dps=70):
    """Truncated expansion vs the numeric kernel at t = ±(1 - s): the residual is the next term."""
    exp_ = puiseux(node, at, order)
    q = exp_.ramification
    nxt = puiseux(node, at, sp.Rational(order) + 2)
    first = None
    for k in range(len(exp_.coefficients), len(nxt.coefficients)):
        if abs(nxt.numbers[k]) > mpmath.mpf(10) ** -60:
            first = k
            break
    ctx = _ctx()
    ratios = []
    for e in exponents:
        s_exact = sp.Rational(1, 10**e)
        val = ctx.convert(evaluate(node, {"t": at * (1 - s_exact)}, dps=dps))
        s = ctx.mpf(1) / 10**e
        approx = ctx.fsum(ctx.convert(c) * s ** (ctx.mpf(k) / q)
                          for k, c in enumerate(exp_.numbers))
        resid = val - approx
        if first is None:
            assert abs(resid) < ctx.mpf(10) ** (-dps + 5)
            continue
        predicted = ctx.convert(nxt.numbers[first]) * s ** (ctx.mpf(first) / q)
        ratios.append((s, resid / predicted - 1))
    for s, r in ratios:
        # the residual is the next term up to a relative O(s^{1/q})
        assert abs(r) < 100 * s ** (ctx.mpf(1) / q), (at, order, s, r)
    return exp_


# ------------------------------------------------------------------------------------------------
# arc-cosine kernels
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 1])
@pytest.mark.parametrize("at", [1, -1])
def test_endpoint_coefficients_match_arccos_module(n, at):
    mine = sum(c * S ** sp.Rational(k, 2) for k, c in enumerate(endpoint_coefficients(n, at, 4)))
    theirs = kappa_endpoint_expansion(n, at, 4)
    assert sp.expand(mine - theirs) == 0


@pytest.mark.parametrize("n", [0, 1, 2, 3])
@pytest.mark.parametrize("at", [1, -1])
def test_endpoint_coefficients_numeric(n, at):
    coeffs = endpoint_coefficients(n, at, 12)
    ctx = _ctx(90)
    for e in (4, 6):
        s = sp.Rational(1, 10**e)
        val = ctx.convert(evaluate(kappa(n, t), {"t": at * (1 - s)}, dps=80))
        approx = ctx.fsum(ctx.convert(sp.N(c, 90)) * ctx.mpf(s) ** (ctx.mpf(k) / 2)
                          for k, c in enumerate(coeffs))
        assert abs(val - approx) < 10 * ctx.mpf(s) ** 6.5


def test_kappa1_and_kappa0_closed_forms():
    assert sp.expand(singular_expansion(kappa1(t), 1, sp.Rational(5, 2))
                     - (1 - S + 2 * R2 / (3 * PI) * S ** sp.Rational(3, 2)
                        + R2 / (30 * PI) * S ** sp.Rational(5, 2))) == 0
    assert sp.expand(singular_expansion(kappa0(t), 1, sp.Rational(3, 2))
                     - (1 - R2 / PI * sp.sqrt(S) - R2 / (12 * PI) * S ** sp.Rational(3, 2))) == 0
    assert sp.expand(singular_expansion(kappa1(t), -1, sp.Rational(3, 2))
                     - 2 * R2 / (3 * PI) * S ** sp.Rational(3, 2)) == 0
    assert sp.expand(singular_expansion(kappa0(t), -1, sp.Rational(3, 2))
                     - (R2 / PI * sp.sqrt(S) + R2 / (12 * PI) * S ** sp.Rational(3, 2))) == 0
    assert leading_singular_term(kappa1(t), 1) == (2 * R2 / (3 * PI), sp.Rational(3, 2))
    assert leading_singular_term(kappa0(t), -1) == (R2 / PI, sp.Rational(1, 2))


def test_two_layer_kernels_by_hand():
    # NTK = κ1(t) + t κ0(t):  K(1-s) = 2 - √2/π s^½ - 2s + 19√2/(12π) s^{3/2} + ...
    ntk = fc(1)
    assert sp.expand(singular_expansion(ntk, 1, sp.Rational(3, 2))
                     - (2 - R2 / PI * sp.sqrt(S) - 2 * S
                        + 19 * R2 / (12 * PI) * S ** sp.Rational(3, 2))) == 0
    assert sp.expand(singular_expansion(ntk, -1, sp.Rational(3, 2))
                     - (-R2 / PI * sp.sqrt(S) + 19 * R2 / (12 * PI) * S ** sp.Rational(3, 2))) == 0
    # K(t) - K(-t) = 2t and κ1(t) - κ1(-t) = t: the singular parts at ±1 agree to every order
    for node, odd_part in ((ntk, 2 * (1 - S)), (fc(1, "nngp"), 1 - S)):
        plus = singular_expansion(node, 1, 5)
        minus = singular_expansion(node, -1, 5)
        assert sp.expand(plus - minus - odd_part) == 0


def _kappa1_iterates(ctx, count):
    """κ1^{∘j}(0), j = 0..count-1, in mpmath."""
    out, u = [], ctx.mpf(0)
    for _ in range(count):
        out.append(u)
        th = ctx.acos(u)
        u = (ctx.sin(th) + (ctx.pi - th) * ctx.cos(th)) / ctx.pi
    return out


@pytest.mark.parametrize("L", [1, 2, 3, 4, 5, 6])
def test_fc_constants_closed_forms(L):
    """c_+ = -L(L+1)/(√2 π) (NTK), 2√2 L/(3π) (NNGP); c_- = c_-(L=1) Π_{l<L} κ0(κ1^{∘(l-1)}(0))."""
    cp, nu = leading_singular_term(fc(L), 1)
    assert nu == sp.Rational(1, 2)
    assert sp.simplify(cp + L * (L + 1) / (R2 * PI)) == 0
    cp, nu = leading_singular_term(fc(L, "nngp"), 1)
    assert nu == sp.Rational(3, 2)
    assert sp.simplify(cp - 2 * R2 * L / (3 * PI)) == 0
    ctx = _ctx(50)
    prod = ctx.fprod(1 - ctx.acos(u) / ctx.pi for u in _kappa1_iterates(ctx, L - 1))
    for kind, c1, nu1 in (("ntk", -ctx.sqrt(2) / ctx.pi, sp.Rational(1, 2)),
                          ("nngp", 2 * ctx.sqrt(2) / (3 * ctx.pi), sp.Rational(3, 2))):
        cm, nu = leading_singular_term(fc(L, kind), -1)
        assert nu == nu1
        assert abs(ctx.convert(sp.N(cm, 50)) / (c1 * prod) - 1) < ctx.mpf(10) ** -40


def test_nested_constants_are_exact_arccos_values():
    cm, _ = leading_singular_term(fc(4), -1)
    k0 = ArcCosKernel(0, 1 / PI) * ArcCosKernel(0, ArcCosKernel(1, 1 / PI))
    assert sp.simplify(cm + R2 * k0 / (2 * PI)) == 0
    explicit, _ = leading_singular_term(fc(4), -1, compact=False)
    assert not explicit.has(ArcCosKernel)
    assert abs(sp.N(explicit - cm, 40)) < 1e-35


@pytest.mark.parametrize("L", [1, 2, 3, 5])
@pytest.mark.parametrize("kind", ["ntk", "nngp"])
def test_constants_match_finite_differences(L, kind):
    """(K(±(1-s)) - polynomial part)/s^ν → c_± as s → 0, with the numeric kernel at 80 digits."""
    node = fc(L, kind)
    ctx = _ctx(100)
    for at in (1, -1):
        c, nu = leading_singular_term(node, at)
        exp_ = puiseux(node, at, nu)
        poly = [(k, ctx.convert(x)) for k, x in enumerate(exp_.numbers) if k % 2 == 0]
        s = sp.Rational(1, 10**30)
        val = ctx.convert(evaluate(node, {"t": at * (1 - s)}, dps=90))
        sm = ctx.mpf(s)
        estimate = (val - ctx.fsum(a * sm ** (k // 2) for k, a in poly)) / sm ** ctx.mpf(nu)
        assert abs(estimate / ctx.convert(sp.N(c, 60)) - 1) < ctx.mpf(10) ** -12


def test_deep_ntk_cplus_grows_quadratically_with_depth():
    values = [leading_singular_term(fc(L), 1)[0] for L in range(1, 11)]
    for L, c in enumerate(values, start=1):
        assert sp.simplify(c / values[0] - sp.Rational(L * (L + 1), 2)) == 0


# ------------------------------------------------------------------------------------------------
# expansions against the numeric kernel
# ------------------------------------------------------------------------------------------------
KERNELS = {
    "ntk1": fc(1), "ntk2": fc(2), "ntk3": fc(3), "ntk4": fc(4),
    "nngp1": fc(1, "nngp"), "nngp2": fc(2, "nngp"), "nngp3": fc(3, "nngp"), "nngp4": fc(4, "nngp"),
    "laplace": laplace(1), "laplace3": laplace(3),
    "bias_ntk2": fc(2, "ntk", bias=sp.Rational(1, 2)), "bias_nngp2": fc(2, "nngp", bias=1),
    "kappa2": kappa(2, t), "kappa2_of_ntk_norm": kappa(2, fc(2) * sp.Rational(1, 3)),
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(KERNELS)), at=st.sampled_from([1, -1]),
       order=st.sampled_from([sp.Integer(1), sp.Rational(3, 2), sp.Integer(2),
                              sp.Rational(5, 2)]))
def test_expansion_residual_is_next_term(name, at, order):
    _residual_check(KERNELS[name], at, order)


@pytest.mark.parametrize("L", [1, 3])
def test_residual_shrinks_at_predicted_order(L):
    """Residual of the order-2 expansion of the NTK scales like s^{5/2} for s = 1e-6 .. 1e-12."""
    node = fc(L)
    ctx = _ctx()
    for at in (1, -1):
        e = puiseux(node, at, 2)
        res = []
        for k in (6, 8, 10, 12):
            s = sp.Rational(1, 10**k)
            val = ctx.convert(evaluate(node, {"t": at * (1 - s)}, dps=70))
            approx = ctx.fsum(ctx.convert(c) * ctx.mpf(s) ** (ctx.mpf(j) / 2)
                              for j, c in enumerate(e.numbers))
            res.append(abs(val - approx))
        for r0, r1 in zip(res, res[1:], strict=False):
            slope = ctx.log10(r0 / r1) / 2  # s shrinks 100x per step
            assert abs(slope - 2.5) < 0.01


def test_laplace_kernel():
    c = sp.Rational(3, 2)
    node = laplace(c)
    expected = sum((-c) ** k * S ** sp.Rational(k, 2) / sp.factorial(k) for k in range(7))
    assert sp.expand(singular_expansion(node, 1, 3) - expected) == 0
    assert leading_singular_term(node, 1) == (-c, sp.Rational(1, 2))
    minus = puiseux(node, -1, 3)
    assert minus.analytic
    assert minus.terms(singular_only=True) == []
    assert leading_singular_term(node, -1) == (0, None)
    assert minus.coefficients[0] == sp.exp(-c * R2)


def test_gaussian_kernel_is_analytic_at_both_ends():
    node = exp(-2 * (1 - t))
    for at in (1, -1):
        assert leading_singular_term(node, at) == (0, None)
        assert singular_terms(node, at) == []


def test_ramified_expansion():
    """κ1(κ0(t)) at t = 1 has a term s^{3/4} (the defect of κ0 vanishes like s^{1/2})."""
    node = kappa1(kappa0(t))
    e = _residual_check(node, 1, sp.Rational(3, 2), exponents=(8, 12, 16))
    assert e.ramification == 4
    c, nu = leading_singular_term(node, 1)
    assert nu == sp.Rational(1, 2)
    terms = dict(e.terms(singular_only=True))
    expected = 2 * R2 / (3 * PI) * (R2 / PI) ** sp.Rational(3, 2)
    assert sp.simplify(terms[sp.Rational(3, 4)] - expected) == 0


def test_keep_constants_round_trip():
    node = fc(4)
    plain = puiseux(node, -1, 2)
    kept = puiseux(node, -1, 2, keep_constants=True)
    assert kept.definitions
    subs = dict(kept.definitions)
    for a, b in zip(plain.coefficients, kept.coefficients, strict=True):
        assert abs(sp.N(a - b.xreplace(subs), 40)) < 1e-35
    assert any(isinstance(v, ArcCosKernel) for _, v in kept.definitions)


def test_kernel_objects_and_output_forms():
    wrapped = SimpleNamespace(node=fc(2), name="FC NTK, depth 2")
    e = puiseux(wrapped, 1, 1)
    assert e.expr() == singular_expansion(fc(2), 1, 1)
    assert "O\\left(" in e.latex()
    assert str(e).endswith("+ O(s**(3/2))")
    assert e.terms()[0] == (0, 3)


def test_depth_10_is_fast():
    node = fc(10)
    start = time.perf_counter()
    for at in (1, -1):
        puiseux(node, at, 3)
        leading_singular_term(node, at)
    assert time.perf_counter() - start < 10


@pytest.mark.slow
def test_depth_20_expansion_matches_numeric():
    node = fc(20)
    start = time.perf_counter()
    for at in (1, -1):
        _residual_check(node, at, 2, exponents=(10, 14))
    assert time.perf_counter() - start < 120


def test_bad_input():
    with pytest.raises(ParameterError):
        puiseux(fc(1), 0)
    with pytest.raises(ParameterError):
        puiseux(fc(1), True)
    with pytest.raises(ParameterError):
        puiseux(kappa1(Input("t_0") * Input("t_1")), 1)
    with pytest.raises(ParameterError):
        puiseux(fc(1), 1, order=-1)
    with pytest.raises(ParameterError):
        puiseux("not a kernel", 1)
    with pytest.raises(SingularExpansionError):
        puiseux(kappa1(2 * t), 1)  # the argument is 2 at t = 1
    with pytest.raises(SingularExpansionError):
        puiseux(kappa1(2 - t), 1)  # approaches 1 from above
    assert puiseux(kappa1(Const(sp.Rational(1, 2))) + t, 1, 1).coefficients[0] == (
        1 + ArcCosKernel(1, sp.Rational(1, 2)))


# ------------------------------------------------------------------------------------------------
# deep residual kernels: flattened generators (polynomial cost in the depth at t = -1)
# ------------------------------------------------------------------------------------------------
def _resntk(L):
    from symkernel import resnet

    return resnet(depth=L, alpha=sp.Rational(1, 2), kind="ntk").node


def test_flattening_preserves_the_expansion(monkeypatch):
    """The ResNTK (L = 5) at t = -1 with large coefficients flattened into generators equals the
    expansion without flattening, to 60 digits, term by term."""
    from symkernel.interpret import singular

    node = _resntk(5)
    flat = puiseux(node, -1, 2, keep_constants=True)
    assert any(str(s).startswith("c_") for s, _ in flat.definitions)
    monkeypatch.setattr(singular, "FLATTEN_TERMS", 10**9)
    full = puiseux(node, -1, 2)
    assert len(flat.numbers) == len(full.numbers)
    for a, b in zip(flat.numbers, full.numbers, strict=True):
        assert abs(a - b) <= mpmath.mpf(10) ** -60 * max(1, abs(b))
    # the straight-line program of definitions substitutes back (reverse order) to the same constants
    expr = flat.coefficients[1]
    for sym, value in reversed(flat.definitions):
        expr = expr.xreplace({sym: value})
    assert abs(sp.N(expr - full.coefficients[1], 50)) < 1e-45


@pytest.mark.parametrize("L", [8])
def test_deep_resntk_constants_match_finite_differences(L):
    """c_- of the depth-8 ResNTK (nested generators) against the kernel at t = -1 + 1e-30, 90 digits."""
    node = _resntk(L)
    ctx = _ctx(100)
    c, nu = leading_singular_term(node, -1)
    assert nu == sp.Rational(1, 2)
    exp_ = puiseux(node, -1, nu)
    poly = [(k, ctx.convert(x)) for k, x in enumerate(exp_.numbers) if k % 2 == 0]
    s = sp.Rational(1, 10**30)
    val = ctx.convert(evaluate(node, {"t": -(1 - s)}, dps=90))
    sm = ctx.mpf(s)
    estimate = (val - ctx.fsum(a * sm ** (k // 2) for k, a in poly)) / sm ** ctx.mpf(nu)
    assert abs(estimate / ctx.convert(sp.N(c, 60)) - 1) < ctx.mpf(10) ** -12

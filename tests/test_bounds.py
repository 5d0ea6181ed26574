"""Certified eigenvalue bounds (SPEC §8, symkernel.bounds).

Every proof obligation that can be observed is held against an independent computation:

* the remainder bound |[t^n](K - S)| <= E_m (n-m)!/n! (steps P2-P4) against the Maclaurin coefficients of the
  series interpreter, n up to 1500;
* the per-k enclosures (step P5) against eigenvalues computed by the spectrum module (series route);
* A k^-p <= mu_k <= B k^-p for every computed k0 <= k <= kmax (k up to 3000) for the FC NTK/NNGP of depths 1-4
  and the Laplace kernel, d from 2 to 50;
* the Gamma-ratio lemma (step P6) numerically, and the predicted rates of mu_k / asymptotic -> 1.
"""

from __future__ import annotations

import doctest
from functools import cache

import mpmath
import pytest
import sympy as sp

import symkernel as sk
from symkernel import bounds as B
from symkernel.bounds import (
    NotCertified,
    certified_bounds,
    eigenvalue_enclosure,
    gamma_ratio_envelope,
    remainder_bound,
)
from symkernel.errors import ParameterError
from symkernel.spectrum import eigenvalues


@cache
def kernel(kind: str, depth: int = 0):
    if kind == "laplace":
        return sk.laplace(1)
    if kind == "resntk":
        return sk.resnet(depth=depth, alpha=sp.Rational(1, 2), kind="ntk")
    return sk.fc(depth, kind)


@cache
def spectrum(kind: str, depth: int, d: int, kmax: int, dps):
    r = eigenvalues(kernel(kind, depth), d, kmax, dps=dps)
    return [mpmath.mpf(v) for v in r.eigenvalues]


@cache
def cert(kind: str, depth: int, d: int):
    return certified_bounds(kernel(kind, depth), d)


def violations(cb, mus, rel_tol):
    """Degrees k >= k0 whose computed mu_k leaves [A k^-p, B k^-p] by more than the computation's error."""
    bad = []
    for k, v in enumerate(mus):
        pb = cb.parity(k)
        if pb.k0 is None or k < pb.k0:
            continue
        if pb.status == "zero":
            if abs(v) > 1e-14:
                bad.append(k)
            continue
        assert pb.status == "bounded", pb.note
        kp = mpmath.mpf(k) ** int(pb.exponent)
        x = v * kp
        if not (pb.A * (1 - rel_tol) <= x <= pb.B * (1 + rel_tol)):
            bad.append(k)
    return bad


# ------------------------------------------------------------------------------------------------
# step P6: the Gamma-ratio lemma of Elezovic, Giordano & Pecaric (checked numerically)
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [sp.Rational(1, 2), sp.Rational(3, 2), sp.Rational(5, 2)])
@pytest.mark.parametrize("d", [2, 3, 10, 50])
def test_gamma_ratio_lemma_and_envelope(alpha, d):
    ctx = mpmath.MPContext()
    ctx.dps = 30
    a, b = -ctx.mpf(alpha.p) / alpha.q, ctx.mpf(alpha.p) / alpha.q + d - 1
    P = b - a

    def z(x):
        return ctx.exp((ctx.loggamma(x + b) - ctx.loggamma(x + a)) / P) - x

    xs = [3 + 0.5 * i for i in range(60)] + [10.0**e for e in range(2, 7)]
    zs = [z(ctx.mpf(x)) for x in xs]
    assert all(z2 > z1 for z1, z2 in zip(zs, zs[1:]))  # increasing (|b - a| > 1)
    assert 0 < ctx.mpf(d - 2) / 2 - zs[-1] < 1e-2  # limit (a + b - 1)/2, approached from below
    for k1 in (5, 40, 300):
        lo, hi = gamma_ratio_envelope(alpha, d, k1)
        for k in (k1, k1 + 1, 2 * k1 + 3, 10 * k1, 10**6):
            g = ctx.exp(P * ctx.log(k) + ctx.loggamma(k + a) - ctx.loggamma(k + b))
            assert float(lo.lower()) <= g <= float(hi.upper()) * (1 + 1e-12)


# ------------------------------------------------------------------------------------------------
# steps P2-P4: the remainder bound against the Maclaurin coefficients
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,depth", [("ntk", 1), ("ntk", 2), ("ntk", 4), ("nngp", 2), ("laplace", 0)])
def test_remainder_bound_dominates_coefficients(kind, depth):
    K = kernel(kind, depth)
    rem = remainder_bound(K, 4)
    m = rem.order
    N = 1500
    ctx = mpmath.MPContext()
    ctx.dps = 40
    b = K.coefficients(N, dps=40)
    terms = [(ctx.mpf(a.p) / a.q, ctx.mpf(sp.N(cp, 45)), ctx.mpf(sp.N(cm, 45))) for a, cp, cm in rem.terms]
    worst = 0
    for n in range(m, N):
        s = ctx.mpf(0)
        for a, cp, cm in terms:
            s += (cp + (-1) ** n * cm) * ctx.gammaprod([n - a], [-a, n + 1])
        r = ctx.convert(b[n]) - s
        bound = rem.E * ctx.gammaprod([n - m + 1], [n + 1])
        worst = max(worst, abs(r) / bound)
    assert worst <= 1, worst
    assert worst > 1e-9  # and the bound is not absurdly loose (true r_n = O(n^-(m+3/2)), bound O(n^-m))


def test_remainder_pieces_and_checks():
    rem = remainder_bound(kernel("ntk", 2), 4)
    assert rem.order == 4 and rem.E > 0
    assert set(rem.pieces) >= {"plus", "minus", "arc", "M_plus", "M_minus", "segments", "boxes"}
    assert [a for a, _, _ in rem.terms] == [sp.Rational(2 * j + 1, 2) for j in range(4)]
    # a radius beyond the analyticity domain of G_+ is refused, not silently used
    with pytest.raises(NotCertified):
        remainder_bound(kernel("ntk", 4), 4, rho=1.6)


# ------------------------------------------------------------------------------------------------
# step P5: enclosures of single eigenvalues
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,depth,d", [("ntk", 3, 3), ("ntk", 2, 10), ("nngp", 2, 3), ("laplace", 0, 5)])
def test_enclosure_contains_computed_eigenvalue(kind, depth, d):
    cb = cert(kind, depth, d)
    mus = spectrum(kind, depth, d, 600, 20)
    for k in list(range(cb.order, 40)) + list(range(40, 601, 37)):
        lo, hi = cb.enclosure(k)
        assert lo <= mus[k] <= hi, (k, lo, mus[k], hi)
    lo, hi = eigenvalue_enclosure(kernel(kind, depth), d, 500)
    assert lo <= mus[500] <= hi and (hi - lo) / mus[500] < 0.05


# ------------------------------------------------------------------------------------------------
# A k^-p <= mu_k <= B k^-p for every computed k >= k0
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,depth", [("ntk", 1), ("ntk", 2), ("ntk", 3), ("ntk", 4), ("laplace", 0)])
@pytest.mark.parametrize("d", [2, 3])
def test_bounds_hold_up_to_k_3000_float64(kind, depth, d):
    cb = cert(kind, depth, d)
    mus = spectrum(kind, depth, d, 3000, None)  # Gauss-Legendre in theta, relative accuracy ~3e-5 here
    assert violations(cb, mus, 1e-4) == []
    for pb in (cb.even, cb.odd):
        if pb.status == "bounded":
            assert 0 < pb.A <= mpmath.mpf(sp.N(pb.constant, 30)) <= pb.B
            assert pb.k0 <= 100


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_nngp_bounds_hold_series_route(depth):
    cb = cert("nngp", depth, 3)
    mus = spectrum("nngp", depth, 3, 1000, 15)
    assert violations(cb, mus, 1e-10) == []
    assert cb.even.status == "bounded"
    assert cb.odd.status == ("zero" if depth == 1 else "bounded")


@pytest.mark.parametrize("kind,depth", [("ntk", 2), ("nngp", 2), ("laplace", 0)])
@pytest.mark.parametrize("d", [5, 10])
def test_bounds_hold_higher_dimensions(kind, depth, d):
    cb = cert(kind, depth, d)
    mus = spectrum(kind, depth, d, 300, 15)
    assert violations(cb, mus, 1e-10) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind,depth", [("ntk", 1), ("ntk", 2), ("ntk", 3), ("ntk", 4), ("nngp", 1), ("nngp", 3), ("laplace", 0)]
)
@pytest.mark.parametrize("d", [4, 7, 20, 50])
def test_bounds_hold_many_dimensions(kind, depth, d):
    cb = cert(kind, depth, d)
    mus = spectrum(kind, depth, d, 800, 15)
    assert violations(cb, mus, 1e-10) == []


@pytest.mark.parametrize("depth", [2, 3, pytest.param(8, marks=pytest.mark.slow)])
def test_resnet_bounds_hold(depth):
    """ResNTK (alpha = 1/2): the nested constants at t = -1 enclosed in Arb; bounds hold up to k = 3000.
    Depth 8 needs the quartered Cauchy reach (complex singularities near the unit circle)."""
    cb = cert("resntk", depth, 3)
    mus = spectrum("resntk", depth, 3, 3000, None)
    assert cb.even.status == cb.odd.status == "bounded"
    assert violations(cb, mus, 1e-4) == []


@pytest.mark.slow
@pytest.mark.parametrize("depth", [5, 6, 8])
def test_bounds_hold_deeper(depth):
    cb = cert("ntk", depth, 3)
    mus = spectrum("ntk", depth, 3, 3000, None)
    assert violations(cb, mus, 1e-4) == []


# ------------------------------------------------------------------------------------------------
# rates: mu_k / asymptotic -> 1 as predicted, and the certified band narrows
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,depth,d", [("ntk", 2, 3), ("ntk", 3, 2), ("nngp", 2, 3)])
def test_ratio_to_asymptotic_converges_at_predicted_rate(kind, depth, d):
    from symkernel.asymptotics import asymptotics, power_eigenvalue

    K = kernel(kind, depth)
    a = asymptotics(K, d)
    mus = spectrum(kind, depth, d, 1000, 20)
    for parity in (0, 1):
        c = a.c_plus + (-1) ** parity * a.c_minus
        lead = a.constant_even if parity == 0 else a.constant_odd
        e1 = []
        e2 = []
        for k in (250 + parity, 500 + parity, 1000 - 2 + parity):
            e1.append(abs(mus[k] * mpmath.mpf(k) ** int(a.exponent) / mpmath.mpf(sp.N(lead, 30)) - 1))
            e2.append(abs(mus[k] / mpmath.mpf(sp.N(c * power_eigenvalue(d, a.nu, k), 30)) - 1))
        # k^p mu_k / C - 1 = O(1/k) (coefficient -(d-2)(d-1+2 nu)/2, zero on the circle d = 2, where it is
        # O(k^-2)): halves (quarters) when k doubles; against mu_k[(1-t)^nu]: O(k^-2), quarters
        r = 2 if d > 2 else 4
        assert 0.85 * r < e1[0] / e1[1] < 1.2 * r and 0.85 * r < e1[1] / e1[2] < 1.2 * r, e1
        assert 3.2 < e2[0] / e2[1] < 4.8 and 3.2 < e2[1] / e2[2] < 4.8, e2


def test_certified_band_narrows_with_k0():
    K = kernel("ntk", 2)
    b1 = certified_bounds(K, 3, k0=60)
    b2 = certified_bounds(K, 3, k0=240)
    for p1, p2 in ((b1.even, b2.even), (b1.odd, b2.odd)):
        w1 = p1.ratio_upper - p1.ratio_lower
        w2 = p2.ratio_upper - p2.ratio_lower
        # the remainder is O(k^-(2m - 3.5)) = O(k^-4.5) relative: much narrower, until the envelope floor
        assert w2 < w1 / 20
        assert p2.A >= p1.A and p2.B <= p1.B
        assert p2.ratio_lower <= 1 <= p2.ratio_upper


# ------------------------------------------------------------------------------------------------
# parity, scope, output
# ------------------------------------------------------------------------------------------------
def test_two_layer_odd_class_is_exactly_zero():
    cb = cert("ntk", 1, 3)
    assert cb.odd.status == "zero" and cb.odd.k0 == 3 and cb.odd.A == 0 == cb.odd.B
    assert cb.even.status == "bounded" and cb.even.exponent == 3
    assert cb.odd.holds(5, 0) and not cb.odd.holds(5, 1e-3)


def test_deep_kernels_both_classes_bounded_with_distinct_constants():
    cb = cert("ntk", 3, 3)
    assert cb.even.status == cb.odd.status == "bounded"
    assert cb.even.constant != cb.odd.constant
    assert cb.check([1.0] * 2 + [0.0] * 200) != []  # zeros violate the lower bounds


def test_bias_and_out_of_scope_kernels():
    cb = certified_bounds(sk.fc(2, "ntk", bias=1), 3)
    assert cb.even.status == cb.odd.status == "bounded"
    assert sp.simplify(cb.even.constant - cb.odd.constant) == 0  # bias: K analytic at t = -1
    with pytest.raises(NotCertified):
        certified_bounds(sk.gaussian(1), 3)  # analytic: no power law
    with pytest.raises(NotCertified):
        certified_bounds(sk.arccos_kernel(2), 3)  # kappa_2: outside the scope of the argument
    with pytest.raises(ParameterError):
        certified_bounds(kernel("ntk", 2), 1)
    with pytest.raises(ParameterError):
        certified_bounds(kernel("ntk", 2), 3, tol=2)
    with pytest.raises(ParameterError):
        remainder_bound(kernel("ntk", 2), 1)


def test_as_dict_rounds_outward():
    cb = cert("ntk", 2, 3)
    out = cb.as_dict(8)
    for par in ("even", "odd"):
        pb = cb.parity(0 if par == "even" else 1)
        A, Bv = mpmath.mpf(out[par]["A"]), mpmath.mpf(out[par]["B"])
        assert A <= pb.A and Bv >= pb.B
        assert len(out[par]["A"].replace(".", "").lstrip("0")) <= 9
    assert "assumed" in out and "rigorous" in out
    assert "k^{-3}" in cb.latex() and "k >= " in str(cb)


@pytest.mark.parametrize("x", ["0.1", "123456.789", "1e-30", "-2.5", "7e40"])
def test_directed_rounding(x):
    v = mpmath.mpf(x)
    lo, hi = B._directed(v, 5, False), B._directed(v, 5, True)
    assert mpmath.mpf(lo) <= v <= mpmath.mpf(hi)


def test_doctests():
    assert doctest.testmod(B, optionflags=doctest.ELLIPSIS).failed == 0


# ------------------------------------------------------------------------------------------------
# rigor review: each proof obligation held against an independent computation or a failure mode
# ------------------------------------------------------------------------------------------------
def _exact(x):
    """An mpf as an exact Arb ball (without going through bounds._arb)."""
    from flint import arb

    sign, man, exp, _ = x._mpf_  # (mpf.man_exp drops the sign)
    return arb((-int(man) if sign else int(man), int(exp))) if man else arb(0)


def test_outward_rounding_survives_the_conversion_to_mpmath():
    """.upper()/.lower() balls are converted to mpmath without rounding to mpmath's 53 bits (round to
    nearest would put an upper bound below the true one, e.g. for 1/3)."""
    from flint import arb

    with B._prec():
        for x in (arb(1) / 3, arb(1) / 7, arb.pi() * 10**40, arb(2).sqrt() / 10**30, -arb(1) / 3):
            up, lo = B._upper(x), B._lower(x)
            assert _exact(up) == x.upper() and _exact(lo) == x.lower()
            assert _exact(up) >= x and _exact(lo) <= x


def test_mpmath_numbers_enter_the_ball_arithmetic_exactly():
    """E_m (an mpf) re-enters Arb in P5/P6 exactly: no decimal round trip with an absolute 1e-28 radius."""
    from flint import arb

    from symkernel.interpret.arb_constants import arb_constant

    with B._prec():
        for x in ((arb(1) / 3).upper() * arb(2) ** 100, (arb(10) ** 40 / 7).upper(), (arb(1) / 3).upper()):
            v = B._to_mpf(x)
            b = B._arb(v)
            assert b.rad() == 0 and b == x
            f = arb_constant(sp.Float(v, 40))  # SymPy Floats are exact binary numbers too
            assert f.rad() == 0 and f == x


def test_constants_need_an_arb_enclosure():
    """No silent SymPy evalf fallback inside the proof: a constant outside the Arb grammar is refused."""
    from symkernel.interpret.arb_constants import arb_constant

    with B._prec():
        c = sp.gamma(sp.Rational(1, 3))
        assert arb_constant(c).is_finite()  # the non-strict helper still falls back
        assert not arb_constant(c, strict=True).is_finite()
        with pytest.raises(NotCertified):
            B._arb(c)
        v = B._arb(sp.sqrt(2) * sp.pi)
        assert v.rad() < 1e-25 and abs(float(v.mid()) - 4.442882938158366) < 1e-14


def test_p6_powers_of_k_are_exact():
    """k^p in P6 is an exact Arb integer (arb ** SymPy Integer returns a 53-bit SymPy Float)."""
    from flint import arb

    with B._prec():
        trap = arb(12345) ** sp.Integer(6)  # 82 bits: exact in Arb, not in a 53-bit Float
        assert not isinstance(trap, arb) and int(trap) != 12345**6
        kp = arb(12345) ** int(sp.Integer(6))
        assert kp.rad() == 0 and kp == arb(12345**6)
    # and the bounds are consistent, to 1e-20, with exact recomputations of the P5 enclosures times k^p
    cb = cert("ntk", 2, 20)
    for pb in (cb.even, cb.odd):
        assert pb.status == "bounded"
        ctx = mpmath.MPContext()
        ctx.prec = 400
        for k in range(pb.k0, pb.k0 + 120, 2):
            lo, hi = cb.enclosure(k)
            kp = ctx.mpf(k) ** int(pb.exponent)
            assert pb.A <= ctx.mpf(lo) * kp * (1 + ctx.mpf(10) ** -20)
            assert pb.B >= ctx.mpf(hi) * kp * (1 - ctx.mpf(10) ** -20)


@pytest.mark.parametrize("m", [2, 4, 7])
def test_p3_cap_bound_closed_forms(m):
    """The closed forms of P3 against the series they sum (even part exactly; odd part: the series of
    (j+1)^(m) used, which dominates the true (j+1/2)^(m))."""
    from flint import arb

    ctx = mpmath.MPContext()
    ctx.dps = 40
    M, rho, delta = ctx.mpf(3), ctx.mpf(1.2), ctx.mpf(0.648)  # the same binary numbers as the balls
    x = delta / rho**2
    half = ctx.mpf(1) / 2
    even = M * ctx.nsum(lambda i: ctx.ff(i, m) * rho ** (-2 * i) * delta ** (i - m), [m, ctx.inf])
    odd = M * ctx.nsum(lambda j: ctx.ff(j + half, m) * rho ** (-2 * j - 1) * delta ** (j + half - m),
                       [m, ctx.inf])
    odd_used = M / rho * delta ** (half - m) * ctx.nsum(lambda j: ctx.ff(j + 1, m) * x**j, [m, ctx.inf])
    with B._prec():
        total, parts = B._cap_bound(arb(3), arb(1.2), arb(0.648), m, [])
        e, o = (B._to_mpf(parts[k]) for k in ("even", "odd"))
        assert total >= parts["even"] + parts["odd"] + parts["other"]
    assert abs(e / even - 1) < 1e-20 and abs(o / odd_used - 1) < 1e-20
    assert odd <= odd_used


def test_p3_cap_needs_delta_below_rho_squared():
    """x = delta/rho^2 >= 1 made the geometric sums meaningless (a negative E_m was returned)."""
    from flint import arb

    K = kernel("ntk", 1)
    with pytest.raises(NotCertified):
        remainder_bound(K, 4, rho=1.2, delta=1.3 * 1.2**2)
    with B._prec(), pytest.raises(NotCertified):
        B._cap_bound(arb(5), arb(1.2), arb(1.6), 4, [])
    for bad in ({"delta": 2.5}, {"delta": 0}, {"rho": -1}, {"reach": 0}, {"reach": 1.5}, {"grid": 0}):
        with pytest.raises(ParameterError):
            remainder_bound(K, 4, **bad)
    rem = remainder_bound(K, 4, rho=1.2, delta=0.9 * 1.2**2)  # admissible, if poor
    assert rem.E > 0


@pytest.mark.parametrize("delta", [0.648, 0.45, 0.3, 0.1234567, 0.2205, 1.5])
@pytest.mark.parametrize("reach", [0.6, 0.3, 0.15, 0.07])
def test_p4_segments_cover_the_arc_exactly(delta, reach):
    """The segments (with their margin) cover [phi_a, pi - phi_a] in exact arithmetic, with no gap between
    consecutive segments nor at either cap (the former float loop left gaps of ~5e-16 rad)."""
    from fractions import Fraction as F

    ctx = mpmath.MPContext()
    ctx.prec = 200
    pa = 2 * ctx.asin(ctx.mpf(delta) / 2)
    segs = list(B._arc_segments(delta, reach))
    if pa >= ctx.pi / 2:
        assert not segs  # the caps overlap: no arc
        return
    mg = F(B.ARC_MARGIN)
    ivs = [(F(mid) - F(h) - mg, F(mid) + F(h) + mg) for mid, h, _ in segs]
    assert all(b[0] <= a[1] for a, b in zip(ivs, ivs[1:]))
    lo, hi = ivs[0][0], ivs[-1][1]
    assert ctx.mpf(lo.numerator) / lo.denominator <= pa
    assert ctx.mpf(hi.numerator) / hi.denominator >= ctx.pi - pa
    for _mid, h, rr in segs:  # the Cauchy radius stays positive after the margin
        assert rr - h - 2 * B.ARC_MARGIN > 0.05 * rr


def test_unit_disk_analyticity_is_checked():
    """(P2) A kappa-argument that is not a correlation, or a square root whose argument vanishes inside the
    unit disk, is refused: there K is not the power series the Cauchy estimates are about."""
    from symkernel.algebra import Input, kappa0, kappa1, sqrt

    t = Input("t")
    with pytest.raises(NotCertified, match="correlation"):
        B._program(kappa1((3 * t * t - 1) / 2))  # = -1 at t = ±i/sqrt(3)
    with pytest.raises(NotCertified, match="real part"):
        B._program(sqrt(1 + 2 * t * t) + kappa1(t))  # 1 + 2t^2 = 0 at t = ±i/sqrt(2)
    # the library's arguments pass: ResNTK (t + c(kappa1(t) - t)), bias, Laplace (1 - t), kappa0(kappa1)
    for node in (kappa1(t + (kappa1(t) - t) / 5), kappa1((t + 1) / 2), sqrt(1 - t), kappa0(kappa1(t)),
                 sqrt(1 + t)):
        B._program(node)


def test_endpoint_branch_needs_a_flat_argument():
    """(P3) kappa1(0.99 t + 0.01 kappa0(t)): sigma = 1 - g ~ c y at y = 0, so sigma/y^2 has a pole and the
    minimum principle proves nothing, although Re(sigma/y^2) > 0 holds on the circle; refused."""
    from symkernel.algebra import Input, kappa0, kappa1

    t = Input("t")
    node = kappa1(sp.Rational(99, 100) * t + kappa0(t) / 100)
    prog = B._program(node)
    assert not prog.flat[1][id(node.args[0])]
    with B._prec(), pytest.raises(NotCertified, match="order y"):
        B._circle_max(prog, 1, 0.5, 64)
    good = B._program(kappa1(kappa1(t)))
    assert all(good.flat[1].values())
    with pytest.raises(NotCertified):  # and the public entry point refuses it (ramified: s^(1/4))
        remainder_bound(node, 4)


def test_gamma_ratio_envelope_encloses_with_k1_small():
    for alpha, d, k1 in [(sp.Rational(1, 2), 2, 1), (sp.Rational(5, 2), 50, 3), (sp.Rational(3, 2), 3, 2)]:
        lo, hi = gamma_ratio_envelope(alpha, d, k1)
        a = mpmath.mpf(alpha.p) / alpha.q
        P = 2 * a + d - 1
        for k in (k1, k1 + 0.5, k1 + 7, 1000):
            g = mpmath.exp(P * mpmath.log(k) + mpmath.loggamma(k - a) - mpmath.loggamma(k + a + d - 1))
            assert lo <= g * (1 + 1e-12) and g <= hi * (1 + 1e-12)


def test_nan_boxes_are_not_skipped():
    """Python's max(M, nan_ball) keeps M (the comparison is False): a NaN bound on a box must raise."""
    from flint import arb

    with B._prec():
        assert max(arb(1), arb("nan")) == arb(1)  # the trap
        assert B._max_finite(arb(1), arb(3)) == arb(3) and B._max_finite(arb(3), arb(1)) == arb(3)
        for bad in (arb("nan"), arb("inf")):
            with pytest.raises(NotCertified):
                B._max_finite(arb(1), bad)


def test_missing_puiseux_coefficients_are_not_taken_as_zero(monkeypatch):
    """A truncated expansion must not be padded with zeros: S would then not cancel the odd terms of G."""
    from types import SimpleNamespace

    from symkernel.algebra import Input, kappa1
    from symkernel.interpret import singular

    node = kappa1(kappa1(kappa1(Input("t")) / 2 + Input("t") / 2))  # not used elsewhere: no cached answer
    short = SimpleNamespace(ramification=2, coefficients=(sp.Integer(1), sp.Integer(0), sp.Integer(-1)))
    monkeypatch.setattr(singular, "puiseux", lambda *a, **k: short)
    with pytest.raises(NotCertified, match="stops before"):
        B._singular_coefficients(node, 4)

"""Power series of the kernels: digits promised, against closed forms, exact coefficients and identities."""

import mpmath
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symkernel as sk
from symkernel.interpret.exact import evaluate_program
from symkernel.interpret.support import is_structural_zero, support


def _rel(a, b):
    return abs(a - b) / abs(b) if b else abs(a)


@given(depth=st.integers(1, 8), kind=st.sampled_from(["nngp", "ntk"]), dps=st.integers(20, 80),
       t=st.fractions("-1/2", "1/2", max_denominator=97))
def test_series_summed_equals_closed_form(depth, kind, dps, t):
    """Sum of b_n t^n (|t| <= 1/2, with a rigorous geometric tail bound) against the closed form."""
    K = sk.fc(depth, kind)
    tt = sp.Rational(t.numerator, t.denominator)
    N = int(dps * 3.33) + 20
    b = K.coefficients(N, dps + 5)
    ctx = mpmath.MPContext()
    ctx.dps = dps + 10
    x = ctx.mpf(tt.p) / tt.q
    total = ctx.fsum(ctx.convert(c) * x**n for n, c in enumerate(b))
    # b_n <= K(1) for these kernels (b_n >= 0 and sum b_n = K(1)); tail <= K(1) |x|^N / (1 - |x|)
    tail = ctx.convert(int(K.diagonal)) * abs(x) ** N / (1 - abs(x))
    value = K(tt, dps=dps)
    assert abs(total - value) <= tail + abs(value) * ctx.mpf(10) ** (-dps)


@pytest.mark.parametrize("t", ["0.9", "-0.9", "0.99"])
def test_series_near_the_boundary(t):
    """Closer to t = ±1 the series converges slowly; many terms still reproduce the closed form."""
    K = sk.fc(3, "ntk")
    N = 4000
    b = K.coefficients(N, 25)
    with mpmath.workdps(30):
        x = mpmath.mpf(t)
        total = mpmath.fsum(c * x**n for n, c in enumerate(b))
        bound = 4 * abs(x) ** N / (1 - abs(x))
        assert abs(total - K(t, dps=25)) <= bound + mpmath.mpf(10) ** -20


@given(depth=st.integers(1, 6), kind=st.sampled_from(["nngp", "ntk"]), dps=st.integers(15, 60),
       N=st.integers(2, 300))
def test_every_digit_promised_is_correct(depth, kind, dps, N):
    """b_n at dps digits against an independent run at twice the precision."""
    K = sk.fc(depth, kind)
    lo = K.coefficients(N, dps)
    hi = K.coefficients(N, 2 * dps + 10)
    with mpmath.workdps(2 * dps + 10):
        for a, b in zip(lo, hi):
            if b == 0:
                assert a == 0
            else:
                assert _rel(mpmath.mpf(a), mpmath.mpf(b)) <= mpmath.mpf(10) ** (-dps)


@pytest.mark.parametrize("kernel", [sk.fc(1, "ntk"), sk.fc(1, "nngp"), sk.arccos_kernel(0),
                                    sk.arccos_kernel(2), sk.fc(1, "ntk", layer_weights=(0.5, 1))])
def test_exact_coefficients_rational_over_pi_and_match_numeric(kernel):
    exact = kernel.exact_coefficients(16)
    num = kernel.coefficients(16, 40)
    for e, c in zip(exact, num):
        # rational multiples of powers of 1/pi
        assert e.free_symbols == set()
        assert any((e * sp.pi**k).is_Rational for k in range(4))
        with mpmath.workdps(45):
            assert abs(mpmath.mpf(sp.N(e, 45)) - c) <= abs(c) * mpmath.mpf(10) ** -39


def test_two_layer_ntk_exact_coefficients():
    """kappa_1(t) + t kappa_0(t): 1/pi + t + sum 3/(2pi) t^2 ..., zero at odd n >= 3."""
    b = sk.fc(1, "ntk").exact_coefficients(8)
    assert b == [1 / sp.pi, 1, 3 / (2 * sp.pi), 0, 5 / (24 * sp.pi), 0, 7 / (80 * sp.pi), 0]


@pytest.mark.parametrize("depth", [2, 3])
def test_exact_deep_coefficients_evalf(depth):
    K = sk.fc(depth, "ntk")
    exact = K.exact_coefficients(6)
    num = K.coefficients(6, 30)
    for e, c in zip(exact, num):
        with mpmath.workdps(35):
            assert abs(mpmath.mpf(sp.N(e, 35)) - c) <= abs(c) * mpmath.mpf(10) ** -29


@given(depth=st.integers(2, 10), kind=st.sampled_from(["nngp", "ntk"]))
def test_exact_program_any_depth(depth, kind):
    """The straight-line exact program (any depth) evaluated independently agrees with the series."""
    K = sk.fc(depth, kind)
    coeffs, defs = K.exact_coefficients(6, keep_constants=True)
    vals = evaluate_program(coeffs, defs, 30)
    for v, c in zip(vals, K.coefficients(6, 30)):
        with mpmath.workdps(35):
            assert abs(mpmath.mpf(v) - c) <= abs(c) * mpmath.mpf(10) ** -29


@given(depth=st.integers(1, 8), kind=st.sampled_from(["nngp", "ntk"]), bias=st.sampled_from([0, 0.5, 1]))
def test_coefficients_nonnegative(depth, kind, bias):
    """Schoenberg: positive definite on every sphere <=> b_n >= 0."""
    b = sk.fc(depth, kind, bias=bias).coefficients(200, 20)
    assert all(c >= 0 for c in b)


def test_structural_zeros():
    """Two-layer kernels: b_n = 0 exactly for odd n >= 3; deep kernels have none."""
    assert support(sk.fc(1, "ntk").node) == (10**18, 1)
    b = sk.fc(1, "ntk").coefficients(50, 30)
    assert all(b[n] == 0 for n in range(3, 50, 2))
    assert all(b[n] > 0 for n in range(0, 50, 2))
    sup = support(sk.fc(2, "ntk").node)
    assert not any(is_structural_zero(sup, n) for n in range(100))
    assert all(c > 0 for c in sk.fc(2, "ntk").coefficients(100, 20))


@pytest.mark.parametrize("kind,nu", [("ntk", sp.Rational(1, 2)), ("nngp", sp.Rational(3, 2))])
@pytest.mark.parametrize("depth", [1, 3])
def test_partial_sums_approach_K1_and_Kminus1(kind, nu, depth):
    """S_N -> K(1) and sum (-1)^n b_n -> K(-1); the remaining gap matches the Flajolet–Odlyzko tail
    c_+ N^{-nu} / (nu Gamma(-nu)) (resp. c_-) within 5% at N = 3000."""
    from symkernel.interpret.singular import leading_singular_term

    K = sk.fc(depth, kind)
    N = 3000
    b = K.coefficients(N, 20)
    with mpmath.workdps(25):
        S = mpmath.fsum(b)
        A = mpmath.fsum((-1) ** n * c for n, c in enumerate(b))
        gap_plus = K(1, dps=20) - S
        gap_minus = K(-1, dps=20) - A
        cp, nup = leading_singular_term(K, 1)
        cm, num = leading_singular_term(K, -1)
        assert nup == nu
        g = mpmath.gamma(-mpmath.mpf(nu.p) / nu.q)
        nuf = mpmath.mpf(nu.p) / nu.q
        pred_plus = mpmath.mpf(sp.N(cp, 20)) * mpmath.mpf(N) ** -nuf / (nuf * g)
        assert gap_plus > 0
        assert abs(gap_plus / pred_plus - 1) < 0.05
        # alternating sum: terms (-1)^n b_n ~ (c_+ (-1)^n + c_-) n^{-nu-1}/Gamma(-nu); the tail of the
        # c_- part is c_- N^{-nu}/(nu Gamma(-nu)), the alternating part is O(N^{-nu-1})
        pred_minus = (mpmath.mpf(sp.N(cm, 20)) * mpmath.mpf(N) ** -nuf / (nuf * g)) if cm else 0
        assert abs(gap_minus - pred_minus) < 5 * mpmath.mpf(N) ** (-nuf - 1) * 2 * K.diagonal


def test_laplace_and_gaussian_coefficients_closed_forms():
    c = sp.Rational(3, 2)
    b = sk.gaussian(c).coefficients(60, 30)
    for n, x in enumerate(b):
        exact = sp.exp(-c) * c**n / sp.factorial(n)
        with mpmath.workdps(40):
            assert _rel(mpmath.mpf(x), mpmath.mpf(sp.N(exact, 40))) < mpmath.mpf(10) ** -29
    lap = sk.laplace(2)
    ser = sp.series(sp.exp(-2 * sp.sqrt(1 - sp.Symbol("t"))), sp.Symbol("t"), 0, 8).removeO()
    got = lap.coefficients(8, 30)
    with mpmath.workdps(40):
        for n in range(8):
            exact = mpmath.mpf(sp.N(ser.coeff(sp.Symbol("t"), n), 40))
            assert _rel(mpmath.mpf(got[n]), exact) < mpmath.mpf(10) ** -29


def test_gaussian_coefficients_far_below_the_first_stay_relative():
    """b_n of the Gaussian kernel decay factorially (1e-100 by n = 80): still every digit."""
    b = sk.gaussian(1).coefficients(80, 20)
    with mpmath.workdps(30):
        exact = mpmath.e ** -1 / mpmath.factorial(79)
        assert _rel(mpmath.mpf(b[79]), exact) < mpmath.mpf(10) ** -19


def test_bias_series_against_value():
    K = sk.fc(2, "ntk", bias=sp.Rational(1, 2))
    b = K.coefficients(300, 30)
    with mpmath.workdps(35):
        x = mpmath.mpf(1) / 3
        total = mpmath.fsum(c * x**n for n, c in enumerate(b))
        assert abs(total - K(sp.Rational(1, 3), dps=30)) < mpmath.mpf(10) ** -28


def test_coefficient_errors():
    K = sk.fc(2)
    with pytest.raises(sk.ParameterError, match="N"):
        K.coefficients(0, 20)
    with pytest.raises(sk.ParameterError, match="dps"):
        K.coefficients(10, 2)
    with pytest.raises(sk.ParameterError, match="n"):
        K.exact_coefficients(-1)


@given(depth=st.integers(1, 6), kind=st.sampled_from(["nngp", "ntk"]), dps=st.integers(15, 60),
       N=st.integers(1, 200))
def test_flint_backend_agrees_and_is_rigorous(depth, kind, dps, N):
    """python-flint Arb balls (rigorous) against the fixed-point backend: the same digits."""
    pytest.importorskip("flint")
    K = sk.fc(depth, kind)
    a = K.coefficients(N, dps, backend="flint")
    b = K.coefficients(N, dps)
    with mpmath.workdps(dps + 10):
        for x, y in zip(a, b):
            if y == 0:
                assert x == 0
            else:
                assert _rel(mpmath.mpf(x), mpmath.mpf(y)) <= 2 * mpmath.mpf(10) ** (-dps)


def test_flint_backend_refuses_what_it_cannot_do():
    pytest.importorskip("flint")
    with pytest.raises(sk.ParameterError, match="backend"):
        sk.arccos_kernel(2).coefficients(5, 20, backend="flint")
    with pytest.raises(sk.ParameterError, match="backend"):
        sk.fc(1).coefficients(5, 20, backend="arb")

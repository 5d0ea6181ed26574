"""The ResNet NNGP / ResNTK of SPEC §4 (symkernel.architectures.resnet).

Independent routes held against each other:
* the recursion in the kernel algebra  vs  ``networks.resnet_kernel_reference`` (plain numpy) and the
  Monte-Carlo finite-width residual network (``networks.resnet_network_kernels``);
* the hand-derived closed forms of c_± (``resnet_singular_constants``)  vs  the singular interpreter;
* the eigenvalue constants per parity  vs  eigenvalues computed by angle quadrature;
* the Maclaurin series  vs  K(1) (with the exact tail of the leading singular term);
* the γ = 1/2 ODE limit (mpmath.odefun)  vs  large-L kernels.
"""

from __future__ import annotations

import importlib
from fractions import Fraction
from types import SimpleNamespace

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symkernel.architectures.fc import fc
from symkernel.architectures.resnet import from_cli, resnet
from symkernel.asymptotics import asymptotics, power_eigenvalue
from symkernel.errors import ParameterError
from symkernel.interpret.singular import leading_singular_term
from symkernel.networks import resnet_kernel_reference, resnet_network_kernels
from symkernel.resnet_theory import resnet_limit_gamma_half, resnet_singular_constants

rn = importlib.import_module("symkernel.architectures.resnet")

TS = np.array([-1.0, -0.9, -0.4, 0.0, 0.3, 0.7, 0.95, 0.999, 1.0])
#: interior points: the float64 reference evaluates arccos/sqrt in t and loses ~1e-8 within rounding of ±1
INNER = TS[1:-1]
HALF = sp.Rational(1, 2)


def alpha_float(al) -> float:
    return float(sp.N(al, 20))


# ------------------------------------------------------------------------------ the recursion
CASES = [
    # depth, alpha, train_input, train_readout
    (1, 1, False, False),
    (2, sp.Rational(7, 10), True, True),
    (3, HALF, False, True),
    (4, HALF, True, False),
    (5, 1 / sp.sqrt(5), False, False),
    (7, sp.Integer(2), True, True),
]


@pytest.mark.parametrize("depth, alpha, ti, tr", CASES)
def test_recursion_equals_numpy_reference(depth, alpha, ti, tr):
    nngp_ref, ntk_ref = resnet_kernel_reference(TS, depth, alpha_float(alpha), ti, tr)
    Kn = resnet(depth, alpha=alpha, train_input=ti, train_readout=tr, normalize=False)
    Kg = resnet(depth, alpha=alpha, kind="nngp", normalize=False)
    np.testing.assert_allclose(Kn.numpy(INNER), ntk_ref[1:-1], rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(Kg.numpy(INNER), nngp_ref[1:-1], rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(Kn.numpy(TS), ntk_ref, rtol=1e-7)
    np.testing.assert_allclose(Kg.numpy(TS), nngp_ref, rtol=1e-7)
    # exact diagonals
    a = alpha**2
    diag = 2 * a * depth * (1 + a) ** (depth - 1) + (ti + tr) * (1 + a) ** depth
    assert sp.simplify(Kn.diagonal - diag) == 0
    assert sp.simplify(Kg.diagonal - (1 + a) ** depth) == 0
    # normalised: the same shape, value 1 on the diagonal; NNGP = K_L / s_L
    Kt = resnet(depth, alpha=alpha, train_input=ti, train_readout=tr)
    assert Kt.diagonal == 1 and Kt.numpy(np.array([1.0]))[0] == 1
    np.testing.assert_allclose(Kt.numpy(INNER), ntk_ref[1:-1] / float(diag), rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(resnet(depth, alpha=alpha, kind="nngp").numpy(INNER),
                               nngp_ref[1:-1] / (1 + alpha_float(alpha) ** 2) ** depth,
                               rtol=1e-13, atol=1e-14)


def test_mpmath_values_and_angle_form():
    K = resnet(3, alpha=HALF)
    ref = resnet_kernel_reference(0.3, 3, 0.5)[1] / resnet_kernel_reference(1.0, 3, 0.5)[1]
    v = K("0.3", dps=40)
    assert abs(float(v) - float(ref)) < 1e-14
    # 40 digits: agrees with a 60-digit evaluation
    assert abs(v - K("0.3", dps=60)) < mpmath.mpf(10) ** -39
    # the angle form keeps relative accuracy of 1 - K near t = 1
    th = 1e-7
    d_theta = 1 - K(theta=sp.Float(th, 30), dps=30)
    c = resnet_singular_constants(3, alpha=HALF)["c_plus_value"]
    s = mpmath.mpf(2) * mpmath.sin(mpmath.mpf(th) / 2) ** 2
    assert abs(d_theta / (-c * mpmath.sqrt(s)) - 1) < 1e-5


@settings(max_examples=20, deadline=None)
@given(depth=st.integers(1, 12), p=st.integers(1, 30), q=st.integers(1, 10),
       ts=st.lists(st.floats(-0.999, 0.999), min_size=1, max_size=6),
       kind=st.sampled_from(["nngp", "ntk"]), ti=st.booleans(), tr=st.booleans())
def test_recursion_property(depth, p, q, ts, kind, ti, tr):
    alpha = sp.Rational(p, q)
    ts = np.asarray(ts)
    ref = resnet_kernel_reference(ts, depth, p / q, ti, tr)[kind == "ntk"]
    K = resnet(depth, alpha=alpha, kind=kind, train_input=ti, train_readout=tr, normalize=False)
    np.testing.assert_allclose(K.numpy(ts), ref, rtol=1e-12, atol=1e-13 * float(K.diagonal))


def test_one_block_is_the_two_layer_fc_ntk():
    """L = 1, residual blocks trained: α²[κ_1(t) + tκ_0(t)], the two-layer FC NTK's shape for every α."""
    two = fc(1, "ntk", normalize=True)
    for alpha in (sp.Rational(1, 3), sp.Integer(1), sp.Integer(5)):
        K = resnet(1, alpha=alpha)
        assert sp.simplify(K.expr - two.expr) == 0


# ------------------------------------------------------------------------- parameters and CLI
def test_alpha_gamma_parameters():
    assert resnet(4, gamma=HALF).info["alpha"] == "1/2"
    assert resnet(8, gamma=1).info["alpha"] == "1/8"
    assert resnet(3, gamma=HALF).info["alpha"] == str(sp.sqrt(3) / 3)
    assert resnet(3, alpha=0.1).info["alpha"] == "1/10"  # floats through their decimal repr
    assert resnet(3, alpha=Fraction(1, 3)).info["a"] == "1/9"
    np.testing.assert_allclose(resnet(9, gamma=HALF).numpy(TS), resnet(9, alpha=sp.Rational(1, 3)).numpy(TS))
    bad = [
        (dict(depth=3), "alpha"),
        (dict(depth=3, alpha=1, gamma=1), "alpha"),
        (dict(depth=3, alpha=0), "alpha"),
        (dict(depth=3, alpha=-1), "alpha"),
        (dict(depth=3, alpha="x"), "alpha"),
        (dict(depth=3, gamma=float("nan")), "gamma"),
        (dict(depth=3, gamma=1000), "gamma"),
        (dict(depth=0, alpha=1), "depth"),
        (dict(depth=2.5, alpha=1), "depth"),
        (dict(depth=3, alpha=1, kind="cntk"), "kind"),
        (dict(depth=3, alpha=1, train_input=1), "train_input"),
    ]
    for kwargs, name in bad:
        with pytest.raises(ParameterError) as exc:
            resnet(**kwargs)
        assert exc.value.parameter == name, kwargs
        assert exc.value.allowed


def test_alpha_gamma_read_like_the_command_line(monkeypatch):
    """gamma="1/2" and --gamma 1/2 are read by one function (symkernel.parsing.read_number), exactly."""
    import symkernel.parsing as parsing

    for value in ("1/2", "0.5", " 1/2 ", Fraction(1, 2), sp.Rational(1, 2), 0.5):
        K = resnet(4, gamma=value)
        assert K.info["gamma"] == "1/2" and K.info["alpha"] == "1/2", value
    assert resnet(16, gamma="0.25").info["alpha"] == "1/2"
    assert resnet(3, alpha="1/3").info["a"] == "1/9"
    assert resnet(3, alpha="1/sqrt(2)").info["a"] == "1/2"
    assert resnet(4, gamma=1).info["alpha"] == "1/4"
    bad = [("gamma", "abc"), ("gamma", "200"), ("gamma", "1/0"), ("gamma", "__import__('os')"),
           ("gamma", "9**9**9"), ("gamma", "sqrt(-1)"), ("gamma", sp.Symbol("x")), ("gamma", [1]),
           ("alpha", "-1/2"), ("alpha", "0"), ("alpha", "x"), ("alpha", "1e99999"), ("alpha", True)]
    for name, value in bad:
        with pytest.raises(ParameterError) as exc:
            resnet(4, **{name: value})
        err = exc.value
        assert err.parameter == name, (name, value)
        assert ("[-100, 100]" in err.allowed) if name == "gamma" else ("> 0" in err.allowed), err.allowed
    # the command line goes through the same function (no second parser)
    seen = []
    module = importlib.import_module("symkernel.architectures.resnet")

    def spy(name, value, allowed=None):
        seen.append((name, value))
        return parsing.read_number(name, value, allowed)

    monkeypatch.setattr(module, "read_number", spy)
    assert from_cli(cli_args(depth="4", gamma="1/2")).info["alpha"] == "1/2"
    assert seen == [("gamma", "1/2")]


def test_cli_gamma_and_alpha_errors_one_line(capsys):
    from symkernel.cli import main

    for argv, name in ((["--gamma", "abc"], "gamma"), (["--gamma", "1000"], "gamma"),
                       (["--alpha", "-1"], "alpha"), (["--alpha", "1", "--gamma", "1"], "gamma"),
                       ([], "alpha"), (["--alpha", "9**9**9"], "alpha")):
        assert main(["kernel", "--arch", "resnet", "--depth", "4", "--at", "0.3", *argv]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("symkernel: error: invalid " + name), err


def cli_args(**kw):
    base = dict(depth="3", alpha=None, gamma=None, kind="ntk", normalize=False)
    base.update(kw)
    return SimpleNamespace(**base)


def test_from_cli():
    K = from_cli(cli_args(alpha="1/2"))
    assert K.diagonal == 1 and K.info["alpha"] == "1/2"
    assert from_cli(cli_args(depth="4", gamma="0.5", kind="nngp")).info["alpha"] == "1/2"
    for kw, name in ((dict(), "alpha"), (dict(alpha="1", gamma="1"), "gamma"), (dict(alpha="0"), "alpha"),
                     (dict(alpha="__import__('os')"), "alpha"), (dict(alpha="1", depth="x"), "depth"),
                     (dict(alpha="1", depth="0"), "depth")):
        with pytest.raises(ParameterError) as exc:
            from_cli(cli_args(**kw))
        assert exc.value.parameter == name


def test_cli_commands(capsys):
    import json

    from symkernel.cli import main

    assert main(["kernel", "--arch", "resnet", "--depth", "3", "--alpha", "1/2", "--at", "0.3",
                 "--dps", "25", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    ref = resnet_kernel_reference(np.array([0.3, 1.0]), 3, 0.5)[1]
    assert abs(float(out["value"]) - ref[0] / ref[1]) < 1e-14
    assert main(["kernel", "--arch", "resnet", "--depth", "4", "--gamma", "1/2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["info"]["alpha"] == "1/2"
    assert main(["kernel", "--arch", "resnet", "--depth", "3", "--json"]) == 2
    assert "alpha" in capsys.readouterr().err


# ------------------------------------------------------------------------ Monte-Carlo network
MC_WIDTH = 128
MC_CASES = {
    # name: (depth, alpha, train_input, train_readout, n_init)
    "L2-a1": (2, 1.0, False, False, 300),
    "L3-a.5-readout": (3, 0.5, False, True, 300),
    "L4-gamma.5-input": (4, 0.5, True, False, 300),
}


def _circle(ts):
    return np.stack([ts, np.sqrt(1 - ts**2)], axis=-1)


def _mc_check(name, width=MC_WIDTH, seed=11):
    depth, alpha, ti, tr, n_init = MC_CASES[name]
    ts = TS[1:-1]
    res = resnet_network_kernels([1.0, 0.0], _circle(ts), depth, alpha, width, n_init, seed=seed,
                                 train_input=ti, train_readout=tr)
    for kind in ("nngp", "ntk"):
        K = resnet(depth, alpha=sp.nsimplify(alpha), kind=kind, train_input=ti, train_readout=tr,
                   normalize=False)
        exact = K.numpy(ts)
        # Monte-Carlo error (5 standard errors) plus the O(1/width) finite-width bias
        allow = 5 * res[f"{kind}_se"] + depth * float(K.diagonal) / (4 * width)
        assert np.all(np.abs(res[f"{kind}_mean"] - exact) <= allow), (name, kind)
    # the check has teeth: the recursion without the backward factors B_l is rejected
    if depth > 1:
        wrong = _no_backprop_ntk(ts, depth, alpha) + (ts if ti else 0)
        if tr:
            wrong = wrong + resnet(depth, alpha=sp.nsimplify(alpha), kind="nngp", normalize=False).numpy(ts)
        allow = 5 * res["ntk_se"] + depth * float(Kn_diag(depth, alpha, ti, tr)) / (4 * width)
        assert np.any(np.abs(res["ntk_mean"] - wrong) > allow), name


def Kn_diag(depth, alpha, ti, tr):
    a = alpha**2
    return 2 * a * depth * (1 + a) ** (depth - 1) + (ti + tr) * (1 + a) ** depth


def _no_backprop_ntk(ts, depth, alpha):
    """SPEC §4 with B_l = 1 (a deliberately wrong recursion), test-local closed forms."""
    def k0(u):
        return 1 - np.arccos(np.clip(u, -1, 1)) / np.pi

    def k1(u):
        u = np.clip(u, -1, 1)
        return (np.sqrt(1 - u * u) + (np.pi - np.arccos(u)) * u) / np.pi

    a = alpha**2
    K, s, ntk = np.asarray(ts, float), 1.0, 0.0
    for _ in range(depth):
        rho = K / s
        ntk = ntk + a * (s * k1(rho) + K * k0(rho))
        K, s = K + a * s * k1(rho), s * (1 + a)
    return ntk


@pytest.mark.parametrize("name", list(MC_CASES))
def test_monte_carlo_network(name):
    _mc_check(name)


@pytest.mark.slow
@settings(max_examples=6, deadline=None)
@given(depth=st.integers(1, 5), p=st.integers(1, 8), seed=st.integers(0, 10**6))
def test_monte_carlo_network_property(depth, p, seed):
    alpha = p / 4
    ts = np.array([-0.8, 0.0, 0.6])
    res = resnet_network_kernels([1.0, 0.0], _circle(ts), depth, alpha, 96, 200, seed=seed)
    for kind in ("nngp", "ntk"):
        K = resnet(depth, alpha=sp.Rational(p, 4), kind=kind, normalize=False)
        allow = 5 * res[f"{kind}_se"] + depth * float(K.diagonal) / (4 * 96)
        assert np.all(np.abs(res[f"{kind}_mean"] - K.numpy(ts)) <= allow)


# ------------------------------------------------------------------------------- power series
@pytest.mark.parametrize("depth, alpha", [(2, sp.Integer(1)), (3, HALF), (6, sp.Rational(1, 3))])
def test_series_nonnegative_and_sums_to_one(depth, alpha):
    K = resnet(depth, alpha=alpha)
    N = 600
    b = K.coefficients(N, dps=25)
    assert all(x >= 0 for x in b)
    assert b[0] > 0
    c = resnet_singular_constants(depth, alpha=alpha)
    c_plus, c_minus = c["c_plus_value"], c["c_minus_value"]

    def tail(n):  # exact: sum_{m >= n} [t^m](1-t)^{1/2} = -Γ(n-1/2)/(Γ(1/2)Γ(n))
        return -mpmath.gamma(n - mpmath.mpf(1) / 2) / (mpmath.gamma(mpmath.mpf(1) / 2) * mpmath.gamma(n))

    errors = []
    for n in (N // 4, N):
        partial = mpmath.fsum(b[:n])
        errors.append(abs(partial + c_plus * tail(n) - 1))  # K(1) = 1
        assert partial < 1
    assert errors[1] < 2 * N ** -1.5 and errors[1] < errors[0]
    # K(-1): near t = -1 the term c_-(1+t)^{1/2} has coefficients c_-(-1)^n [t^n](1-t)^{1/2}, so the
    # alternating sum has the non-alternating tail c_- * tail(N); what is left alternates
    alt = mpmath.fsum((-1) ** n * x for n, x in enumerate(b))
    assert abs(alt + c_minus * tail(N) - K(-1, dps=25)) < 2 * N ** -1.5


def test_exact_coefficients_match_numeric():
    K = resnet(2, alpha=HALF)
    exact = K.exact_coefficients(4)
    num = K.coefficients(4, dps=30)
    for e, n in zip(exact, num, strict=True):
        assert abs(sp.N(e, 30) - sp.Float(str(n), 30)) < sp.Float(10) ** -27


# -------------------------------------------------------------------------------- asymptotics
@pytest.mark.parametrize("depth, alpha, ti, tr", [
    (1, sp.Integer(1), False, False), (2, sp.Integer(3), True, False), (3, HALF, False, False),
    (3, HALF, True, True), (4, sp.Integer(1), False, True), (5, sp.Rational(1, 3), True, False),
])
def test_closed_form_constants_match_singular_interpreter(depth, alpha, ti, tr):
    for normalize in (False, True):
        K = resnet(depth, alpha=alpha, train_input=ti, train_readout=tr, normalize=normalize)
        A = asymptotics(K, dim=3)
        assert A.nu == HALF and A.exponent == 3
        c = resnet_singular_constants(depth, alpha=alpha, train_input=ti, normalize=False)
        scale = K.info["scale"] if normalize else 1
        scale = sp.sympify(scale)
        assert sp.simplify(A.c_plus - c["c_plus"] / scale) == 0
        assert abs(sp.N(A.c_minus - c["c_minus_nested"] / scale, 50)) < sp.Float(10) ** -45
    # the default normalised form of the closed form
    c = resnet_singular_constants(depth, alpha=alpha)
    a = alpha**2
    assert sp.simplify(c["c_plus"] + (1 + depth * a) / (sp.sqrt(2) * sp.pi * (1 + a))) == 0


@settings(max_examples=15, deadline=None)
@given(depth=st.integers(1, 4), p=st.integers(1, 12), q=st.integers(1, 6), dim=st.integers(2, 40))
def test_eigenvalue_constants_property(depth, p, q, dim):
    """Closed-form eigenvalue constants per parity = the singular interpreter's, for random L, α, d."""
    alpha = sp.Rational(p, q)
    K = resnet(depth, alpha=alpha)
    A = asymptotics(K, dim=dim)
    c = resnet_singular_constants(depth, alpha=alpha, dim=dim, dps=40)
    assert A.exponent == dim  # the FC-NTK's exponent d - 1 + 2ν with ν = 1/2
    for mine, theirs in ((c["constant_even_value"], A.constant_even),
                         (c["constant_odd_value"], A.constant_odd)):
        scale = 1 + abs(sp.N(A.constant_even, 45))  # relative to the size of the constants
        assert abs(sp.Float(mpmath.nstr(mine, 40), 45) - sp.N(theirs, 45)) <= sp.Float(10) ** -35 * scale
    # closed form in d: 2^{d-3} Γ(d/2)^2/π^2 [ (1+Lα²)/(1+α²) ± P/L ]
    pref = sp.Integer(2) ** (dim - 3) * sp.gamma(sp.Rational(dim, 2)) ** 2 / sp.pi**2
    plus = pref * (1 + depth * alpha**2) / (1 + alpha**2)
    assert abs(sp.N((c["constant_even_value"] + c["constant_odd_value"]) / 2 - plus, 30)) < 1e-25 * sp.N(plus)


def test_same_exponent_as_fc_ntk():
    for d in (2, 3, 7):
        r = asymptotics(resnet(3, alpha=HALF), d)
        f = asymptotics(fc(3, "ntk"), d)
        assert r.exponent == f.exponent == d and r.nu == f.nu == HALF
        # both parities are present for L >= 2 (c_+ != ±c_-); L = 1 loses the odd class
        assert r.vanishing_parity is None
        assert asymptotics(resnet(1, alpha=2), d).vanishing_parity == "odd"


@settings(max_examples=12, deadline=None)
@given(depth=st.integers(1, 10), p=st.integers(1, 12), q=st.integers(1, 6), dim=st.integers(2, 6))
def test_eigenvalues_follow_the_exact_constant(depth, p, q, dim):
    """μ_k = (c_+ + (-1)^k c_-) μ_k[(1-t)^{1/2}] (1 + O(k^{-2})) on computed eigenvalues."""
    from symkernel.spectrum import eigenvalues

    alpha = sp.Rational(p, q)
    K = resnet(depth, alpha=alpha)
    mu = np.asarray(eigenvalues(K, dim, 160).eigenvalues, dtype=float)
    c = resnet_singular_constants(depth, alpha=alpha, dps=20)
    cp, cm = float(c["c_plus_value"]), float(c["c_minus_value"])
    for k in (80, 81, 159, 160):
        model = float(power_eigenvalue(dim, HALF, k))
        pred = (cp + (-1) ** k * cm) * model
        if depth == 1 and k % 2:
            assert abs(mu[k]) < 1e-15  # the two-layer NTK: odd eigenvalues vanish exactly
            continue
        assert abs(mu[k] / pred - 1) < 60 * dim**2 / k**2, (k, mu[k], pred)
    # the fitted log-log slope is that of the exact model k^{-d}(1 - d(d-2)/(2k) + ...)
    ks = np.arange(80, 161, 2)
    model = np.array([float(power_eigenvalue(dim, HALF, int(k))) for k in ks])
    slope = np.polyfit(np.log(ks), np.log(mu[ks]), 1)[0]
    assert abs(slope - np.polyfit(np.log(ks), np.log(np.abs(model)), 1)[0]) < 0.01
    assert abs(slope + dim) < 0.05 + dim * (dim - 2) / 100


# ------------------------------------------------------------------------------ α = L^{-γ}
def test_regime_gamma_above_half_tends_to_two_layer_ntk():
    """γ = 1: sup-distance to (κ_1 + tκ_0)/2 is attained at t = -1 and ≈ (√2/3π)√(Lα²/(1+α²)) = O(L^{-1/2});
    away from t = -1 it is O(Lα²) = O(1/L)."""
    two = fc(1, "ntk", normalize=True)
    th = np.linspace(0, np.pi, 301)
    ref = two.numpy(theta=th)
    inner = np.cos(th) >= -0.5
    full, inside = [], []
    for L in (16, 64, 256):
        diff = np.abs(resnet(L, gamma=1).numpy(theta=th) - ref)
        full.append(diff.max())
        inside.append(diff[inner].max())
        assert diff.argmax() == len(th) - 1  # at θ = π
        b = 1 / (L**2 + 1)
        assert abs(diff[-1] / (np.sqrt(2) / (3 * np.pi) * np.sqrt(L * b)) - 1) < 0.15
    assert full[0] > full[1] > full[2] and inside[0] > inside[1] > inside[2]
    assert abs(np.polyfit(np.log([16, 64, 256]), np.log(full), 1)[0] + 0.5) < 0.1
    assert abs(np.polyfit(np.log([16, 64, 256]), np.log(inside), 1)[0] + 1) < 0.1


def test_regime_gamma_half_ode_limit():
    t = sp.Rational(1, 2)
    lim = resnet_limit_gamma_half(t, dps=20)
    lim_nngp = resnet_limit_gamma_half(t, dps=20, kind="nngp")
    assert resnet_limit_gamma_half(1) == 1
    diffs, diffs_nngp = [], []
    for L in (16, 64, 256):
        diffs.append(abs(float(resnet(L, gamma=HALF).numpy(np.array([0.5]))[0]) - float(lim)))
        diffs_nngp.append(abs(float(resnet(L, gamma=HALF, kind="nngp").numpy(np.array([0.5]))[0])
                              - float(lim_nngp)))
    for d in (diffs, diffs_nngp):
        ratios = [d[i] / d[i + 1] for i in range(2)]
        assert all(3.3 < r < 4.7 for r in ratios), d  # O(1/L): a factor 4 per factor 4 in L
    # the limit's sharpness is finite: c_+ -> -sqrt(2)/pi
    c = resnet_singular_constants(256, gamma=HALF)["c_plus"]
    assert sp.simplify(c + 2 / ((1 + sp.Rational(1, 256)) * sp.sqrt(2) * sp.pi)) == 0


def test_regime_gamma_below_half_is_spiky():
    # γ = 1/4: the effective Laplace sharpness -c̃_+ = (L^{2γ} + L)/((L^{2γ} + 1) √2 π) is exactly √L/(√2 π)
    for L in (16, 64):
        cp, nu = leading_singular_term(resnet(L, gamma=sp.Rational(1, 4)), 1)
        assert nu == HALF
        assert sp.simplify(cp + sp.sqrt(L) / (sp.sqrt(2) * sp.pi)) == 0
    # and the kernel becomes a plateau with a spike at t = 1: flat on [-1, 1/2], 1 at t = 1
    ts = np.linspace(-1, 0.5, 31)
    spread = [np.ptp(resnet(L, gamma=0).numpy(ts)) for L in (32, 128, 512)]
    assert spread[0] > 2 * spread[1] > 4 * spread[2]


def test_module_constants():
    assert rn.MAX_DEPTH >= 4096
    with pytest.raises(ParameterError):
        resnet(rn.MAX_DEPTH + 1, alpha=1)

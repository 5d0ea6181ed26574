"""Kernel objects: values against the explicit SymPy expression, the angle form, options and bad input."""

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symkernel as sk
from symkernel.algebra import Const, Input, kappa0, kappa1, node_count

t_sym = sp.Symbol("t", real=True)


@given(depth=st.integers(1, 5), kind=st.sampled_from(["nngp", "ntk"]), dps=st.integers(15, 60),
       t=st.fractions(-1, 1, max_denominator=1000))
def test_value_against_sympy_evalf_of_expr(depth, kind, dps, t):
    K = sk.fc(depth, kind)
    tt = sp.Rational(t.numerator, t.denominator)
    ref = K.expr_compact.subs(t_sym, tt).evalf(dps + 20)
    val = K(tt, dps=dps)
    with mpmath.workdps(dps + 20):
        ref = mpmath.mpf(sp.Float(ref, dps + 20))
        if ref == 0:
            assert abs(mpmath.mpf(val)) < mpmath.mpf(10) ** (-2 * dps)
        else:
            assert abs(mpmath.mpf(val) - ref) <= abs(ref) * mpmath.mpf(10) ** (-dps)


def test_explicit_and_compact_expressions_agree():
    K = sk.fc(2, "ntk")
    for x in (sp.Rational(-1, 2), sp.Rational(1, 3)):
        a = K.expr.subs(t_sym, x).evalf(30)
        b = K.expr_compact.subs(t_sym, x).evalf(30)
        assert abs(a - b) < 1e-28


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_diagonal_and_normalisation(depth):
    assert sk.fc(depth, "ntk").diagonal == depth + 1
    assert sk.fc(depth, "nngp").diagonal == 1
    assert sk.fc(depth, "ntk", normalize=True).diagonal == 1
    assert sk.fc(depth, "nngp", bias=sp.Rational(1, 2)).diagonal == 1 + (depth + 1) * sp.Rational(1, 4)


@pytest.mark.parametrize("depth", [1, 3, 8])
def test_derivative_against_finite_differences(depth):
    """d/dt of the exact expression vs mpmath finite differences of the numeric interpreter."""
    K = sk.fc(depth, "ntk")
    dexpr = sp.diff(K.expr_compact, t_sym)
    for x in (sp.Rational(-3, 5), sp.Rational(1, 10), sp.Rational(4, 5)):
        exact = dexpr.subs(t_sym, x).evalf(30)
        with mpmath.workdps(40):
            # central differences with step 1e-12 on 60-digit values: truncation error ~1e-24
            fd = mpmath.diff(lambda y: mpmath.mpf(K(y, dps=60)), mpmath.mpf(x.p) / x.q,
                             h=mpmath.mpf(10) ** -12)
            assert abs(fd - mpmath.mpf(sp.Float(exact, 30))) < mpmath.mpf(10) ** -20


def test_first_coefficient_is_derivative_at_zero():
    K = sk.fc(4, "ntk")
    b = K.coefficients(3, 30)
    with mpmath.workdps(40):
        h = mpmath.mpf(10) ** -10
        d1 = mpmath.diff(lambda y: mpmath.mpf(K(y, dps=60)), 0, h=h)
        d2 = mpmath.diff(lambda y: mpmath.mpf(K(y, dps=60)), 0, 2, h=h) / 2
        assert abs(d1 - mpmath.mpf(b[1])) < 1e-18 and abs(d2 - mpmath.mpf(b[2])) < 1e-15


def test_angle_form_keeps_digits_near_t_equal_one():
    """K(theta) for tiny theta: the defect form keeps relative accuracy of K(1) - K in float64."""
    K = sk.fc(3, "ntk")
    theta = np.array([1e-9, 1e-6, 1e-3, 0.5, 3.0, np.pi])
    v, d = K.numpy(theta=theta, defect=True)
    for th, vv, dd in zip(theta, v, d):
        exact_v, exact_d = K(theta=sp.Float(th, 30), dps=30), None
        with mpmath.workdps(40):
            exact_d = mpmath.mpf(K.diagonal) - mpmath.mpf(exact_v)
            assert abs(vv - exact_v) <= 1e-14 * abs(exact_v) + 1e-300
            assert abs(dd - exact_d) <= 1e-12 * abs(exact_d) + 1e-300


def test_numpy_matches_mpmath_on_a_grid():
    K = sk.fc(4, "nngp")
    ts = np.linspace(-1, 1, 41)
    vals = K.numpy(ts)
    for x, v in zip(ts, vals):
        assert abs(v - float(K(float(x), dps=20))) < 1e-14


def test_cao_variant_and_layer_weights():
    K = sk.fc(1, "ntk", layer_weights=(sp.Rational(1, 2), 1))
    t = Input("t")
    assert K.node is kappa1(t) + sp.Rational(1, 2) * (t * kappa0(t))
    frozen_first = sk.fc(2, "ntk", layer_weights=(0, 1, 1))
    assert frozen_first.diagonal == 2


def test_hash_consing_and_linear_size():
    t = Input("t")
    assert kappa1(t) is kappa1(Input("t"))
    assert Const(0.1).data == sp.Rational(1, 10)
    # a depth-L recursion is stored in O(L) nodes
    assert node_count(sk.fc(50, "ntk").node) < 10 * 50
    with pytest.raises(AttributeError):
        t.op = "const"


def test_value_clamping_and_range():
    K = sk.fc(2)
    assert K(1 + 1e-14) == K(1)
    with pytest.raises(sk.ParameterError, match="t"):
        K(1.01)
    with pytest.raises(sk.ParameterError, match="theta"):
        K(theta=4)
    with pytest.raises(sk.ParameterError, match="t"):
        K("abc")


@pytest.mark.parametrize("kwargs,param", [
    ({"depth": 0}, "depth"), ({"depth": -3}, "depth"), ({"depth": 2.5}, "depth"), ({"depth": True}, "depth"),
    ({"depth": 2, "kind": "gp"}, "kind"), ({"depth": 2, "bias": -1}, "bias"),
    ({"depth": 2, "bias": [0, 1]}, "bias"), ({"depth": 1, "layer_weights": (1, 2, 3)}, "layer_weights"),
    ({"depth": 1, "layer_weights": (0, 0)}, "layer_weights"), ({"depth": 1, "bias": "x"}, "bias"),
])
def test_bad_arguments_name_the_parameter(kwargs, param):
    with pytest.raises(sk.ParameterError) as exc:
        sk.fc(**kwargs)
    assert exc.value.parameter == param and param in str(exc.value)


def test_bad_dps_and_classic_kernels():
    with pytest.raises(sk.ParameterError, match="dps"):
        sk.fc(1)(0.5, dps=1)
    with pytest.raises(sk.ParameterError, match="c"):
        sk.laplace(0)
    with pytest.raises(sk.ParameterError, match="order"):
        sk.arccos_kernel(-1)
    L = sk.laplace(2)
    with mpmath.workdps(30):
        expected = mpmath.exp(-2 * mpmath.sqrt(mpmath.mpf(2) / 3))
        assert abs(mpmath.mpf(L(sp.Rational(1, 3), dps=25)) - expected) < mpmath.mpf(10) ** -24


@given(st.floats(-1, 1))
def test_mpf_and_float_inputs_read_exactly(x):
    """An mpf is read as its exact binary value (sign included); a float via its shortest decimal."""
    from symkernel.algebra import exact_number

    with mpmath.workdps(30):
        m = mpmath.mpf(x) / 3
        assert mpmath.mpf(sp.Float(exact_number(m), 60)) == m
    assert exact_number(x) == sp.Rational(repr(x))
    K = sk.fc(1)
    # the mpf is its exact binary value; the float is its shortest decimal (they differ by ~1e-17, which the
    # square-root singularity of K at t = 1 amplifies: compare each with the value it stands for)
    binary = sp.Rational(*float(x).as_integer_ratio())
    assert abs(float(K(mpmath.mpf(x), dps=20)) - float(K(binary, dps=20))) < 1e-15
    assert abs(float(K(x, dps=20)) - float(K(repr(x), dps=20))) < 1e-15


def test_numpy_many_inputs_against_mpmath():
    """More than 64 named inputs (gap heads on 2-D grids): float64 against the mpmath interpreter."""
    from symkernel.algebra import Input
    from symkernel.interpret.numeric import evaluate, evaluate_numpy

    names = [f"t_{i}" for i in range(100)]
    node = sum((kappa1(Input(n)) * kappa0(Input(n)) for n in names), Const(0)) / 100
    angles = {n: np.full(2, 0.1 + 0.02 * i) for i, n in enumerate(names)}
    got = evaluate_numpy(node, angles=angles)
    ref = evaluate(node, angles={n: sp.Rational(5 + i, 50) for i, n in enumerate(names)}, dps=20)
    assert got.shape == (2,) and np.all(np.abs(got - float(ref)) < 1e-14)


def test_sqrt_node_at_its_zero_has_no_0_over_0(recwarn):
    """Laplace e^{-c sqrt(1-t)} at theta = 0: value 1, defect 0, and no invalid-value warning."""
    v, d = sk.laplace(2).numpy(theta=np.array([0.0, 1e-8]), defect=True)
    assert v[0] == 1.0 and d[0] == 0.0
    # near t = 1 the node 1 - t cancels in float64; the value must still be right (1 - t = 2 sin^2(θ/2))
    with mpmath.workdps(30):
        exact = mpmath.exp(-2 * mpmath.sqrt(2) * mpmath.sin(mpmath.mpf("1e-8") / 2))
        assert abs(v[1] - exact) < 1e-16 and abs(d[1] - (1 - exact)) < 1e-22
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]

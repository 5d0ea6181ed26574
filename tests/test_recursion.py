"""Layer recursions as data (symkernel.architectures.recursion): the description and the displayed equations
come from the same assignments.

* fc: the kernel of ``sk.fc`` is the unrolled recursion (the same hash-consed node) and is found again from
  the kernel's ``info``; the displayed equations, iterated numerically, give K(t) (parsed back from the LaTeX
  in tests/test_latex.py);
* the shape fits the ResNTK: its recursion of SPEC §4, written here as assignments (ρ, H, P) with an output
  that is a weighted sum of the final state, unrolls to exactly the node of ``sk.resnet``, and its displayed
  equations evaluate to the kernel.
"""

from __future__ import annotations

import pytest
import sympy as sp

import symkernel as sk
from symkernel.algebra import Input, kappa
from symkernel.architectures.fc import recursion as fc_recursion
from symkernel.architectures.recursion import Recursion, recursion_of
from symkernel.latex import recursion_equations

T = sp.Symbol("t", real=True)


def _iterate(rec, t):
    """Evaluate the displayed equations of ``rec`` at ``t`` (40 digits): the initial state, then the layer
    L times (symbols of the previous layer bound to the previous values, of this layer to the values just
    computed, parameters to the layer's values), then the output."""
    eq = recursion_equations(rec)
    var = {base: v for v, base in rec.symbols.items()}
    new_index = eq.layer[0][0].name.partition("_{")[2]

    def value(expr, j, old, new):
        sub = {}
        for s in expr.free_symbols:
            base, _, index = s.name.partition("_{")
            v = var.get(base, base)
            sub[s] = (t if s == T else rec.params[j][v] if v in rec.params[j] else
                      new[v] if index == new_index and v in new else old[v])
        out = expr.xreplace(sub)
        return out if out.is_Rational else sp.N(out, 40)

    state: dict = {}
    for lhs, rhs in eq.initial:
        state[var[lhs.name.partition("_{")[0]]] = value(rhs, 0, {}, state)
    for j in range(1, rec.depth + 1):
        new: dict = {}
        for lhs, rhs in eq.layer:
            new[var[lhs.name.partition("_{")[0]]] = value(rhs, j, state, new)
        state = new
    return value(eq.output, rec.depth, state, {})


@pytest.mark.parametrize("options", [
    {"kind": "ntk"}, {"kind": "nngp", "bias": 1}, {"kind": "ntk", "bias": [0, 1, 2, 3], "layer_weights":
                                                    [1, 0, sp.Rational(1, 2), 1]},
])
def test_fc_is_its_unrolled_recursion(options):
    K = sk.fc(3, **options)
    rec = fc_recursion(3, **options)
    assert rec.unroll(Input("t"), kappa) is K.node
    again = recursion_of(K)
    assert again is not None and again.unroll(Input("t"), kappa) is K.node and again.depth == 3
    assert recursion_of(sk.laplace(1)) is None


# ------------------------------------------------------------------------------------------------ ResNTK
def _resntk_recursion(depth, alpha, train_input=False, train_readout=False):
    """The ResNTK of SPEC §4 as a Recursion, from the formulas of the SPEC (not from symkernel's code):
    ρ_l = ρ_{l-1} + β(κ1(ρ_{l-1}) - ρ_{l-1}) with β = α²/(1+α²), the forward (Horner) form
    H_l = g_{l-1} H_{l-1} + f(ρ_{l-1}), g = 1 + β(κ0 - 1), f = κ1(ρ) + ρκ0(ρ), P_l = P_{l-1} g_{l-1};
    normalised Θ = [a(1+a)^{L-1} H_L + (1+a)^L (P_L t [input] + ρ_L [readout])] / Θ(1)."""
    a = sp.sympify(alpha) ** 2
    w_res, w_io = a * (1 + a) ** (depth - 1), (1 + a) ** depth
    scale = sp.expand(2 * depth * w_res + w_io * (int(train_input) + int(train_readout)))

    def g(r, p, kap):
        return 1 + p["beta"] * (kap(0, r) - 1)

    layer = (
        ("rho", lambda old, new, p, kap: old["rho"] + p["beta"] * (kap(1, old["rho"]) - old["rho"])),
        ("H", lambda old, new, p, kap: g(old["rho"], p, kap) * old["H"]
         + (kap(1, old["rho"]) + old["rho"] * kap(0, old["rho"]))),
    ) + ((("P", lambda old, new, p, kap: old["P"] * g(old["rho"], p, kap)),) if train_input else ())
    initial = (("rho", lambda old, new, p, kap: old["t"]), ("H", lambda old, new, p, kap: 0 * old["t"])) + (
        (("P", lambda old, new, p, kap: 0 * old["t"] + 1),) if train_input else ())

    def output(st):
        out = sp.radsimp(w_res / scale) * st["H"]
        if train_input:
            out = out + sp.radsimp(w_io / scale) * (st["P"] * st["t"])
        if train_readout:
            out = out + sp.radsimp(w_io / scale) * st["rho"]
        return out

    return Recursion(initial=initial, layer=layer, output=output,
                     params=tuple({"beta": sp.radsimp(a / (1 + a))} for _ in range(depth + 1)),
                     symbols={"rho": "rho", "H": "H", "P": "P", "beta": "beta"}, first=0)


@pytest.mark.parametrize("depth, alpha, train_input, train_readout", [
    (1, 1, False, False), (3, sp.Rational(1, 2), False, False), (4, 1, True, True),
    (2, sp.sqrt(2), True, False),
])
def test_resntk_fits_the_recursion_shape(depth, alpha, train_input, train_readout):
    K = sk.resnet(depth, alpha=alpha, train_input=train_input, train_readout=train_readout)
    rec = _resntk_recursion(depth, alpha, train_input, train_readout)
    assert rec.unroll(Input("t"), kappa) is K.node  # the same description, node for node
    eq = recursion_equations(rec)
    assert [str(lhs) for lhs, _ in eq.layer][:2] == ["rho_{l}", "H_{l}"]
    a = sp.sympify(alpha) ** 2
    assert eq.params == (("beta", [sp.radsimp(a / (1 + a))]),)  # one value, no layer index
    for t in (sp.Rational(-3, 4), sp.Rational(1, 5), sp.Rational(7, 8)):
        shown = _iterate(rec, t)
        assert abs(shown - sp.Float(str(K(t, dps=30)), 30)) < sp.Float(10) ** -25, (t, shown)


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_fc_displayed_equations_evaluate_to_the_kernel(depth):
    for K in (sk.fc(depth), sk.fc(depth, "nngp", bias=[sp.Rational(j, 2) for j in range(depth + 1)])):
        rec = recursion_of(K)
        for t in (sp.Rational(-1, 2), sp.Rational(2, 3)):
            assert abs(_iterate(rec, t) - sp.Float(str(K(t, dps=30)), 30)) < sp.Float(10) ** -25

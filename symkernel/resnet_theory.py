r"""ResNTK theory: exact singular constants and the gamma = 1/2 depth limit (Belfer et al. 2021, SPEC §4).

Numbers about the residual kernel built by :func:`symkernel.architectures.resnet.resnet` (the architecture
module only writes the recursion):

* :func:`resnet_singular_constants` — closed forms of :math:`c_\pm` of the normalised ResNTK at
  :math:`t = \pm 1` and the eigenvalue constants per parity, checked in the tests against the singular
  interpreter (:mod:`symkernel.interpret.singular`);
* :func:`resnet_limit_gamma_half` — the :math:`L \to \infty` limit for :math:`\alpha = L^{-1/2}`, the
  solution of an ODE in the layer variable :math:`\tau = l/L`, checked against large L.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .algebra import exact_number
from .architectures.fc import check_kind
from .architectures.resnet import MAX_DEPTH, resolve_alpha
from .errors import ParameterError, check_int

__all__ = ["resnet_singular_constants", "resnet_limit_gamma_half"]


def resnet_singular_constants(depth: int, alpha: Any = None, gamma: Any = None, train_input: bool = False,
                              normalize: bool = True, dim: int | None = None,
                              dps: int = 30) -> dict[str, Any]:
    r"""Exact leading singular constants :math:`c_\pm` (coefficients of :math:`s^{1/2}`) of the ResNTK, and
    the eigenvalue constants per parity they give.

    Closed forms (derived in the module docstring; the readout term does not contribute at
    :math:`s^{1/2}`), :math:`a = \alpha^2`:

    .. math::  c_+ = -\frac{\sqrt2}{\pi}\,aL(1+a)^{L-2}\,\big[1 + La + [\text{input}](1+a)\big],\qquad
               c_- = -\frac{\sqrt2}{\pi}\,a\,(1 + [\text{input}])\prod_{j=1}^{L-1}(1 + a\kappa_0(r_j)),

    with the nested constants :math:`r_0 = -1`, :math:`r_j = (r_{j-1} + a\kappa_1(r_{j-1}))/(1+a)`
    (:math:`r_j = \rho_j(-1)`; :math:`r_1 = -1/(1+a)`), divided by
    :math:`\Theta(1) = 2aL(1+a)^{L-1} + [\text{input}](1+a)^L` when ``normalize``.  For the default
    (blocks trained, normalised):

    .. math::  \tilde c_+ = -\frac{1 + L\alpha^2}{\sqrt2\,\pi\,(1+\alpha^2)},\qquad
               \tilde c_- = -\frac{1}{\sqrt2\,\pi\,L}
               \prod_{j=1}^{L-1}\frac{1+\alpha^2\kappa_0(r_j)}{1+\alpha^2},

    and on :math:`S^{d-1}` (:math:`C(d,\frac12) = -2^{d-5/2}\Gamma(d/2)^2/\pi`)

    .. math::  \mu_k \sim \frac{2^{d-3}\,\Gamma(d/2)^2}{\pi^2}\Big[\frac{1+L\alpha^2}{1+\alpha^2}
               \pm \frac1L\prod_{j=1}^{L-1}\frac{1+\alpha^2\kappa_0(r_j)}{1+\alpha^2}\Big]\,k^{-d}
               \qquad (+ \text{ for even } k,\ - \text{ for odd } k).

    The even constant exceeds the odd one; they coincide at leading order only when L = 1 (the two-layer
    NTK: odd eigenvalues vanish).  With the readout trained, pass the kernel's ``info["scale"]``-normalised
    values yourself (the readout only changes :math:`\Theta(1)`).

    Parameters
    ----------
    depth, alpha, gamma, train_input, normalize :
        As in :func:`resnet`.
    dim : int, optional
        d ≥ 2: also return the eigenvalue constants on :math:`S^{d-1}`.
    dps : int
        Digits of the numeric values.

    Returns
    -------
    dict
        ``c_plus`` (exact), ``c_minus`` (exact, in the symbols ``r_1..r_{L-1}``), ``definitions``
        (pairs ``(r_j, exact value in terms of r_{j-1})``), ``c_minus_nested`` (fully substituted nested
        :class:`~symkernel.interpret.symbolic.ArcCosKernel` expression, for L ≤ 8; None beyond: its tree
        doubles with every layer), ``c_plus_value``, ``c_minus_value`` (mpf at ``dps`` digits), ``scale``
        (:math:`\Theta(1)` without readout) and, with ``dim``, ``constant_even``, ``constant_odd``
        (exact, in the symbols) and their values ``constant_even_value``, ``constant_odd_value``.

    Examples
    --------
    >>> c = resnet_singular_constants(3, alpha=1)
    >>> c["c_plus"]
    -sqrt(2)/pi
    >>> c["definitions"][1]
    (r_2, r_1/2 + ArcCosKernel(1, r_1)/2)
    >>> c["definitions"][0]
    (r_1, -1/2)
    """
    from .asymptotics import eigenvalue_constant
    from .errors import check_dps
    from .interpret.numeric import dps_to_bits, mp_context
    from .interpret.symbolic import ArcCosKernel

    depth = check_int("depth", depth, 1, MAX_DEPTH)
    dps = check_dps(dps)
    al, _ = resolve_alpha(depth, alpha, gamma)
    a = al**2
    L = depth
    ti = 1 if train_input else 0
    syms = [sp.Integer(-1)] + [sp.Symbol(f"r_{j}", real=True) for j in range(1, L)]
    defs = [(syms[j], (syms[j - 1] + a * ArcCosKernel(1, syms[j - 1])) / (1 + a)) for j in range(1, L)]
    defs = [(sym, val.subs(syms[0], -1)) if j == 0 else (sym, val) for j, (sym, val) in enumerate(defs)]
    prod = sp.Mul(*[1 + a * ArcCosKernel(0, rj) for rj in syms[1:]])
    c_plus = -sp.sqrt(2) / sp.pi * a * L * (1 + a) ** (L - 2) * (1 + L * a + ti * (1 + a))
    c_minus = -sp.sqrt(2) / sp.pi * a * prod * (1 + ti)
    scale = sp.expand(2 * a * L * (1 + a) ** (L - 1) + ti * (1 + a) ** L)
    if normalize:
        c_plus = sp.radsimp(sp.factor(c_plus / scale))
        c_minus = c_minus / scale
    # numbers: iterate the nested constants in a private context
    ctx = mp_context(dps_to_bits(dps + 15))
    an = ctx.convert(sp.Float(sp.N(a, dps + 20), dps + 20))
    r = ctx.mpf(-1)
    prod_n = ctx.mpf(1)
    for _ in range(1, L):
        r = (r + an * (ctx.sqrt(1 - r * r) + (ctx.pi - ctx.acos(r)) * r) / ctx.pi) / (1 + an)
        r = max(min(r, ctx.mpf(1)), ctx.mpf(-1))
        prod_n *= 1 + an * (1 - ctx.acos(r) / ctx.pi)
    c_minus_value = -ctx.sqrt(2) / ctx.pi * an * prod_n * (1 + ti)
    c_plus_value = ctx.convert(sp.Float(sp.N(c_plus, dps + 20), dps + 20))
    if normalize:
        c_minus_value /= ctx.convert(sp.Float(sp.N(scale, dps + 20), dps + 20))
    if L == 1:  # c_- = c_+ exactly (the two-layer NTK); keep the odd constant an exact 0
        c_minus_value = c_plus_value
    out_ctx = mp_context(dps_to_bits(dps))
    nested = None
    if L <= 8:
        sub = {}
        for sym, val in defs:
            sub[sym] = val.subs(sub)
        nested = c_minus.subs(sub)
    out: dict[str, Any] = {
        "c_plus": c_plus, "c_minus": c_minus, "definitions": defs, "c_minus_nested": nested,
        "c_plus_value": +out_ctx.convert(c_plus_value), "c_minus_value": +out_ctx.convert(c_minus_value),
        "scale": scale,
    }
    if dim is not None:
        C = eigenvalue_constant(dim, sp.Rational(1, 2))
        Cn = ctx.convert(sp.Float(sp.N(C, dps + 20), dps + 20))
        out["constant"] = C
        out["constant_even"] = (c_plus + c_minus) * C
        out["constant_odd"] = (c_plus - c_minus) * C
        out["constant_even_value"] = +out_ctx.convert((c_plus_value + c_minus_value) * Cn)
        out["constant_odd_value"] = +out_ctx.convert((c_plus_value - c_minus_value) * Cn)
    return out


def resnet_limit_gamma_half(t: Any, dps: int = 30, kind: str = "ntk"):
    r"""The :math:`L \to \infty` limit of the normalised ResNet kernel for :math:`\alpha = L^{-1/2}`.

    With :math:`a = 1/L` the recursion is an Euler step of size :math:`1/L` in the layer variable
    :math:`\tau = l/L` (Belfer et al. 2021, the γ = 1/2 regime):

    .. math::  \rho' = \kappa_1(\rho) - \rho,\quad E' = \kappa_0(\rho) - 1,\quad I' = e^{-E} f(\rho),
               \qquad \rho(0) = t,\ E(0) = I(0) = 0,

    with :math:`f(\rho) = \kappa_1(\rho) + \rho\kappa_0(\rho)`, since
    :math:`B_l/(1+a)^{L-l} = \prod_{j \ge l}(1 + a\kappa_0(\rho_j))/(1+a) \to e^{E(1) - E(\tau)}` and
    :math:`\tilde\Theta = \frac1{2L}\sum_l \frac{B_l}{(1+a)^{L-l}} f(\rho_{l-1})`.  The limits are
    :math:`\tilde K_\infty(t) = \rho(1)` (NNGP) and :math:`\tilde\Theta_\infty(t) = \tfrac12 e^{E(1)} I(1)`
    (NTK); the finite-L kernels differ from them by :math:`O(1/L)`.  Solved with :func:`mpmath.odefun`
    (Taylor series method) in a private context at ``dps`` digits.  Near t = -1 the Taylor steps shrink
    (:math:`\rho \approx -1 + \tau` makes :math:`\sqrt{1+\rho}` singular at :math:`\tau = -(1+t)`):
    t = -1 itself takes about a minute; the derivation ``resnet-regimes`` solves the same system on a grid
    by RK4 in :math:`u = \sqrt\tau`.

    Parameters
    ----------
    t : number
        The dot product in [-1, 1] (exact: floats through their decimal representation).
    dps : int
        Significant digits.
    kind : {"ntk", "nngp"}
        The NTK limit :math:`\tfrac12 e^{E(1)}I(1)` or the NNGP limit :math:`\rho(1)`.

    Returns
    -------
    mpf
        The limit at ``t`` (``dps`` digits).

    Examples
    --------
    >>> import mpmath
    >>> mpmath.nstr(resnet_limit_gamma_half(sp.Rational(1, 2), dps=20), 15)
    '0.439906601498435'
    """
    from .errors import check_dps
    from .interpret.numeric import dps_to_bits, mp_context

    dps = check_dps(dps)
    kind = check_kind(kind)
    te = exact_number(t, "t")
    if not -1 <= te <= 1:
        raise ParameterError("t", t, "a real number in [-1, 1]")
    ctx = mp_context(dps_to_bits(dps + 10))
    tt = ctx.convert(sp.Float(sp.N(te, dps + 15), dps + 15))

    def k0(u):
        u = ctx.mpf(1) if u > 1 else (ctx.mpf(-1) if u < -1 else u)
        return 1 - ctx.acos(u) / ctx.pi

    def k1(u):
        u = ctx.mpf(1) if u > 1 else (ctx.mpf(-1) if u < -1 else u)
        return (ctx.sqrt(1 - u * u) + (ctx.pi - ctx.acos(u)) * u) / ctx.pi

    def rhs(_tau, y):
        r, e, _i = y
        f = k1(r) + r * k0(r)
        return [k1(r) - r, k0(r) - 1, ctx.exp(-e) * f]

    if tt == 1:
        return +mp_context(dps_to_bits(dps)).mpf(1)
    sol = ctx.odefun(rhs, 0, [tt, ctx.mpf(0), ctx.mpf(0)])
    r1, e1, i1 = sol(1)
    out = r1 if kind == "nngp" else ctx.exp(e1) * i1 / 2
    return +mp_context(dps_to_bits(dps)).convert(out)

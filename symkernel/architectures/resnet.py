r"""Fully connected residual networks: the ResNet NNGP and the ResNTK (SPEC §4).

Network (Huang et al. 2020; analysed by Belfer et al. 2021), width m → ∞, NTK parameterisation, every
parameter standard normal, inputs x on the unit sphere :math:`S^{d-1}`:

.. math::
    x_0 = A x/\sqrt m,\qquad
    x_l = x_{l-1} + \alpha\, V_l\,\mathrm{relu}\big(\sqrt{2/m}\, W_l x_{l-1}\big)/\sqrt m
    \quad (l = 1..L),\qquad f(x) = v\cdot x_L .

This is neural-tangents' ``Dense(W_std=1)`` input layer, L blocks
``FanOut(2), parallel(Identity(), serial(Dense(W_std=√2), Relu(), Dense(W_std=α))), FanInSum()`` and a
linear ``Dense(1)`` readout.  ``depth`` = L ≥ 1 is the number of residual blocks (each block has one hidden
ReLU layer).

Recursion (reconstructed from the model; checked against the finite-width network of
:func:`symkernel.networks.resnet_network_kernels` in the tests).  With :math:`t = \langle x, x'\rangle`,
:math:`a = \alpha^2`, the diagonal :math:`s_l = (1+a)^l` and the correlation :math:`\rho_l = K_l/s_l`:

.. math::
    K_0 = t,\qquad K_l = K_{l-1} + a\,s_{l-1}\,\kappa_1(\rho_{l-1}),\qquad
    \rho_l = \frac{\rho_{l-1} + a\,\kappa_1(\rho_{l-1})}{1 + a},

    B_L = 1,\qquad B_{l-1} = B_l\,\big(1 + a\,\kappa_0(\rho_{l-1})\big),

    \Theta_{\rm res} = \sum_{l=1}^{L} a\,B_l\,\big[s_{l-1}\kappa_1(\rho_{l-1})
                       + K_{l-1}\kappa_0(\rho_{l-1})\big],

plus :math:`B_0\,t` if the input layer A is trained and :math:`K_L` if the readout v is trained.  The
description writes the correlation step as :math:`\rho_l = \rho_{l-1} + \beta(\kappa_1(\rho_{l-1}) -
\rho_{l-1})` with :math:`\beta = \alpha^2/(1+\alpha^2)` (the same number), so that its value at t = 1 is
1 structurally for every exact α (irrational α included), and builds the equivalent forward (Horner) form
of the NTK sum, linear in L: with
:math:`g_l = (1 + a\kappa_0(\rho_l))/(1+a)` and :math:`f(\rho) = \kappa_1(\rho) + \rho\,\kappa_0(\rho)`,

.. math::
    H_1 = f(\rho_0),\quad H_l = g_{l-1} H_{l-1} + f(\rho_{l-1}),\qquad
    \Theta_{\rm res} = a(1+a)^{L-1} H_L,\qquad B_0 = (1+a)^L \prod_{j=0}^{L-1} g_j .

Normalisation (default ``normalize=True``): every kernel is divided by its value on the diagonal, so that
:math:`\tilde K(1) = 1`: the NNGP becomes :math:`K_L/s_L = \rho_L` and the NTK
:math:`\tilde\Theta = \Theta/\Theta(1)` with

.. math::  \Theta(1) = 2aL(1+a)^{L-1} + [\text{input}]\,(1+a)^L + [\text{readout}]\,(1+a)^L .

Singular expansions (derived by hand below, checked against the singular interpreter in the tests).
Near t = 1 every :math:`\rho_l = 1 - s + O(s^{3/2})`, :math:`\kappa_0(1-s) = 1 - \frac{\sqrt2}{\pi}s^{1/2}
+ O(s)`, so :math:`B_l = (1+a)^{L-l}\big(1 - (L-l)\frac{a}{1+a}\frac{\sqrt2}{\pi}s^{1/2}\big) + O(s)` and

.. math::  c_+ = -\frac{\sqrt2}{\pi}\,aL(1+a)^{L-2}\,\big[1 + La + [\text{input}](1+a)\big],\qquad
           \tilde c_+ = -\frac{1}{\sqrt2\,\pi}\,\frac{1 + L\alpha^2}{1+\alpha^2}
           \quad(\text{default: residual blocks trained, normalised}).

Near t = -1 only the first block sees the endpoint (:math:`\rho_1(-1) = -1/(1+a)` is interior), so with
:math:`r_0 = -1`, :math:`r_j = (r_{j-1} + a\kappa_1(r_{j-1}))/(1+a)` (the exact nested constants
:math:`\rho_j(-1)`) and :math:`B_1(-1) = \prod_{j=1}^{L-1}(1 + a\kappa_0(r_j))`,

.. math::  c_- = -\frac{\sqrt2}{\pi}\,a\,B_1(-1)\,\big(1 + [\text{input}]\big),\qquad
           \tilde c_- = -\frac{1}{\sqrt2\,\pi\,L}\prod_{j=1}^{L-1}\frac{1+\alpha^2\kappa_0(r_j)}{1+\alpha^2}.

The readout term :math:`K_L` and the NNGP only have :math:`s^{3/2}` singularities.  By the transfer theorem
(:mod:`symkernel.asymptotics`) the eigenvalues on :math:`S^{d-1}` decay as :math:`k^{-d}` (ν = 1/2, the
FC-NTK's exponent) with the constant :math:`(\tilde c_+ \pm \tilde c_-)\,C(d, \tfrac12)` for even/odd k,
:math:`C(d,\tfrac12) = -2^{d-5/2}\Gamma(d/2)^2/\pi`; see
:func:`symkernel.resnet_theory.resnet_singular_constants`.

Depth regimes for :math:`\alpha = L^{-\gamma}` (Belfer et al. 2021; derivations ``resnet-regimes``):
:math:`\gamma > 1/2` tends to the two-layer FC NTK :math:`(\kappa_1(t) + t\kappa_0(t))/2`, at distance
:math:`O(L\alpha^2)` away from t = -1 but with a boundary layer at t = -1 (where
:math:`f(\rho) \approx -\frac{\sqrt2}{\pi}\sqrt{1+\rho}` and :math:`\rho_l(-1) \approx -1 + l\beta`):
:math:`\tilde\Theta_L(-1) \approx -\frac{\sqrt2}{3\pi}\sqrt{L\beta}`, so the uniform distance decays
only like :math:`L^{(1-2\gamma)/2}`;
:math:`\gamma = 1/2` tends to the solution of the ODE system in :math:`\tau = l/L`,
:math:`\rho' = \kappa_1(\rho) - \rho`, :math:`E' = \kappa_0(\rho) - 1`, :math:`I' = e^{-E} f(\rho)`
(:math:`\rho(0) = t`, :math:`E(0) = I(0) = 0`), :math:`\tilde\Theta_\infty = \tfrac12 e^{E(1)} I(1)`
(see :func:`symkernel.resnet_theory.resnet_limit_gamma_half`); :math:`\gamma < 1/2` becomes spiky,
:math:`-\tilde c_+ \sim L^{1-2\gamma}/(\sqrt2\pi)`.

References
----------
K. Huang, Y. Wang, M. Tao and T. Zhao, "Why do deep residual networks generalize better than deep
feedforward networks? — A neural tangent kernel perspective", NeurIPS 2020.
Y. Belfer, A. Geifman, M. Galun and R. Basri, "Spectral analysis of the neural tangent kernel for deep
residual networks", arXiv:2104.03093 (2021).
Y. Cho and L. K. Saul, "Kernel methods for deep learning", NeurIPS 2009.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..algebra import Input, Node, kappa0, kappa1
from ..errors import ParameterError, check_int
from ..kernel import Kernel
from ..parsing import read_number
from .fc import check_kind

__all__ = [
    "resnet",
    "from_cli",
    "resolve_alpha",
    "MAX_DEPTH",
]

#: largest accepted depth (the description has O(L) nodes; the regime studies use a few thousand)
MAX_DEPTH = 100_000
#: largest accepted |gamma| in alpha = depth^(-gamma)
MAX_GAMMA = 100
ALPHA_RANGE = "a finite real number > 0"
GAMMA_RANGE = f"a real number in [-{MAX_GAMMA}, {MAX_GAMMA}] (alpha = depth^(-gamma))"


def _short(x: sp.Expr) -> str:
    """Exact string of a constant, or ``~`` and its 30-digit decimal when the exact form is very long
    (``(1 + 1/L)^L`` for L in the thousands has thousands of digits)."""
    if x.is_Rational and max(abs(int(x.p)).bit_length(), int(x.q).bit_length()) > 1000:
        return f"~{sp.N(x, 30)}"
    text = str(x)
    return text if len(text) <= 300 else f"~{sp.N(x, 30)}"


def resolve_alpha(depth: int, alpha: Any = None, gamma: Any = None) -> tuple[sp.Expr, sp.Expr | None]:
    r"""Validate ``alpha`` / ``gamma`` and return the exact pair :math:`(\alpha, \gamma)`.

    Exactly one of them must be given: :math:`\alpha > 0` directly, or :math:`\gamma` real with
    :math:`\alpha = L^{-\gamma}` (exact: ``depth=4, gamma=1/2`` gives :math:`\alpha = 1/2`).  Both are read
    by :func:`symkernel.parsing.read_number`, as on the command line: ints, fractions, SymPy numbers,
    floats through their shortest decimal representation (``0.1`` is 1/10), and strings such as ``"1/2"``,
    ``"0.25"`` or ``"1/sqrt(2)"``, parsed exactly without ``eval``.

    Parameters
    ----------
    depth : int
        L (already validated).
    alpha, gamma : number, str or None
        Exactly one of them; :math:`\alpha > 0`, :math:`|\gamma| \le 100`.

    Returns
    -------
    (alpha, gamma) : SymPy numbers (gamma None when alpha was given)
    """
    if (alpha is None) == (gamma is None):
        raise ParameterError("alpha", alpha, "exactly one of alpha (a real number > 0) or gamma (a real "
                                             "number, alpha = depth^(-gamma)) must be given")
    if alpha is not None:
        a = read_number("alpha", alpha, ALPHA_RANGE)
        if not (a.is_positive and a.is_finite):
            raise ParameterError("alpha", alpha, ALPHA_RANGE)
        return a, None
    g = read_number("gamma", gamma, GAMMA_RANGE)
    if not (g.is_finite and abs(g) <= MAX_GAMMA):
        raise ParameterError("gamma", gamma, GAMMA_RANGE)
    return sp.Integer(depth) ** (-g), g


def resnet(depth: int, alpha: Any = None, gamma: Any = None, kind: str = "ntk", train_input: bool = False,
           train_readout: bool = False, normalize: bool = True) -> Kernel:
    r"""NNGP or NTK (ResNTK) of a fully connected residual ReLU network (SPEC §4).

    Parameters
    ----------
    depth : int
        L ≥ 1, the number of residual blocks (one hidden ReLU layer each).
    alpha : number or str, optional
        Residual branch weight :math:`\alpha > 0` (exact: a SymPy number, an int, a fraction, or a string
        such as ``"1/2"`` or ``"0.25"`` read as on the command line; a float is read through its decimal
        representation).
    gamma : number or str, optional
        Give :math:`\alpha = L^{-\gamma}` instead, :math:`|\gamma| \le 100` (exactly one of ``alpha``
        and ``gamma``; the same inputs as ``alpha``).
    kind : {"nngp", "ntk"}
    train_input, train_readout : bool
        Add the input layer's (:math:`B_0 t`) / the readout's (:math:`K_L`) contribution to the NTK.  The
        default trains the residual blocks :math:`W_l, V_l` only (:math:`\Theta_{\rm res}`).  Ignored for
        the NNGP.
    normalize : bool
        Divide by the diagonal value (default): :math:`\tilde K(1) = 1`, NNGP :math:`= K_L/s_L = \rho_L`.
        With ``False`` the kernel is the network's: NNGP(1) = :math:`(1+\alpha^2)^L`,
        NTK(1) = :math:`2\alpha^2L(1+\alpha^2)^{L-1}` (+ :math:`(1+\alpha^2)^L` per trained input/readout).

    Returns
    -------
    Kernel
        ``info`` records ``alpha``, ``gamma``, ``a`` = α², the trained layers, the normalisation and
        the diagonal value before normalisation (``scale``).

    Notes
    -----
    The recursion (module docstring; Huang et al. 2020, Belfer et al. 2021):
    :math:`\rho_l = (\rho_{l-1} + \alpha^2\kappa_1(\rho_{l-1}))/(1+\alpha^2)`,
    :math:`\Theta_{\rm res} = \sum_l \alpha^2 B_l[s_{l-1}\kappa_1(\rho_{l-1}) + K_{l-1}\kappa_0(\rho_{l-1})]`,
    :math:`B_{l-1} = B_l(1 + \alpha^2\kappa_0(\rho_{l-1}))`.  With one block and the default training the
    normalised ResNTK is the two-layer FC NTK :math:`(\kappa_1(t) + t\kappa_0(t))/2` for every α.

    Examples
    --------
    >>> K = resnet(2, alpha=1)
    >>> K.diagonal
    1
    >>> K.info["scale"]
    '8'
    >>> resnet(4, gamma=sp.Rational(1, 2)).info["alpha"]
    '1/2'
    >>> resnet(4, gamma="1/2").info["alpha"], resnet(4, alpha="0.25").info["alpha"]
    ('1/2', '1/4')
    >>> float(resnet(3, alpha=sp.Rational(1, 2), kind="nngp", normalize=False)(1))
    1.953125
    """
    depth = check_int("depth", depth, 1, MAX_DEPTH)
    kind = check_kind(kind)
    for name, flag in (("train_input", train_input), ("train_readout", train_readout),
                       ("normalize", normalize)):
        if not isinstance(flag, bool):
            raise ParameterError(name, flag, "True or False")
    al, gam = resolve_alpha(depth, alpha, gamma)
    a = al**2
    one_a = 1 + a
    b = sp.radsimp(a / one_a)  # the step α²/(1+α²) of the layer recursion
    t = Input("t")
    rho: list[Node] = [t]
    for _ in range(depth):
        r = rho[-1]
        # ρ_l = (ρ + a κ1(ρ))/(1+a) written as ρ + b(κ1(ρ) - ρ): exactly 1 at t = 1 for any exact α
        rho.append(r + b * (kappa1(r) - r))
    if kind == "nngp":
        scale = sp.expand(one_a**depth)
        node = rho[depth] if normalize else scale * rho[depth]
    else:
        # forward (Horner) form of sum_l a B_l [s κ1 + K κ0]: H_l = g_{l-1} H_{l-1} + f(ρ_{l-1})
        H: Node | None = None
        prod: Node | None = None  # prod_{j<l} g_j, for B_0 = (1+a)^L prod_{j<L} g_j
        for layer in range(depth):
            r = rho[layer]
            f = kappa1(r) + r * kappa0(r)
            g = 1 + b * (kappa0(r) - 1)  # (1 + a κ0(ρ))/(1+a)
            H = f if H is None else g * H + f
            prod = g if prod is None else prod * g
        w_res = a * one_a ** (depth - 1)
        w_io = one_a**depth
        scale = sp.expand(2 * depth * w_res + (w_io if train_input else 0) + (w_io if train_readout else 0))
        div = scale if normalize else sp.Integer(1)
        node = sp.radsimp(w_res / div) * H
        if train_input:
            node = node + sp.radsimp(w_io / div) * (prod * t)
        if train_readout:
            node = node + sp.radsimp(w_io / div) * rho[depth]
    info = {
        "arch": "resnet",
        "kind": kind,
        "depth": depth,
        "depth_convention": "depth = number of residual blocks L (one hidden ReLU layer each)",
        "alpha": str(al),
        "gamma": None if gam is None else str(gam),
        "a": str(a),
        "train_input": train_input if kind == "ntk" else None,
        "train_readout": train_readout if kind == "ntk" else None,
        "normalized": normalize,
        "normalization": "K(1) = 1 (divided by the diagonal value 'scale')" if normalize else "none",
        "scale": _short(scale),
        "source": "Huang et al. 2020; Belfer et al. 2021 (SPEC §4)",
    }
    alpha_txt = f"alpha={al}" if gam is None else f"alpha=L^(-{gam})={al}"
    name = f"ResNet {kind.upper()}, depth {depth}, {alpha_txt}"
    if kind == "ntk" and (train_input or train_readout):
        name += ", trained: blocks" + (" + input" if train_input else "") + (" + readout" if train_readout
                                                                               else "")
    return Kernel(node, name, info)


def from_cli(args: Any) -> Kernel:
    """Build the kernel from the command-line options ``--depth``, ``--alpha`` | ``--gamma``, ``--kind``.

    The command line always gives the normalised kernel (the library default, :math:`\\tilde K(1) = 1`);
    ``train_input`` / ``train_readout`` are read when the parser provides them.
    """
    from ..cli import _int_arg

    depth = _int_arg("depth", args.depth, 1, MAX_DEPTH)
    alpha_txt = getattr(args, "alpha", None)
    gamma_txt = getattr(args, "gamma", None)
    if alpha_txt is not None and gamma_txt is not None:
        raise ParameterError("gamma", gamma_txt, "not together with --alpha (alpha = depth^(-gamma))")
    if alpha_txt is None and gamma_txt is None:
        raise ParameterError("alpha", None, "--alpha A (a real number > 0) or --gamma G (alpha = "
                                            "depth^(-G)) for --arch resnet")
    # the text is read by resnet itself (symkernel.parsing.read_number), as for Python callers
    return resnet(depth, alpha=alpha_txt, gamma=gamma_txt, kind=args.kind,
                  train_input=bool(getattr(args, "train_input", False)),
                  train_readout=bool(getattr(args, "train_readout", False)), normalize=True)

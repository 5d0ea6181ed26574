r"""Fully connected ReLU networks: NNGP and NTK of any depth (SPEC §3).

Network (the neural-tangents convention, NTK parameterisation)::

    stax.serial(Dense(W_std=1, b_std=β_1), *[Relu(), Dense(W_std=√2, b_std=β_{l+1})] * L)

on inputs of the unit sphere scaled so that the first layer sees :math:`t = \langle x, x'\rangle`; the last
Dense is the linear readout.  ``depth`` = L ≥ 1 counts the hidden ReLU layers (Bietti & Bach count L + 1
layers).  With :math:`q_l` the pre-activation covariance of Dense layer l, :math:`s_l` its diagonal and
:math:`\rho_l = q_l/s_l`:

.. math::
    q_1 = t + \beta_1^2,\quad s_1 = 1 + \beta_1^2,\qquad
    q_{l+1} = s_l\,\kappa_1(\rho_l) + \beta_{l+1}^2,\quad s_{l+1} = s_l + \beta_{l+1}^2,

    \Theta_1 = w_1 q_1,\qquad \Theta_{l+1} = w_{l+1} q_{l+1} + \Theta_l\,\kappa_0(\rho_l),

NNGP :math:`= q_{L+1}`, NTK :math:`= \Theta_{L+1}`, where :math:`w_l` weights the contribution of the
parameters of Dense layer l (1 = trained, 0 = frozen).  With :math:`\beta = 0` and all :math:`w_l = 1` this is
:math:`\Sigma^{(L)}` and :math:`\Theta^{(L)}` of Jacot et al. (2018) / Bietti & Mairal (2019):
:math:`\Sigma^{(l)} = \kappa_1(\Sigma^{(l-1)})`, :math:`\Theta^{(l)} = \Sigma^{(l)} + \Theta^{(l-1)}
\kappa_0(\Sigma^{(l-1)})`, and :math:`\Theta^{(L)}(1) = L + 1`.  Cao et al. (2019)'s two-layer kernel
:math:`\kappa_1(t) + \tfrac12 t\,\kappa_0(t)` is ``layer_weights=(1/2, 1)``.

The recursion is written once, as data (:func:`recursion`, a
:class:`~symkernel.architectures.recursion.Recursion`): :func:`fc` unrolls it over the kernel algebra and
:mod:`symkernel.latex` displays the same assignments, so the displayed equations are the computed ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..algebra import Const, Input, exact_number, kappa
from ..errors import ParameterError, check_int
from ..kernel import Kernel
from ..parsing import read_number
from .recursion import Recursion

__all__ = ["fc", "arccos_kernel", "recursion", "recursion_from_info", "KINDS"]

KINDS = ("nngp", "ntk")
MAX_DEPTH = 1000


def check_kind(kind: Any) -> str:
    """Validate the kernel kind."""
    if kind not in KINDS:
        raise ParameterError("kind", kind, "one of 'nngp' (Gaussian-process kernel) or 'ntk'")
    return kind


def _per_layer(name: str, value: Any, count: int, default: Any) -> list:
    if value is None:
        return [exact_number(default, name)] * count
    if isinstance(value, bytes):
        raise ParameterError(name, value, "a non-negative number or a sequence of them")
    allowed = "a non-negative real number (or a string such as '1/2')"
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != count:
            raise ParameterError(name, value, f"a sequence of {count} values (one per Dense layer)")
        vals = [read_number(name, v, allowed) for v in value]
    else:
        vals = [read_number(name, value, allowed)] * count
    for v in vals:
        if v.is_negative:
            raise ParameterError(name, value, "non-negative values")
    return vals


# The recursion of SPEC §3, written once (module docstring).  Each function is one assignment of
# symkernel.architectures.recursion: (previous state, values already updated, layer parameters, kappa_n).
def _q_first(old, new, p, kappa):
    r""":math:`q_1 = t + \beta_1^2`: the first Dense layer on the input."""
    return old["t"] + p["beta"] ** 2


def _s_first(old, new, p, kappa):
    r""":math:`s_1 = 1 + \beta_1^2` (inputs on the unit sphere)."""
    return 1 + p["beta"] ** 2


def _theta_first(old, new, p, kappa):
    r""":math:`\Theta_1 = w_1 q_1`."""
    return p["w"] * new["q"]


def _q_next(old, new, p, kappa):
    r""":math:`q_{l+1} = s_l\,\kappa_1(q_l/s_l) + \beta_{l+1}^2`: ReLU, then Dense layer l + 1."""
    return old["s"] * kappa(1, old["q"] / old["s"]) + p["beta"] ** 2


def _s_next(old, new, p, kappa):
    r""":math:`s_{l+1} = s_l + \beta_{l+1}^2` (:math:`\kappa_1(1) = 1`)."""
    return old["s"] + p["beta"] ** 2


def _theta_next(old, new, p, kappa):
    r""":math:`\Theta_{l+1} = w_{l+1} q_{l+1} + \Theta_l\,\kappa_0(q_l/s_l)`."""
    return p["w"] * new["q"] + old["theta"] * kappa(0, old["q"] / old["s"])


def recursion(depth: int, kind: str = "ntk", bias: Any = 0, layer_weights: Sequence[Any] | None = None,
              normalize: bool = False) -> Recursion:
    r"""The layer recursion of :func:`fc` as data (:class:`~symkernel.architectures.recursion.Recursion`).

    :func:`fc` unrolls it over the kernel algebra; :mod:`symkernel.latex` displays it.  Bias-free kernels
    are displayed in the notation of Jacot et al. (2018), :math:`\Sigma_l = \kappa_1(\Sigma_{l-1})`,
    :math:`\Theta_l = \Sigma_l + \Theta_{l-1}\kappa_0(\Sigma_{l-1})` (:math:`\Sigma_l = q_{l+1}`, and
    :math:`s_l = 1`); with biases in the pre-activation covariances :math:`q_l` of the Dense layers.
    Parameters as in :func:`fc`.

    Examples
    --------
    >>> from symkernel.algebra import Input, kappa
    >>> recursion(1, "ntk").unroll(Input("t"), kappa)
    (kappa1(Input('t')) + (Input('t')*kappa0(Input('t'))))
    """
    depth = check_int("depth", depth, 1, MAX_DEPTH)
    kind = check_kind(kind)
    betas = _per_layer("bias", bias, depth + 1, 0)
    weights = _per_layer("layer_weights", layer_weights, depth + 1, 1)
    ntk = kind == "ntk"
    initial = (("q", _q_first), ("s", _s_first)) + ((("theta", _theta_first),) if ntk else ())
    layer = (("q", _q_next), ("s", _s_next)) + ((("theta", _theta_next),) if ntk else ())
    bias_free = all(b == 0 for b in betas)
    return Recursion(
        initial=initial, layer=layer, output="theta" if ntk else "q",
        params=tuple({"beta": b, "w": w} for b, w in zip(betas, weights)),
        defaults={"beta": sp.Integer(0), "w": sp.Integer(1)},
        symbols={"q": "Sigma" if bias_free else "q", "s": "s", "theta": "Theta", "beta": "beta", "w": "w"},
        first=0 if bias_free else 1, param_offset=1, normalized=bool(normalize),
        description=(r"Layer recursion (Jacot et al. 2018; Bietti & Mairal 2019)" if bias_free else
                     r"Layer recursion with biases (neural-tangents Dense(W_std=1, b_std=$\beta_1$), then "
                     r"$L$ times Relu, Dense(W_std=$\sqrt2$, b_std=$\beta_{l+1}$)); $q_l$ is the "
                     r"pre-activation covariance of Dense layer $l$, $s_l$ its diagonal"),
        labels={"beta": "bias standard deviations of the L + 1 Dense layers (neural-tangents b_std)",
                "w": "weights of the L + 1 Dense layers in the NTK (0 = not trained; Cao et al. 2019 use "
                     "1/2, 1)"})


def recursion_from_info(info: dict) -> Recursion:
    """The :func:`recursion` of a kernel built by :func:`fc`, from its ``info``."""
    weights = info.get("layer_weights")
    # info holds exact numbers as text: read back without eval (symkernel.parsing)
    return recursion(int(info["depth"]), info.get("kind", "ntk"),
                     [read_number("bias", b) for b in info["bias"]] if info.get("bias") else 0,
                     [read_number("layer_weights", w) for w in weights] if weights else None,
                     bool(info.get("normalized")))


def fc(depth: int, kind: str = "ntk", bias: Any = 0, layer_weights: Sequence[Any] | None = None,
       normalize: bool = False) -> Kernel:
    r"""NNGP or NTK of a bias-optional, He-scaled fully connected ReLU network (SPEC §3).

    Parameters
    ----------
    depth : int
        L ≥ 1, the number of hidden ReLU layers (the network has L + 1 Dense layers).
    kind : {"nngp", "ntk"}
    bias : number or sequence of L + 1 numbers
        Bias standard deviation β ≥ 0 of each Dense layer (neural-tangents ``b_std``).
    layer_weights : sequence of L + 1 numbers, optional
        Weight of each Dense layer's parameters in the NTK (0 = not trained); default all 1.
        ``(1/2, 1)`` with ``depth=1`` gives Cao et al.'s :math:`\kappa_1(t) + \frac12 t\kappa_0(t)`.
    normalize : bool
        Divide by :math:`K(1)` so that the kernel equals 1 on the diagonal.

    Examples
    --------
    >>> K = fc(1, "ntk")
    >>> K.expr_compact
    t*ArcCosKernel(0, t) + ArcCosKernel(1, t)
    >>> K.diagonal
    2
    """
    depth = check_int("depth", depth, 1, MAX_DEPTH)
    kind = check_kind(kind)
    betas = _per_layer("bias", bias, depth + 1, 0)
    weights = _per_layer("layer_weights", layer_weights, depth + 1, 1)
    if kind == "ntk" and all(w == 0 for w in weights):
        raise ParameterError("layer_weights", layer_weights, "at least one trained (non-zero) layer")
    node = recursion(depth, kind, betas, weights).unroll(Input("t"), kappa)
    info = {
        "arch": "fc",
        "kind": kind,
        "depth": depth,
        "depth_convention": "depth = number of hidden ReLU layers L (Bietti & Bach count L + 1 layers)",
        "bias": [str(b) for b in betas],
        "layer_weights": [str(w) for w in weights] if kind == "ntk" else None,
        "normalized": bool(normalize),
    }
    if normalize:
        from ..interpret.numeric import values_at_one

        node = node / values_at_one(node)[id(node)]
    name = f"FC {kind.upper()}, depth {depth}"
    if any(b != 0 for b in betas):
        name += ", bias"
    return Kernel(node, name, info)


def arccos_kernel(order: int = 1) -> Kernel:
    r"""The normalised arc-cosine kernel :math:`\kappa_n(t)` of Cho & Saul (2009) as a :class:`Kernel`."""
    order = check_int("order", order, 0, 20)
    return Kernel(kappa(order, Input("t")), f"arc-cosine kernel kappa_{order}",
                  {"arch": "arccos", "order": order})


_ = Const  # re-exported helpers are used by other architectures

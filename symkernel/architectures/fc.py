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
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..algebra import Const, Input, Node, exact_number, kappa, kappa0, kappa1
from ..errors import ParameterError, check_int
from ..kernel import Kernel

__all__ = ["fc", "arccos_kernel", "KINDS"]

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
    if isinstance(value, (str, bytes)):
        raise ParameterError(name, value, "a non-negative number or a sequence of them")
    if isinstance(value, Sequence):
        if len(value) != count:
            raise ParameterError(name, value, f"a sequence of {count} values (one per Dense layer)")
        vals = [exact_number(v, name) for v in value]
    else:
        vals = [exact_number(value, name)] * count
    for v in vals:
        if v.is_negative:
            raise ParameterError(name, value, "non-negative values")
    return vals


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
    t = Input("t")
    q: Node = t + betas[0] ** 2
    s = 1 + betas[0] ** 2
    theta: Node = weights[0] * q
    for layer in range(1, depth + 1):
        rho = q / s if s != 1 else q
        q = s * kappa1(rho) + betas[layer] ** 2
        theta = weights[layer] * q + theta * kappa0(rho)
        s = s + betas[layer] ** 2
    node = q if kind == "nngp" else theta
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

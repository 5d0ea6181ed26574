r"""Layer recursions as data: an architecture's equations, written once and read twice.

The kernel of an architecture is a recursion over its layers (SPEC §3–§5).  A :class:`Recursion` holds that
recursion as *assignments*: for each state variable, a function of the previous layer's state, of the
variables already updated in this layer, of the layer's parameters and of the arc-cosine kernels
:math:`\kappa_n`.  The same functions are read twice:

* :meth:`Recursion.unroll` applies them layer after layer to nodes of the kernel algebra
  (:mod:`symkernel.algebra`): the result *is* the kernel description that every interpreter reads;
* :mod:`symkernel.latex` applies them once to SymPy symbols (:math:`\Sigma_{l-1}`, :math:`\Theta_{l-1}`,
  :math:`\beta_{l+1}` …) and displays the equations it gets back.

Nothing is typed twice, so the displayed recursion cannot drift from the kernel that is computed.  Nothing
here evaluates anything: the functions only combine their arguments with ``+``, ``*``, ``/`` and
``kappa(n, ·)``, which the kernel algebra and SymPy both provide.

Examples
--------
>>> from symkernel.architectures.fc import recursion
>>> from symkernel.algebra import Input, kappa
>>> rec = recursion(2, "ntk")
>>> [var for var, _ in rec.layer]
['q', 's', 'theta']
>>> rec.unroll(Input("t"), kappa) is recursion(2, "ntk").unroll(Input("t"), kappa)   # hash-consed nodes
True
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Recursion", "Assignment", "recursion_of"]

#: ``(variable, f)`` with ``f(old, new, params, kappa)``: the value of ``variable`` after the layer, from the
#: previous state ``old``, the variables ``new`` already assigned in this layer (in order), the layer's
#: parameters and the arc-cosine kernels ``kappa(n, x)``.  For the initial assignments ``old`` is
#: ``{"t": t}``, the input.
Assignment = tuple[str, Callable[..., Any]]


@dataclass(frozen=True)
class Recursion:
    r"""A layer recursion: initial state, one layer's update, output, and the parameters of every layer.

    Attributes
    ----------
    initial : tuple of (variable, f)
        The state before the first layer, as assignments ``f({"t": t}, new, params[0], kappa)``.
    layer : tuple of (variable, f)
        One layer, as assignments ``f(old, new, params[l], kappa)`` applied in order (a later assignment may
        read the variables already updated through ``new``).
    output : str or callable
        The state variable that is the kernel after the last layer (before any normalisation), or a function
        ``output(state)`` of the final state and the input ``state["t"]`` (a weighted sum of state
        variables, as in the forward form of the ResNTK).
    params : tuple of dict
        ``params[0]`` for the initial assignments, ``params[l]`` for layer l = 1..L (exact SymPy numbers).
    defaults : dict
        For each parameter, the value at which it is absent (a bias 0, a layer weight 1): a parameter that
        has this value in every layer is displayed by its value, any other by its symbol.
    symbols : dict
        Display name of each state variable and parameter (a SymPy symbol base name: ``"Sigma"``,
        ``"Theta"``, ``"beta"`` …).
    first : int
        Index of the initial state in the displayed notation: 0 for :math:`\Sigma_0 = t` (Jacot et al.),
        1 for :math:`q_1 = t + \beta_1^2` (the pre-activation of Dense layer 1).
    param_offset : int
        Displayed index of ``params[0]``: the parameters of the step to state ``first + l`` carry the
        index ``l + param_offset``.
    normalized : bool
        Whether the kernel is the output divided by its value at t = 1.
    description : str
        What the recursion is and where it comes from (plain text with ``$...$`` inline math), shown before
        the equations.
    labels : dict
        What each parameter is, in words (shown with its values when they are not the defaults).
    """

    initial: tuple[Assignment, ...]
    layer: tuple[Assignment, ...]
    output: str | Callable[[Mapping[str, Any]], Any]
    params: tuple[Mapping[str, Any], ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    symbols: Mapping[str, str] = field(default_factory=dict)
    first: int = 0
    param_offset: int = 1
    normalized: bool = False
    description: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def depth(self) -> int:
        """The number of layers L (applications of :attr:`layer`)."""
        return len(self.params) - 1

    @staticmethod
    def assign(assignments: tuple[Assignment, ...], old: Mapping[str, Any], params: Mapping[str, Any],
               kappa: Callable[[int, Any], Any]) -> dict[str, Any]:
        """Apply ``assignments`` in order; returns the new values by variable."""
        new: dict[str, Any] = {}
        for var, f in assignments:
            new[var] = f(old, new, params, kappa)
        return new

    def unroll(self, t: Any, kappa: Callable[[int, Any], Any]) -> Any:
        """The output after all layers, from the input ``t`` (a kernel-algebra node, or any value that
        supports the same arithmetic with ``kappa``)."""
        state = self.assign(self.initial, {"t": t}, self.params[0], kappa)
        for p in self.params[1:]:
            state = self.assign(self.layer, state, p, kappa)
        return self.output({"t": t, **state}) if callable(self.output) else state[self.output]


def recursion_of(kernel: Any) -> Recursion | None:
    """The :class:`Recursion` a kernel was built from, or None when its architecture does not expose one.

    An architecture module exposes its recursion by a function ``recursion_from_info(info)`` that rebuilds it
    from the kernel's ``info`` (depth, kind, parameters, normalisation).
    """
    arch = (getattr(kernel, "info", None) or {}).get("arch")
    if not isinstance(arch, str) or not arch.isidentifier():
        return None
    try:
        module = importlib.import_module(f"{__package__}.{arch}")
    except ModuleNotFoundError:
        return None
    build = getattr(module, "recursion_from_info", None)
    return build(kernel.info) if build is not None else None

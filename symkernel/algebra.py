r"""The kernel algebra: an immutable expression graph that describes a kernel once.

A kernel of an infinitely wide ReLU network is a short recursion over a handful of operations: named inputs
(the dot product ``t``, or one ``t_i`` per pixel), exact constants, sums, products, and composition with an
arc-cosine kernel :math:`\kappa_n` (plus ``exp`` and ``sqrt`` for the comparison kernels).  Architectures
(:mod:`symkernel.architectures`) build such a description; interpreters (:mod:`symkernel.interpret`) give it
meaning: a SymPy expression, values at any precision, power series, structural zeros.

Nodes are *hash-consed*: building the same sub-expression twice returns the same object, so a recursion that
mentions :math:`\Sigma^{(l)}` three times stores it once, and interpreters that memoise on node identity
cost time linear in the depth.

Conventions
-----------
* Every :class:`Node` carries its ``op`` (``"input"``, ``"const"``, ``"add"``, ``"mul"``, ``"kappa"``,
  ``"exp"``, ``"sqrt"``), its children ``args`` and an op-specific ``data``: the input's name, the constant's
  exact SymPy value, or the order n of :math:`\kappa_n`.
* Constants are exact: Python ints and fractions become SymPy rationals, a Python float is read through its
  shortest decimal representation (``0.1`` is 1/10, never the binary double), SymPy numbers stay as they are.
* :math:`\kappa_n` may only be applied to a *correlation*: a node whose value is 1 when every input is 1
  (the interpreters check this where they can; see :func:`value_at_one`).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from fractions import Fraction
from numbers import Integral, Real
from typing import Any

import sympy as sp

from .errors import ParameterError

__all__ = [
    "Node",
    "Input",
    "Const",
    "as_node",
    "kappa0",
    "kappa1",
    "kappa",
    "exp",
    "sqrt",
    "postorder",
    "inputs_of",
    "value_at_one",
    "node_count",
    "as_description",
]

_OPS = ("input", "const", "add", "mul", "kappa", "exp", "sqrt")
_INTERN: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def exact_number(value: Any, name: str = "constant") -> sp.Expr:
    """Convert a user number to an exact real SymPy number (floats through their decimal repr)."""
    if isinstance(value, bool):
        raise ParameterError(name, value, "a real number")
    if isinstance(value, sp.Basic):
        v = sp.sympify(value)
        if not v.is_number or v.is_real is False:
            raise ParameterError(name, value, "a real number (exact SymPy expressions are allowed)")
        return v
    if isinstance(value, Integral):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if hasattr(value, "_mpf_"):
        import mpmath

        if not mpmath.isfinite(value):
            raise ParameterError(name, value, "a finite real number")
        sign, man, e, _ = value._mpf_  # exact binary value of an mpf: (-1)^sign * man * 2^e
        return (-1) ** int(sign) * sp.Integer(int(man)) * sp.Integer(2) ** int(e)
    if isinstance(value, Real):
        f = float(value)
        if f != f or f in (float("inf"), float("-inf")):
            raise ParameterError(name, value, "a finite real number")
        return sp.Rational(repr(f))
    raise ParameterError(name, value, "a real number")


class Node:
    """A node of the kernel description graph (immutable, hash-consed).

    Build nodes with :class:`Input`, :class:`Const`, the arithmetic operators and :func:`kappa0`,
    :func:`kappa1`, :func:`kappa`, :func:`exp`, :func:`sqrt`; never call the constructor directly.
    """

    __slots__ = ("op", "args", "data", "__weakref__", "_hash")

    op: str
    args: tuple[Node, ...]
    data: Any

    def __new__(cls, op: str, args: tuple[Node, ...] = (), data: Any = None) -> Node:
        if op not in _OPS:
            raise ValueError(f"unknown op {op!r}")
        key = (op, tuple(id(a) for a in args), data)
        node = _INTERN.get(key)
        if node is not None:
            return node
        node = object.__new__(cls)
        object.__setattr__(node, "op", op)
        object.__setattr__(node, "args", tuple(args))
        object.__setattr__(node, "data", data)
        object.__setattr__(node, "_hash", hash(key))
        _INTERN[key] = node
        return node

    def __setattr__(self, name: str, value: Any) -> None:  # immutability
        raise AttributeError("kernel description nodes are immutable")

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other

    def __reduce__(self):
        return (Node, (self.op, self.args, self.data))

    # arithmetic ---------------------------------------------------------------------------------
    def __add__(self, other: Any) -> Node:
        return _add(self, as_node(other))

    __radd__ = __add__

    def __mul__(self, other: Any) -> Node:
        return _mul(self, as_node(other))

    __rmul__ = __mul__

    def __neg__(self) -> Node:
        return _mul(Const(-1), self)

    def __sub__(self, other: Any) -> Node:
        return _add(self, -as_node(other))

    def __rsub__(self, other: Any) -> Node:
        return _add(as_node(other), -self)

    def __truediv__(self, other: Any) -> Node:
        c = exact_number(other, "divisor") if not isinstance(other, Node) else None
        if c is None:
            if other.op != "const":
                raise TypeError("division is only by constants in the kernel algebra")
            c = other.data
        if c == 0:
            raise ZeroDivisionError("division of a kernel by zero")
        return _mul(self, Const(1 / c))

    def __pow__(self, k: int) -> Node:
        if not isinstance(k, Integral) or k < 0:
            raise TypeError("only non-negative integer powers of kernel nodes are supported")
        out: Node = Const(1)
        for _ in range(int(k)):
            out = out * self
        return out

    def __repr__(self) -> str:
        if self.op == "input":
            return f"Input({self.data!r})"
        if self.op == "const":
            return f"Const({self.data})"
        if self.op == "kappa":
            return f"kappa{self.data}({self.args[0]!r})"
        if self.op in ("add", "mul"):
            sep = " + " if self.op == "add" else "*"
            return "(" + sep.join(repr(a) for a in self.args) + ")"
        return f"{self.op}({self.args[0]!r})"


def Input(name: str = "t") -> Node:
    """A named input: ``"t"`` for dot-product kernels, ``"t_0"``, ``"t_1"``… per pixel."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ParameterError("name", name, "an identifier such as 't' or 't_3'")
    return Node("input", (), name)


def Const(value: Any) -> Node:
    """An exact constant (see :func:`exact_number` for how floats are read)."""
    return Node("const", (), exact_number(value))


def as_node(x: Any) -> Node:
    """Return ``x`` if it is a :class:`Node`, else the constant node of ``x``."""
    return x if isinstance(x, Node) else Const(x)


def _flatten(op: str, items: Iterable[Node]) -> Iterator[Node]:
    for it in items:
        if it.op == op:
            yield from it.args
        else:
            yield it


def _add(*items: Node) -> Node:
    terms = list(_flatten("add", items))
    const = sum((t.data for t in terms if t.op == "const"), sp.Integer(0))
    rest = [t for t in terms if t.op != "const"]
    if const != 0 or not rest:
        rest.append(Const(const))
    if len(rest) == 1:
        return rest[0]
    return Node("add", tuple(rest))


def _mul(*items: Node) -> Node:
    factors = list(_flatten("mul", items))
    const = sp.Integer(1)
    for f in factors:
        if f.op == "const":
            const = const * f.data
    rest = [f for f in factors if f.op != "const"]
    if const == 0:
        return Const(0)
    if not rest:
        return Const(const)
    if const != 1:
        rest.insert(0, Const(const))
    if len(rest) == 1:
        return rest[0]
    return Node("mul", tuple(rest))


def kappa(n: int, x: Any) -> Node:
    r"""Compose with the normalised arc-cosine kernel :math:`\kappa_n` (see :mod:`symkernel.arccos`)."""
    if isinstance(n, bool) or not isinstance(n, Integral) or not 0 <= n <= 20:
        raise ParameterError("order", n, "an integer in [0, 20]")
    x = as_node(x)
    return Node("kappa", (x,), int(n))


def kappa0(x: Any) -> Node:
    r""":math:`\kappa_0(x) = 1 - \arccos(x)/\pi` (step activation)."""
    return kappa(0, x)


def kappa1(x: Any) -> Node:
    r""":math:`\kappa_1(x) = (\sqrt{1-x^2} + (\pi - \arccos x)x)/\pi` (ReLU activation)."""
    return kappa(1, x)


def exp(x: Any) -> Node:
    """Exponential of a node."""
    return Node("exp", (as_node(x),))


def sqrt(x: Any) -> Node:
    """Principal square root of a node (its argument must stay positive where it is expanded)."""
    return Node("sqrt", (as_node(x),))


def as_description(kernel: Any) -> Node:
    """The description of ``kernel``: a :class:`Node` itself, or the ``.node`` of a Kernel object.

    Every function that accepts "a kernel" (interpreters, spectra, asymptotics, bounds) calls this, so that
    both forms are accepted with the same error.
    """
    if isinstance(kernel, Node):
        return kernel
    node = getattr(kernel, "node", None)
    if isinstance(node, Node):
        return node
    raise ParameterError("kernel", kernel, "a kernel description (Node) or a Kernel object")


def postorder(root: Node) -> list[Node]:
    """All distinct nodes below ``root`` (itself included), children before parents."""
    order: list[Node] = []
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for a in reversed(node.args):
            if id(a) not in seen:
                stack.append((a, False))
    return order


def node_count(root: Node) -> int:
    """Number of distinct nodes in the description (the cost unit of the interpreters)."""
    return len(postorder(root))


def inputs_of(root: Node) -> tuple[str, ...]:
    """Names of the inputs the description depends on, sorted."""
    return tuple(sorted({n.data for n in postorder(root) if n.op == "input"}))


def value_at_one(root: Node) -> sp.Expr:
    r"""Exact value of the description when every input equals 1 (the diagonal :math:`K(1)`)."""
    from .interpret.symbolic import symbolic

    names = inputs_of(root)
    return sp.nsimplify(symbolic(root).subs({sp.Symbol(n, real=True): 1 for n in names}))

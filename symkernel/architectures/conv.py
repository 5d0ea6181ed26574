r"""Convolutional networks on the multisphere: CGPK (NNGP) and CNTK with ``eq``, ``tr`` and ``gap`` heads.

The recursion of SPEC §5 (Geifman et al. 2022; Arora et al. 2019), written once in the kernel algebra.
Input :math:`x \in MS(\zeta, p) = (S^{\zeta-1})^p`: p pixels on a cyclic grid (1-D, or a 2-D torus
:math:`p_1\times p_2`), each pixel a unit vector of :math:`\zeta` channels.  The network is a 1×1
convolution, then L - 1 convolutions with odd filter q (``q × q`` on a 2-D grid), stride 1, cyclic padding,
He scaling :math:`\sqrt{2/(q^{\dim} C)}` (each patch *sum* becomes a patch *average*), ReLU, infinitely many
channels C, and one of three heads reading :math:`\mathrm{relu}(f^{(L)})`.  With r = (q-1)/2, indices
modulo the grid and :math:`\mathcal A = \{-r..r\}^{\dim}` the filter offsets:

.. math::
    \Sigma^{(1)}_{ij} = \Theta^{(1)}_{ij} = \langle x_i, x'_j\rangle, \qquad
    \Sigma^{(l)}_{ij} = \frac{1}{|\mathcal A|}\sum_{a\in\mathcal A}\kappa_1(\Sigma^{(l-1)}_{i+a,\,j+a}),

    \Theta^{(l)}_{ij} = \frac{1}{|\mathcal A|}\sum_{a\in\mathcal A}
        \big[\Theta^{(l-1)}\kappa_0(\Sigma^{(l-1)}) + \kappa_1(\Sigma^{(l-1)})\big]_{i+a,\,j+a},

    G = \kappa_1(\Sigma^{(L)}), \qquad H = \Theta^{(L)}\kappa_0(\Sigma^{(L)}) + \kappa_1(\Sigma^{(L)}),

and CGPK ``eq`` :math:`= G_{oo}` (one output pixel o, default 0), ``tr`` :math:`= \frac1p\sum_i G_{ii}`,
``gap`` :math:`= \frac1{p^2}\sum_{ij} G_{ij}`; the CNTK is the same with H.  Unnormalised, the diagonal
values are :math:`K(1) = 1` (CGPK) and :math:`L + 1` (CNTK).

Inputs of the description (named inputs of :mod:`symkernel.algebra`):

* ``eq`` and ``tr`` are *multi-dot-product* kernels: they depend on x, x' only through the per-pixel inner
  products :math:`t_i = \langle x_i, x'_i\rangle`, inputs ``"t_i"`` (i the flat pixel index; for a 2-D grid
  :math:`i = i_1 p_2 + i_2`).  ``eq`` is built over its receptive field only: the
  :math:`(L-1)(q-1)+1` pixels (per axis) within distance :math:`(L-1)r` of the output pixel.
* ``gap`` needs every cross product: ``"t_i"`` for :math:`\langle x_i, x'_i\rangle` and ``"s_i_j"`` for
  :math:`\langle x_i, x'_j\rangle`, :math:`i \ne j`.

Conventions that papers differ on are options (defaults in brackets, matching SPEC §5 and the finite-width
network :func:`symkernel.networks.conv_network_kernels`):

* ``readout_relu`` [True]: the head reads :math:`\mathrm{relu}(f^{(L)})`; with False it reads
  :math:`f^{(L)}` linearly, so :math:`G = \Sigma^{(L)}` and :math:`H = \Theta^{(L)} + \Sigma^{(L)}`.
* ``train_first_layer`` [True]: False sets :math:`\Theta^{(1)} = 0` (the 1×1 convolution is frozen).
* ``train_readout`` [True]: False drops the readout's term :math:`\kappa_1(\Sigma^{(L)})` from H.
* ``normalize`` [False]: divide by :math:`K(1)` (for the default CNTK this is the division by
  :math:`L + 1`, "division by depth").

``depth`` = L counts the 1×1 convolution: L = 1 is a single hidden layer of 1×1 convolutions (a
per-pixel two-layer network), and the receptive field of ``eq`` has :math:`(L-1)(q-1)+1` pixels per axis.

The values of neural-tangents with ``Conv(W_std=√2, padding='CIRCULAR')`` layers (first layer included)
are these times :math:`2/\zeta` (SPEC §5).

References
----------
A. Geifman, M. Galun, D. Jacobs, R. Basri, "On the spectral bias of convolutional neural tangent and Gaussian
process kernels", NeurIPS 2022.  S. Arora, S. S. Du, W. Hu, Z. Li, R. Salakhutdinov, R. Wang, "On exact
computation with an infinitely wide neural net", NeurIPS 2019 (CNTK).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from ..algebra import Const, Input, Node, kappa0, kappa1
from ..errors import ParameterError, check_int
from ..kernel import Kernel
from .fc import check_kind

__all__ = ["conv", "ConvKernel", "Grid", "HEADS", "from_cli", "parse_pixels", "path_counts"]

HEADS = ("eq", "tr", "gap")
MAX_DEPTH = 64
MAX_CHANNELS = 10**6
#: refuse descriptions above this many (estimated) nodes (SPEC §9c)
MAX_NODES = 2_000_000
#: rows of a multisphere point whose norm is within this of 1 are accepted (and normalised)
UNIT_TOLERANCE = 1e-8


# ---------------------------------------------------------------------------------------------- grid
@dataclass(frozen=True)
class Grid:
    """A cyclic pixel grid (1-D ring or 2-D torus) with flat pixel indices in row-major order.

    Attributes
    ----------
    shape : tuple of int
        ``(p,)`` or ``(p1, p2)``.
    """

    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        """Number of pixels p (= p1 p2 on a torus)."""
        return math.prod(self.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def coords(self, i: int) -> tuple[int, ...]:
        """Grid coordinates of the flat index ``i``."""
        return tuple(int(c) for c in np.unravel_index(i, self.shape))

    def flat(self, coords: Sequence[int]) -> int:
        """Flat index of (cyclically reduced) coordinates."""
        return int(np.ravel_multi_index(tuple(c % n for c, n in zip(coords, self.shape)), self.shape))

    def shift(self, i: int, offset: Sequence[int]) -> int:
        """Flat index of pixel ``i`` moved by ``offset`` (cyclically)."""
        return self.flat([c + o for c, o in zip(self.coords(i), offset)])

    def offsets(self, q: int) -> list[tuple[int, ...]]:
        """The filter offsets :math:`\\{-r..r\\}^{\\dim}`, r = (q-1)/2, in row-major order."""
        r = (q - 1) // 2
        return list(itertools.product(range(-r, r + 1), repeat=self.ndim))

    def translations(self) -> list[tuple[int, ...]]:
        """All cyclic translations of the grid (the group :math:`\\mathbb Z_{p_1}\\times\\dots`)."""
        return list(itertools.product(*(range(n) for n in self.shape)))

    def permutation(self, m: Sequence[int]) -> np.ndarray:
        """``perm[i]`` = index of pixel i shifted by m: :math:`(s^m x)_i = x_{i+m}` reads ``x[perm]``."""
        return np.array([self.shift(i, m) for i in range(self.size)], dtype=int)


def parse_pixels(pixels: Any) -> tuple[int, ...]:
    """``8`` -> (8,), ``(4, 4)`` or ``"4x4"`` -> (4, 4) (validated: every side ≥ 1)."""
    if isinstance(pixels, str):
        parts = pixels.lower().replace("×", "x").split("x")
        try:
            shape = tuple(int(s) for s in parts)
        except ValueError:
            raise ParameterError("pixels", pixels, "an integer p >= 1 or a torus p1xp2") from None
    elif isinstance(pixels, (tuple, list)):
        shape = tuple(pixels)
    else:
        shape = (pixels,)
    if not 1 <= len(shape) <= 2:
        raise ParameterError("pixels", pixels, "an integer p >= 1 (1-D ring) or a pair (p1, p2) (2-D torus)")
    return tuple(check_int("pixels", s, 1, 10**6) for s in shape)


def path_counts(depth: int, filter: int, grid: Grid, output_pixel: int = 0) -> dict[int, int]:
    r"""Number of paths from the output pixel to each input pixel through the L - 1 convolutions.

    The count for offset d is the coefficient of :math:`z^d` in :math:`(z^{-r}+\dots+z^{r})^{L-1}`
    (per axis, multiplied over the axes), summed over offsets that coincide modulo the grid.  For
    L = 3, q = 3 on a 1-D grid with p ≥ 5: 1, 2, 3, 2, 1 (offsets -2..2).

    Examples
    --------
    >>> sorted(path_counts(3, 3, Grid((8,))).items())
    [(0, 3), (1, 2), (2, 1), (6, 1), (7, 2)]
    """
    counts: dict[int, int] = {output_pixel: 1}
    for _ in range(depth - 1):
        nxt: dict[int, int] = {}
        for i, c in counts.items():
            for a in grid.offsets(filter):
                j = grid.shift(i, a)
                nxt[j] = nxt.get(j, 0) + c
        counts = nxt
    return counts


def _receptive_offsets(depth: int, filter: int, grid: Grid) -> list[tuple[int, ...]]:
    R = (depth - 1) * (filter - 1) // 2
    return list(itertools.product(range(-R, R + 1), repeat=grid.ndim))


# ---------------------------------------------------------------------------------------- recursion
def _mean(nodes: Iterable[Node], count: int) -> Node:
    total: Node = Const(0)
    for n in nodes:
        total = total + n
    return total * Const(sp.Rational(1, count))


def _diag_recursion(depth: int, q: int, grid: Grid, needed_top: set[int], first_trained: bool):
    """Diagonal entries Σ^{(L)}_{ii}, Θ^{(L)}_{ii} for i in ``needed_top`` (eq, tr)."""
    offs = grid.offsets(q)
    A = len(offs)
    needed = [set(needed_top)]
    for _ in range(depth - 1):
        needed.append({grid.shift(i, a) for i in needed[-1] for a in offs})
    needed = needed[::-1]  # needed[l-1] = pixels needed at layer l
    sig = {i: Input(f"t_{i}") for i in needed[0]}
    th = {i: (sig[i] if first_trained else Const(0)) for i in needed[0]}
    for layer in range(1, depth):
        new_sig, new_th = {}, {}
        for i in needed[layer]:
            src = [grid.shift(i, a) for a in offs]
            new_sig[i] = _mean((kappa1(sig[j]) for j in src), A)
            new_th[i] = _mean((th[j] * kappa0(sig[j]) + kappa1(sig[j]) for j in src), A)
        sig, th = new_sig, new_th
    return sig, th


def _cross_name(i: int, j: int) -> str:
    return f"t_{i}" if i == j else f"s_{i}_{j}"


def _cross_recursion(depth: int, q: int, grid: Grid, first_trained: bool):
    """Full cross matrices Σ^{(L)}_{ij}, Θ^{(L)}_{ij} (gap)."""
    offs = grid.offsets(q)
    A = len(offs)
    P = grid.size
    sig = {(i, j): Input(_cross_name(i, j)) for i in range(P) for j in range(P)}
    th = {k: (v if first_trained else Const(0)) for k, v in sig.items()}
    for _ in range(1, depth):
        new_sig, new_th = {}, {}
        for i in range(P):
            for j in range(P):
                src = [(grid.shift(i, a), grid.shift(j, a)) for a in offs]
                new_sig[i, j] = _mean((kappa1(sig[s]) for s in src), A)
                new_th[i, j] = _mean((th[s] * kappa0(sig[s]) + kappa1(sig[s]) for s in src), A)
        sig, th = new_sig, new_th
    return sig, th


def _readout(kind: str, sig: Node, th: Node, relu: bool, train_readout: bool) -> Node:
    if kind == "nngp":
        return kappa1(sig) if relu else sig
    if relu:
        out = th * kappa0(sig)
        return out + kappa1(sig) if train_readout else out
    return th + sig if train_readout else th


# -------------------------------------------------------------------------------------------- kernel
@dataclass(frozen=True)
class ConvKernel(Kernel):
    """A convolutional kernel on the multisphere (a :class:`~symkernel.kernel.Kernel` with helpers).

    Besides everything a :class:`Kernel` offers (``expr``, values at named inputs ``K(t_0=…, …)``), it
    evaluates at multisphere points (:meth:`at`), at per-pixel inner products (:meth:`at_t`), and knows its
    grid, receptive field and path counts (``info``).
    """

    # ------------------------------------------------------------------ metadata
    @property
    def head(self) -> str:
        return self.info["head"]

    @property
    def grid(self) -> Grid:
        return Grid(tuple(self.info["grid"]))

    @property
    def channels(self) -> int:
        return self.info["channels"]

    @property
    def receptive_field(self) -> list[int]:
        """Flat pixel indices the kernel depends on through :math:`t_i` (sorted)."""
        return list(self.info["receptive_field"])

    def variable_of(self, pixel: int) -> str:
        """Input name of the per-pixel inner product of ``pixel``."""
        return f"t_{pixel}"

    # ------------------------------------------------------------------ inputs
    def _points(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray, bool]:
        shape = tuple(self.info["grid"]) + (self.channels,)
        xv = np.asarray(x, dtype=float)
        yv = np.asarray(y, dtype=float)
        flat_shape = (self.grid.size, self.channels)
        if xv.shape == shape or xv.shape == flat_shape:
            xv = xv.reshape(flat_shape)
        else:
            raise ParameterError("x", xv.shape, f"an array of shape {shape} (pixels x channels)")
        single = yv.shape in (shape, flat_shape)
        if single:
            yv = yv.reshape((1,) + flat_shape)
        elif yv.ndim >= 2 and yv.shape[1:] in (shape, flat_shape):
            yv = yv.reshape((yv.shape[0],) + flat_shape)
        else:
            raise ParameterError("y", yv.shape, f"an array of shape {shape} or a batch (m,) + {shape}")
        for name, arr in (("x", xv), ("y", yv)):
            if not np.all(np.isfinite(arr)):
                raise ParameterError(name, "non-finite", "finite unit vectors per pixel")
            norms = np.linalg.norm(arr, axis=-1)
            if np.any(np.abs(norms - 1) > UNIT_TOLERANCE):
                worst = float(np.max(np.abs(norms - 1)))
                raise ParameterError(name, f"a row of norm off by {worst:.3g}",
                                     f"a point of the multisphere MS({self.channels}, {self.grid.size}): "
                                     f"every pixel a unit vector (tolerance {UNIT_TOLERANCE})")
        xv = xv / np.linalg.norm(xv, axis=-1, keepdims=True)
        yv = yv / np.linalg.norm(yv, axis=-1, keepdims=True)
        return xv, yv, single

    def angles_at(self, x: Any, y: Any) -> tuple[dict[str, np.ndarray], bool]:
        r"""Angles :math:`\arccos\langle x_i, y_j\rangle` of every input of the description, float64,
        computed as :math:`2\,\mathrm{atan2}(|x-y|, |x+y|)` (no loss near 0 or π).

        Returns ``(angles, single)``: arrays of shape (m,) for a batch of m points y.
        """
        xv, yv, single = self._points(x, y)
        out = {}
        for name in self.inputs:
            parts = name.split("_")
            i = int(parts[1])
            j = int(parts[2]) if len(parts) == 3 else i
            d = np.linalg.norm(xv[i][None, :] - yv[:, j, :], axis=-1)
            s = np.linalg.norm(xv[i][None, :] + yv[:, j, :], axis=-1)
            out[name] = 2 * np.arctan2(d, s)
        return out, single

    def at(self, x: Any, y: Any, dps: int | None = None):
        r"""The kernel value :math:`K(x, y)` at multisphere points (arrays of shape (p, ζ), or
        (p1, p2, ζ) on a torus; ``y`` may be a batch (m, p, ζ)).

        ``dps=None`` evaluates in float64 from the angles (vectorised over the batch); an integer
        evaluates each value in mpmath to ``dps`` digits, the rows read as exact binary numbers and
        normalised at working precision.
        """
        if dps is None:
            angles, single = self.angles_at(x, y)
            v = _evaluate_angles(self.node, angles)
            return float(v[0]) if single else v
        from ..interpret.numeric import evaluate, mp_context

        xv, yv, single = self._points(x, y)
        ctx = mp_context(int((dps + 20) * 3.33) + 10)
        X = [[ctx.mpf(float(c)) for c in row] for row in np.asarray(x, dtype=float).reshape(xv.shape)]
        raw_y = np.asarray(y, dtype=float).reshape(yv.shape)
        Xn = [ctx.sqrt(ctx.fsum(c * c for c in row)) for row in X]
        values = []
        for b in range(raw_y.shape[0]):
            Y = [[ctx.mpf(float(c)) for c in row] for row in raw_y[b]]
            Yn = [ctx.sqrt(ctx.fsum(c * c for c in row)) for row in Y]
            point = {}
            for name in self.inputs:
                parts = name.split("_")
                i = int(parts[1])
                j = int(parts[2]) if len(parts) == 3 else i
                c = ctx.fdot(X[i], Y[j]) / (Xn[i] * Yn[j])
                c = max(min(c, ctx.mpf(1)), ctx.mpf(-1))
                point[name] = c
            values.append(evaluate(self.node, point, dps))
        return values[0] if single else values

    def at_t(self, t: Any, dps: int | None = None):
        r"""The kernel at a vector of per-pixel inner products :math:`t = (t_0, \dots, t_{p-1})` (``eq``,
        ``tr``).  ``t`` has one entry per pixel of the grid (flat order); entries outside the receptive
        field of ``eq`` are ignored.  ``dps=None``: float64, ``t`` may be a batch of shape (m, p).
        """
        if self.head == "gap":
            raise ParameterError("head", "gap", "eq or tr: the gap head depends on the cross products "
                                 "<x_i, x'_j>; use at(x, y)")
        p = self.grid.size
        if dps is None:
            from ..interpret.numeric import evaluate_numpy

            arr = np.asarray(t, dtype=float)
            single = arr.ndim == 1
            arr = np.atleast_2d(arr)
            if arr.shape[-1] != p:
                raise ParameterError("t", arr.shape, f"{p} per-pixel inner products (one per pixel)")
            if np.any(np.abs(arr) > 1 + 1e-12) or not np.all(np.isfinite(arr)):
                raise ParameterError("t", "a value outside [-1, 1]", "per-pixel inner products in [-1, 1]")
            point = {name: np.clip(arr[:, int(name[2:])], -1, 1) for name in self.inputs}
            v = evaluate_numpy(self.node, point=point)
            return float(v[0]) if single else v
        vals = list(t)
        if len(vals) != p:
            raise ParameterError("t", len(vals), f"{p} per-pixel inner products (one per pixel)")
        return self(dps=dps, **{name: vals[int(name[2:])] for name in self.inputs})

    def numpy_t(self, point: dict[str, Any] | None = None, angles: dict[str, Any] | None = None):
        """Vectorised float64 values at named inputs (values ``point`` or angles ``angles``)."""
        from ..interpret.numeric import evaluate_numpy

        return evaluate_numpy(self.node, point=point, angles=angles)


def _evaluate_angles(node: Node, angles: dict[str, np.ndarray]) -> np.ndarray:
    """Float64 values from input angles (arrays of one shape), any number of inputs."""
    from ..interpret import numeric

    return numeric.evaluate_numpy(node, angles=angles)


# ----------------------------------------------------------------------------------------- public API
def conv(head: str = "eq", depth: int = 2, filter: int = 3, pixels: Any = 8, channels: int = 3,
         kind: str = "ntk", *, readout_relu: bool = True, train_first_layer: bool = True,
         train_readout: bool = True, normalize: bool = False, output_pixel: int = 0) -> ConvKernel:
    r"""CGPK (``kind="nngp"``) or CNTK (``kind="ntk"``) of a cyclic convolutional ReLU network (SPEC §5).

    Parameters
    ----------
    head : {"eq", "tr", "gap"}
        ``eq``: the output at one pixel (shift-equivariant network); ``tr``: a fully connected readout
        (:math:`\frac1p\sum_i G_{ii}`); ``gap``: global average pooling (:math:`\frac1{p^2}\sum_{ij}G_{ij}`).
    depth : int
        L ≥ 1: one 1×1 convolution and L - 1 convolutions of size q.
    filter : int
        Odd filter size q, 1 ≤ q ≤ p (q × q on a 2-D grid, q ≤ min(p1, p2)).
    pixels : int, (int, int) or "p1xp2"
        p ≥ 1 pixels on a cyclic 1-D grid, or a p1 × p2 torus.
    channels : int
        ζ ≥ 2 channels per pixel (each pixel lives on :math:`S^{\zeta-1}`); enters the spectrum and the
        input validation, not the kernel as a function of the inner products.
    kind : {"nngp", "ntk"}
    readout_relu, train_first_layer, train_readout, normalize : bool
        Conventions (module docstring).
    output_pixel : int
        Flat index of the output pixel of ``eq`` (default 0, SPEC's :math:`G_{00}`).

    Returns
    -------
    ConvKernel

    Notes
    -----
    Cost: ``eq`` has :math:`O(L\,|RF|\,q)` nodes, ``tr`` :math:`O(L\,p\,q)`, ``gap`` :math:`O(L\,p^2 q)`
    (q → q² on a torus); descriptions above ``MAX_NODES`` are refused.

    Examples
    --------
    >>> K = conv("eq", depth=2, filter=3, pixels=5, channels=3, kind="nngp")
    >>> K.inputs
    ('t_0', 't_1', 't_4')
    >>> float(K.at_t([1, 1, 1, 1, 1]))
    1.0
    >>> conv("tr", depth=3, filter=3, pixels=4, kind="ntk").diagonal
    4
    """
    if head not in HEADS:
        raise ParameterError("head", head, "one of 'eq' (one output pixel), 'tr' (fully connected "
                             "readout), 'gap' (global average pooling)")
    depth = check_int("depth", depth, 1, MAX_DEPTH)
    shape = parse_pixels(pixels)
    grid = Grid(shape)
    if isinstance(filter, bool) or not isinstance(filter, (int, np.integer)):
        raise ParameterError("filter", filter, "an odd integer q >= 1")
    filter = int(filter)
    if filter < 1 or filter % 2 == 0:
        raise ParameterError("filter", filter, "an odd integer q >= 1 (the filter is centred)")
    if filter > min(shape):
        raise ParameterError("filter", filter, f"filter wider than the image: q <= {min(shape)} pixels")
    channels = check_int("channels", channels, 2, MAX_CHANNELS)
    kind = check_kind(kind)
    output_pixel = check_int("output_pixel", output_pixel, 0, grid.size - 1)
    for name, flag in (("readout_relu", readout_relu), ("train_first_layer", train_first_layer),
                       ("train_readout", train_readout), ("normalize", normalize)):
        if not isinstance(flag, (bool, np.bool_)):
            raise ParameterError(name, flag, "True or False")
    if kind == "ntk" and depth == 1 and not train_first_layer and not train_readout:
        raise ParameterError("train_readout", train_readout, "True when depth=1 and the first layer is "
                             "frozen (otherwise nothing is trained)")
    A = filter ** grid.ndim
    P = grid.size
    estimate = {"eq": depth * len(_receptive_offsets(depth, filter, grid)) * A * 6,
                "tr": depth * P * A * 6, "gap": depth * P * P * A * 6}[head]
    if estimate > MAX_NODES:
        raise ParameterError("pixels", pixels, f"a smaller problem: the {head} description would have "
                             f"~{estimate:.2e} nodes (limit {MAX_NODES:.0e}); use fewer pixels or layers"
                             + (", or the tr head (p times smaller)" if head == "gap" else ""))

    if head == "gap":
        sig, th = _cross_recursion(depth, filter, grid, train_first_layer)
        outs = [_readout(kind, sig[k], th[k], readout_relu, train_readout) for k in sorted(sig)]
        node = _mean(outs, P * P)
    else:
        top = {output_pixel} if head == "eq" else set(range(P))
        sig, th = _diag_recursion(depth, filter, grid, top, train_first_layer)
        outs = [_readout(kind, sig[i], th[i], readout_relu, train_readout) for i in sorted(top)]
        node = outs[0] if head == "eq" else _mean(outs, P)

    from ..interpret.numeric import values_at_one

    diag = values_at_one(node)[id(node)]
    if normalize:
        node = node / diag
    counts = path_counts(depth, filter, grid, output_pixel)
    rf = sorted(counts) if head == "eq" else list(range(P))
    dims = "x".join(str(s) for s in shape)
    info = {
        "arch": "conv",
        "head": head,
        "kind": kind,
        "depth": depth,
        "filter": filter,
        "pixels": P,
        "grid": list(shape),
        "channels": channels,
        "output_pixel": output_pixel,
        "receptive_field": rf,
        "path_counts": {int(k): int(v) for k, v in sorted(counts.items())},
        "readout_relu": bool(readout_relu),
        "train_first_layer": bool(train_first_layer),
        "train_readout": bool(train_readout),
        "normalized": bool(normalize),
        "diagonal": str(diag),
        "depth_convention": ("depth = L counts the 1x1 convolution and the L-1 convolutions of size q "
                             f"(receptive field (L-1)(q-1)+1 = {(depth - 1) * (filter - 1) + 1} "
                             "pixels per axis)"),
    }
    name = (f"conv {head} {'CGPK' if kind == 'nngp' else 'CNTK'}, L={depth}, q={filter}, p={dims}, "
            f"zeta={channels}")
    return ConvKernel(node, name, info)


def from_cli(args: Any) -> ConvKernel:
    """Build the kernel named by the command-line options ``--head --depth --filter --pixels --channels
    --kind --normalize`` (strings are parsed and validated here)."""

    def _int(name: str, text: Any) -> int:
        try:
            return int(str(text))
        except ValueError:
            raise ParameterError(name, text, "an integer") from None

    depth = _int("depth", getattr(args, "depth", 2))
    filt = _int("filter", getattr(args, "filter", 3))
    pixels = parse_pixels(str(getattr(args, "pixels", "8")))
    channels = _int("channels", getattr(args, "channels", 3))
    return conv(head=getattr(args, "head", "eq"), depth=depth, filter=filt,
                pixels=pixels if len(pixels) > 1 else pixels[0], channels=channels,
                kind=getattr(args, "kind", "ntk"), normalize=bool(getattr(args, "normalize", False)))

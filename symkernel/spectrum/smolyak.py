r"""Sparse grids (Smolyak) and randomised quasi-Monte Carlo for expectations over many sphere pixels.

Used by :func:`symkernel.spectrum.multisphere.sparse_spectrum` for the eigenvalues of convolutional kernels
whose receptive field is too large for a tensor grid (issue 6).  Everything here integrates functions of
angles :math:`\theta_1, \dots, \theta_d \in [0, \pi]` against the product of the measures

.. math::  \sigma_\zeta(d\theta) = c_\zeta \sin^{\zeta-2}\theta\, d\theta, \qquad
           c_\zeta = \frac{\Gamma(\zeta/2)}{\sqrt\pi\,\Gamma(\frac{\zeta-1}{2})},

the law of the angle between a uniform point of :math:`S^{\zeta-1}` and a fixed pole (total mass 1).

One-dimensional rules (:func:`sphere_gauss_rule`)
    The n-point *Gauss* rule of :math:`\sigma_\zeta` in the variable θ (exact for polynomials in θ of
    degree 2n - 1; for ζ = 2 it is Gauss–Legendre on [0, π]).  Its three-term recurrence is computed by the
    discretised Stieltjes procedure on a Gauss–Legendre discretisation of :math:`\sigma_\zeta` that is exact
    for the degrees needed (the weight is entire in θ), and nodes and weights by Golub–Welsch
    (Gautschi, *Orthogonal Polynomials: Computation and Approximation*, 2004, §2.2).

Smolyak's construction (:class:`SmolyakRule`)
    With the 1-D rules :math:`U_l` (level l ≥ 1, :math:`n_l` nodes) and :math:`\Delta_l = U_l - U_{l-1}`
    (:math:`U_0 = 0`), the level-ℓ rule in d dimensions is

    .. math::  A(\ell, d) = \sum_{|\mathbf i|_1 \le d + \ell} \Delta_{i_1}\otimes\dots\otimes\Delta_{i_d}
               = \sum_{\max(d, \ell+1) \le |\mathbf i|_1 \le d+\ell} (-1)^{d+\ell-|\mathbf i|}
                 \binom{d-1}{d+\ell-|\mathbf i|}\, U_{i_1}\otimes\dots\otimes U_{i_d}

    (the combination technique; Smolyak 1963, Wasilkowski & Woźniakowski 1995, Novak & Ritter 1996,
    Gerstner & Griebel 1998).  With the slowly growing Gauss sequence :math:`n_l = l` ("linear", the default)
    or :math:`n_l = 2l - 1` ("odd"), :math:`A(\ell, d)` integrates exactly every polynomial
    :math:`\prod_j\theta_j^{a_j}` with :math:`\sum_j \lfloor a_j/2\rfloor \le \ell` (linear growth; the 1-D
    rule of level l is exact to degree 2l - 1).  :class:`SmolyakRule` also takes anisotropic index sets
    :math:`\sum_j a_j(i_j - 1) \le \ell u` (Gerstner & Griebel 2003) and symmetries of the integrand
    (one tensor grid per orbit).  The rule is evaluated grid by grid: tensor grids are cached, so
    successive levels cost only the new grids, and their values are summed in extended precision (the
    combination coefficients reach :math:`\binom{d-1}{\lfloor (d-1)/2\rfloor}` and ~10^5 grids are
    combined: in float64 the sums alone cost ~1e-9 at d = 13, level 8).  Duplicate points of different grids
    are not merged (the Gauss rules are not nested); the cost is the number of kernel evaluations
    (:meth:`SmolyakRule.points`).

    Convergence for the kernels of this library is *algebraic*, not exponential: the kernels are analytic in
    each θ on [0, π], but deeper layers apply :math:`\kappa_n` to window averages, which are singular where
    all the angles of a window vanish together (a cone :math:`\sqrt{\sum_{j\in W}\theta_j^2}`), so the mixed
    derivatives that Smolyak's error bound needs are unbounded near those faces (the measure
    :math:`\sin^{\zeta-2}\theta` softens them for ζ ≥ 3; ζ = 2 converges slowest).  Measured (CNTK, ζ = 3):
    5 pixels reach 1e-10 with ~2e6 evaluations (the tensor grid: ~1e5); on 13 pixels the last level
    differences are ~1e-8 relative for k = 0 after 9e6.  A priori anisotropy from the path counts did
    not help (the rim pixels matter more than their path counts suggest), and neither did the substitution
    :math:`\theta = \pi u^2` (measured on 9 pixels).  The error estimate of
    :func:`~symkernel.spectrum.multisphere.sparse_spectrum` is therefore empirical: four times the larger of
    the last two level differences.

Randomised quasi-Monte Carlo (:func:`rqmc_angles`)
    Scrambled Sobol points (Owen scrambling, :mod:`scipy.stats.qmc`) mapped to :math:`\sigma_\zeta` by the
    inverse CDF :math:`\theta = 2\arcsin\sqrt{B^{-1}(u)}`, B the regularised incomplete beta function of
    :math:`\mathrm{Beta}(\frac{\zeta-1}2, \frac{\zeta-1}2)` (the law of :math:`\sin^2(\theta/2)`);
    independent replicates give an unbiased mean and its standard error (Owen 1997; L'Ecuyer & Lemieux
    2002).  An independent second route with an honest statistical error, and the more efficient one when
    the integrand (the projection on several active pixels) is small and the dimension high: its error
    depends on the variance of the integrand, not on mixed derivatives.

References
----------
S. A. Smolyak, "Quadrature and interpolation formulas for tensor products of certain classes of functions",
Soviet Math. Dokl. 4 (1963) 240–243.  T. Gerstner and M. Griebel, "Numerical integration using sparse
grids", Numer. Algorithms 18 (1998) 209–232.  E. Novak and K. Ritter, "High dimensional integration of
smooth functions over cubes", Numer. Math. 75 (1996) 79–97.  G. W. Wasilkowski and H. Woźniakowski,
"Explicit cost bounds of algorithms for multivariate tensor product problems", J. Complexity 11 (1995).
T. Gerstner and M. Griebel, "Dimension-adaptive tensor-product quadrature", Computing 71 (2003) 65–87.
A. B. Owen, "Scrambled net variance for integrals of smooth functions", Ann. Statist. 25 (1997).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from functools import lru_cache

import numpy as np

from ..errors import ParameterError, check_int

__all__ = ["sphere_gauss_rule", "rule_size", "SmolyakRule", "compositions", "smolyak_coefficient",
           "index_set", "rqmc_angles", "sphere_constant", "GROWTHS"]

#: growth of the number of Gauss nodes with the level: n_l = l ("linear") or 2l - 1 ("odd")
GROWTHS = ("linear", "odd")


def sphere_constant(zeta: int) -> float:
    r""":math:`c_\zeta = \Gamma(\zeta/2) / (\sqrt\pi\,\Gamma((\zeta-1)/2))`."""
    return math.exp(math.lgamma(zeta / 2) - math.lgamma((zeta - 1) / 2)) / math.sqrt(math.pi)


def rule_size(level: int, growth: str = "linear") -> int:
    """Nodes :math:`n_l` of the 1-D rule of level l ≥ 1."""
    if growth == "linear":
        return level
    if growth == "odd":
        return 2 * level - 1
    raise ParameterError("growth", growth, f"one of {GROWTHS}")


@lru_cache(maxsize=256)
def sphere_gauss_rule(n: int, zeta: int) -> tuple[np.ndarray, np.ndarray]:
    r"""The n-point Gauss rule of :math:`c_\zeta\sin^{\zeta-2}\theta\,d\theta` on [0, π] in the variable θ.

    Returns ``(theta, weights)`` (ascending nodes, positive weights summing to 1 to rounding).  Exact for
    :math:`\int p(\theta)\,\sigma_\zeta(d\theta)` with p a polynomial of degree ≤ 2n - 1.  For ζ = 2 these
    are the Gauss–Legendre nodes mapped to [0, π].
    """
    from .sphere import gauss_legendre_numpy

    n = check_int("nodes", n, 1, 2000)
    zeta = check_int("channels", zeta, 2, 10**6)
    if zeta == 2:
        x, w = gauss_legendre_numpy(n)
        return np.pi * (x + 1) / 2, w / 2
    # discretise sigma_zeta by Gauss-Legendre in theta: exact for p(theta) sin^{zeta-2}(theta) up to the
    # (super-exponentially small) Taylor remainder of the entire weight once N >> n + zeta
    # (for large zeta the weight is a bump of width ~1/sqrt(zeta) at pi/2: resolve it too)
    N = max(160, 3 * n + 40, int(20 * math.sqrt(zeta)))
    x, w = gauss_legendre_numpy(N)
    th = np.pi * (x + 1) / 2
    lw = np.log(w * np.pi / 2) + math.log(sphere_constant(zeta)) + (zeta - 2) * np.log(np.sin(th))
    wd = np.exp(lw)
    # Stieltjes in the variable x = 2 theta / pi - 1 (monic recurrence, normalised vectors: stable)
    a = np.zeros(n)
    b = np.zeros(n)
    p_prev = np.zeros(N)
    p = np.ones(N)
    norm = float(np.sum(wd))
    b[0] = norm
    for k in range(n):
        a[k] = float(np.sum(wd * x * p * p)) / norm
        p_next = (x - a[k]) * p - (b[k] if k else 0.0) * p_prev
        norm_next = float(np.sum(wd * p_next * p_next))
        if k + 1 < n:
            b[k + 1] = norm_next / norm
        scale = math.sqrt(norm_next) if norm_next > 0 else 1.0
        # rescale to avoid overflow; the ratios b_k are scale invariant when both vectors are rescaled
        p_prev, p = p / scale, p_next / scale
        norm = norm_next / scale**2
    J = np.diag(a) + np.diag(np.sqrt(b[1:]), 1) + np.diag(np.sqrt(b[1:]), -1)
    ev, V = np.linalg.eigh(J)
    # the measure has mass 1 exactly (b[0] = 1 up to the rounding of c_zeta): use the exact mass
    return np.pi * (ev + 1) / 2, V[0] ** 2


def compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """All tuples of ``parts`` positive integers summing to ``total`` (lexicographic)."""
    if parts == 0:
        if total == 0:
            yield ()
        return
    for bars in itertools.combinations(range(1, total), parts - 1):
        edges = (0,) + bars + (total,)
        yield tuple(edges[j + 1] - edges[j] for j in range(parts))


def smolyak_coefficient(norm: int, level: int, d: int) -> int:
    r"""Coefficient of :math:`U_{i_1}\otimes\dots\otimes U_{i_d}` (:math:`|\mathbf i|_1` = ``norm``) in
    the combination form of the isotropic :math:`A(\ell, d)`."""
    j = d + level - norm
    if j < 0 or j > d - 1:
        return 0
    return (-1) ** j * math.comb(d - 1, j)


def index_set(weights: tuple[int, ...], budget: int) -> np.ndarray:
    r"""All multi-indices :math:`\mathbf i \ge 1` with :math:`\sum_j a_j (i_j - 1) \le` ``budget``
    (integer weights :math:`a_j \ge 1`), as an int array of shape (count, d)."""
    d = len(weights)
    rows = np.ones((1, 0), dtype=np.int64)
    used = np.zeros(1, dtype=np.int64)
    for a in weights:
        top = (budget - used) // a  # largest i_j - 1 allowed after the previous dimensions
        reps = top + 1
        base = np.repeat(np.arange(rows.shape[0]), reps)
        extra = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
        rows = np.concatenate([rows[base], (extra + 1)[:, None]], axis=1)
        used = used[base] + a * extra
    return rows.reshape(-1, d)


def _close_group(gens: list[list[int]], d: int) -> list[tuple[int, ...]]:
    """The permutation group generated by ``gens`` (each a list of d indices), as tuples."""
    for g in gens:
        if sorted(g) != list(range(d)):
            raise ParameterError("symmetries", g, f"permutations of range({d})")
    group = {tuple(range(d))}
    frontier = [tuple(g) for g in gens]
    while frontier:
        g = frontier.pop()
        if g in group:
            continue
        group.add(g)
        for h in list(group):
            for c in (tuple(g[h[j]] for j in range(d)), tuple(h[g[j]] for j in range(d))):
                if c not in group:
                    frontier.append(c)
    return sorted(group)


def _canonical(rows: np.ndarray, group: list[tuple[int, ...]]) -> np.ndarray:
    """Lexicographically smallest image of every row under the permutations of ``group``."""
    best = rows.copy()
    ar = np.arange(rows.shape[0])
    for g in group:
        cand = rows[:, list(g)]
        diff = cand != best
        has = diff.any(axis=1)
        first = np.argmax(diff, axis=1)
        less = has & (cand[ar, first] < best[ar, first])
        best[less] = cand[less]
    return best


def _combination_table(weights: tuple[int, ...], top: int) -> np.ndarray:
    r""":math:`C(b) = \sum_{s \le b}[z^s]\prod_j(1 - z^{a_j})`, b = 0..top: the combination coefficient of a
    tensor grid whose weighted norm is b below the budget (:math:`\sum_{\mathbf e\in\{0,1\}^d}
    (-1)^{|\mathbf e|}[\mathbf i + \mathbf e \in I]`)."""
    poly = np.zeros(top + 1, dtype=object)
    poly[0] = 1
    for a in weights:
        if a <= top:
            shifted = np.zeros_like(poly)
            shifted[a:] = poly[:-a] if a else poly
            poly = poly - shifted
    return np.cumsum(poly).astype(np.int64)


class SmolyakRule:
    r"""Smolyak's sparse grid over d angles with the Gauss rules of :func:`sphere_gauss_rule`, isotropic or
    anisotropic, evaluated lazily (module docstring).

    The level-ℓ rule is the combination :math:`\sum_{\mathbf i\in I} c_{\mathbf i}\,U_{i_1}\otimes\dots
    \otimes U_{i_d}` over the downward-closed set :math:`I = \{\mathbf i : \sum_j a_j (i_j - 1) \le
    \ell\,u\}` with :math:`c_{\mathbf i} = \sum_{\mathbf e\in\{0,1\}^d}(-1)^{|\mathbf e|}[\mathbf i +
    \mathbf e\in I]`, i.e. :math:`\sum_{\mathbf i\in I}\Delta_{i_1}\otimes\dots\otimes\Delta_{i_d}`
    (Gerstner & Griebel 2003 for general index sets).  ``weights`` = :math:`a_j` (positive integers) and
    ``unit`` = u: with all :math:`a_j = u` this is the classical isotropic :math:`A(\ell, d)`; a larger
    :math:`a_j` refines dimension j more slowly (an unimportant pixel).

    ``integrate(f, level)`` returns the level-ℓ value of :math:`\int f\,d\sigma_\zeta^{\otimes d}` for a
    vectorised ``f(theta)`` mapping an array of shape (d, N) to an array whose *last* axis has length N
    (leading axes, e.g. a batch of frequencies, are carried through).  Values of the tensor grids are cached,
    so a sequence of increasing levels costs the largest one (:meth:`points`); the cache belongs to one
    integrand, so use one rule object per integrand.

    ``symmetries``: permutations π of the d dimensions with :math:`f(\theta_{\pi(0)}, \dots,
    \theta_{\pi(d-1)}) = f(\theta)` (e.g. the mirror symmetry of a convolution window).  Then the tensor
    grids :math:`\mathbf i` and :math:`\mathbf i\circ\pi` have the same value, and only one grid per
    orbit of the group they generate is evaluated.
    """

    def __init__(self, d: int, zeta: int, growth: str = "linear", weights=None, unit: int = 1,
                 symmetries=None):
        self.d = check_int("dimension", d, 0, 10_000)
        self.zeta = check_int("channels", zeta, 2, 10**6)
        rule_size(1, growth)
        self.growth = growth
        self.unit = check_int("unit", unit, 1, 10_000)
        if weights is None:
            weights = [self.unit] * self.d
        if len(weights) != self.d:
            raise ParameterError("weights", weights, f"{self.d} positive integers")
        self.weights = tuple(check_int("weights", a, 1, 10**6) for a in weights)
        self.group = _close_group([list(range(self.d))] + [list(map(int, g)) for g in (symmetries or [])],
                                  self.d)
        for g in self.group:
            if any(self.weights[g[j]] != self.weights[j] for j in range(self.d)):
                raise ParameterError("symmetries", symmetries, "permutations that preserve the weights")
        self._index = np.zeros((0, self.d), dtype=np.int64)  # evaluated grids (rows) ...
        self._values: list[np.ndarray] = []  # ... and their values
        self._keys: set[bytes] = set()
        self.evaluations = 0
        self.last_rounding = 0.0

    # -------------------------------------------------------------- sizes
    def rule(self, level: int) -> tuple[np.ndarray, np.ndarray]:
        return sphere_gauss_rule(rule_size(level, self.growth), self.zeta)

    def _sizes(self, idx: np.ndarray) -> np.ndarray:
        if self.growth == "linear":
            return idx.copy()
        return 2 * idx - 1

    def indices(self, level: int) -> np.ndarray:
        """The tensor grids (multi-indices) of level ℓ."""
        return index_set(self.weights, level * self.unit)

    def points(self, level: int) -> int:
        """Kernel evaluations of all tensor grids up to level ℓ (what :meth:`integrate` costs), one grid
        per orbit of the symmetries."""
        if self.d == 0:
            return 1
        idx = self.indices(level)
        if len(self.group) > 1:
            idx = np.unique(_canonical(idx, self.group), axis=0)
        return int(np.prod(self._sizes(idx), axis=1).sum())

    # -------------------------------------------------------------- evaluation
    def _tables(self, top: int) -> tuple[np.ndarray, np.ndarray]:
        """Nodes and weights of the 1-D rules of levels 1..top, padded: arrays of shape (top + 1, n_top)."""
        n_top = rule_size(top, self.growth)
        nodes = np.zeros((top + 1, n_top))
        weights = np.zeros((top + 1, n_top))
        for lvl in range(1, top + 1):
            th, w = self.rule(lvl)
            nodes[lvl, :th.size] = th
            weights[lvl, :w.size] = w
        return nodes, weights

    def _evaluate(self, levels: np.ndarray, f: Callable[[np.ndarray], np.ndarray], chunk: int) -> None:
        """Evaluate the tensor grids ``levels`` (rows) in batches of ``chunk`` points and cache them."""
        d = self.d
        sizes = self._sizes(levels)
        counts = np.prod(sizes, axis=1)
        offsets = np.concatenate([[0], np.cumsum(counts)])
        total = int(offsets[-1])
        nodes, wtab = self._tables(int(levels.max()))
        G = levels.shape[0]
        sums = None
        for start in range(0, total, chunk):
            stop = min(total, start + chunk)
            p = np.arange(start, stop, dtype=np.int64)
            g = np.searchsorted(offsets, p, side="right") - 1  # grid of each point
            r = p - offsets[g]  # index inside its tensor grid (mixed radix, last axis fastest)
            theta = np.empty((d, stop - start))
            weight = np.ones(stop - start)
            for j in range(d - 1, -1, -1):
                n_j = sizes[g, j]
                node = r % n_j
                r //= n_j
                theta[j] = nodes[levels[g, j], node]
                weight *= wtab[levels[g, j], node]
            vals = np.asarray(f(theta)) * weight
            lead = vals.shape[:-1]
            flat = vals.reshape(-1, stop - start).astype(np.longdouble)
            # per-grid sums in extended precision (the points of a grid are contiguous): the combination
            # multiplies the grid values by coefficients up to C(d-1, d/2) and sums ~1e5 of them, so
            # float64 accumulation would cost ~1e-9 at d = 13, level 8
            cut = np.concatenate([[0], np.flatnonzero(np.diff(g)) + 1])
            part = np.zeros((flat.shape[0], G), dtype=np.longdouble)
            part[:, g[cut]] = np.add.reduceat(flat, cut, axis=1)
            part = part.reshape(lead + (G,))
            sums = part if sums is None else sums + part
        self.evaluations += total
        self._index = np.concatenate([self._index, levels])
        self._values.extend(np.moveaxis(sums, -1, 0))
        self._keys.update(row.tobytes() for row in levels)

    def integrate(self, f: Callable[[np.ndarray], np.ndarray], level: int, chunk: int = 100_000):
        """The level-ℓ Smolyak value (class docstring); ``f`` as in the class docstring."""
        level = check_int("level", level, 0, 10_000)
        d = self.d
        if d == 0:
            if not self._values:
                self._values.append(np.asarray(f(np.zeros((0, 1))))[..., 0])
                self.evaluations += 1
            self.last_rounding = 2.2e-16 * np.abs(self._values[0])
            return self._values[0]
        budget = level * self.unit
        idx = self.indices(level)
        new = np.array([row.tobytes() not in self._keys for row in idx], dtype=bool)
        if new.any():
            fresh = idx[new]
            if len(self.group) > 1:
                rep = _canonical(fresh, self.group)
                reps, inverse = np.unique(rep, axis=0, return_inverse=True)
                # representatives not evaluated before (an orbit may straddle two levels)
                known = {row.tobytes(): v for row, v in zip(self._index, self._values)}
                todo = np.array([row.tobytes() not in known for row in reps], dtype=bool)
                start = len(self._values)
                if todo.any():
                    self._evaluate(reps[todo], f, chunk)
                    for row, v in zip(self._index[start:], self._values[start:]):
                        known[row.tobytes()] = v
                # register the other members of the orbits (no evaluation)
                rest = np.array([row.tobytes() not in self._keys for row in fresh], dtype=bool)
                if rest.any():
                    rows = fresh[rest]
                    vals = [known[reps[j].tobytes()] for j in np.asarray(inverse).reshape(-1)[rest]]
                    self._index = np.concatenate([self._index, rows])
                    self._values.extend(vals)
                    self._keys.update(row.tobytes() for row in rows)
            else:
                self._evaluate(fresh, f, chunk)
        a = np.asarray(self.weights, dtype=np.int64)
        norm = (self._index - 1) @ a
        inside = norm <= budget
        coef = _combination_table(self.weights, budget)[budget - norm[inside]]
        vals = [v for v, keep in zip(self._values, inside) if keep]
        total = None
        mass = 0.0
        square = 0.0
        for c, v in zip(coef, vals):
            if c:
                total = c * v if total is None else total + c * v
                mass = mass + abs(c) * np.abs(v)
                square = square + (float(c) * np.abs(v).astype(float)) ** 2
        # rounding of the last level: float64 values of the kernel (independent errors of ~1e-16 relative per
        # point, hence per grid value at most) combined with the coefficients, and the extended-precision sums
        #: bound on the rounding error of the last level (see sparse_spectrum)
        self.last_rounding = 2.2e-16 * np.sqrt(square) + 1.1e-19 * mass.astype(float) * self.d
        if total is None:
            total = 0.0 * self._values[0]
        return np.asarray(total, dtype=float)


def rqmc_angles(d: int, zeta: int, m: int, seed: int) -> np.ndarray:
    r""":math:`2^m` scrambled Sobol points in :math:`[0, \pi]^d` distributed as
    :math:`\sigma_\zeta^{\otimes d}` (one randomisation; array of shape (d, 2^m))."""
    from scipy.special import betaincinv
    from scipy.stats import qmc

    if d == 0:
        return np.zeros((0, 1 << m))
    u = qmc.Sobol(d, scramble=True, seed=seed).random_base2(m)
    return _sphere_inverse_cdf(u.T, zeta, betaincinv)


def _sphere_inverse_cdf(u: np.ndarray, zeta: int, betaincinv) -> np.ndarray:
    r"""The angle θ with :math:`\sigma_\zeta([0, \theta]) = u`: :math:`\sin^2(\theta/2)` is
    Beta((ζ-1)/2, (ζ-1)/2).  Closed forms for ζ = 2, 3; otherwise a table of the CDF (2^16 cells), linear
    interpolation and one Newton step in θ (residual ~1e-16; scipy's ``betaincinv`` costs ~1 µs per value,
    ~50 s for 16 x 2^18 points in 13 dimensions), with ``betaincinv`` itself in the first and last 8
    cells."""
    from scipy.special import betainc

    if zeta == 2:
        return np.pi * u
    if zeta == 3:
        return 2 * np.arcsin(np.sqrt(u))
    a = (zeta - 1) / 2
    grid = np.linspace(0.0, np.pi, (1 << 16) + 1)
    cdf = betainc(a, a, np.sin(grid / 2) ** 2)
    theta = np.interp(u, cdf, grid)
    c = sphere_constant(zeta)
    # one Newton step: the interpolation error is ~1e-10 relative away from the first and last cells, and
    # squares to below rounding
    dens = c * np.sin(theta) ** (zeta - 2)
    step = (betainc(a, a, np.sin(theta / 2) ** 2) - u) / np.where(dens > 0, dens, 1.0)
    theta = np.clip(theta - np.where(dens > 0, step, 0.0), 0.0, np.pi)
    edge = (u < cdf[8]) | (u > cdf[-9])
    if np.any(edge):
        theta[edge] = 2 * np.arcsin(np.sqrt(np.clip(betaincinv(a, a, u[edge]), 0.0, 1.0)))
    return theta

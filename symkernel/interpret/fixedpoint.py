r"""Truncated power series with fixed-point integer coefficients (scale :math:`2^P`).

A series :math:`\sum_{n<N} a_n t^n` is a list of Python ints :math:`A_n \approx a_n 2^P`.  Products are
computed by *Kronecker substitution*: both operands are packed into one big integer
:math:`\sum_n A_n 2^{Bn}` (B bits a slot, wide enough that no slot overflows), multiplied once with GMP
(``gmpy2``), and unpacked with signed-digit carries.  One product of length N costs one multiplication of
:math:`N B`-bit integers — :math:`O(M(NP))` — instead of :math:`N^2/2` multiprecision products of the
naive Cauchy product.  Everything else (inverse square root, reciprocal) is Newton iteration on products,
so that applying :math:`\kappa_0, \kappa_1` to a series costs a handful of products.

The arithmetic is exact integer arithmetic plus one rounding per coefficient per operation; the precision
promise of the series interpreter is kept one level up (two runs at different P, see
:mod:`symkernel.interpret.series`).
"""

from __future__ import annotations

try:  # GMP multiplication; the pure-Python fallback is correct but slower
    import gmpy2

    _mpz = gmpy2.mpz
except ImportError:  # pragma: no cover
    gmpy2 = None

    def _mpz(x: int) -> int:
        return x


__all__ = [
    "mul",
    "rsqrt",
    "reciprocal",
    "derivative",
    "integral",
    "exp_series",
    "scale",
    "add",
    "rshift_round",
]


def rshift_round(x: int, k: int) -> int:
    """Round ``x / 2^k`` to the nearest integer (k ≥ 0)."""
    if k <= 0:
        return x << (-k)
    return (x + (1 << (k - 1))) >> k


def _pack(coeffs: list[int], nbytes: int) -> int:
    pos = b"".join((c if c > 0 else 0).to_bytes(nbytes, "little") for c in coeffs)
    neg = b"".join((-c if c < 0 else 0).to_bytes(nbytes, "little") for c in coeffs)
    return int.from_bytes(pos, "little") - int.from_bytes(neg, "little")


def _unpack(x: int, nbytes: int, count: int) -> list[int]:
    bits = 8 * nbytes
    total = nbytes * count
    x &= (1 << (8 * total)) - 1  # two's complement representation of the (possibly negative) product
    buf = x.to_bytes(total, "little")
    half = 1 << (bits - 1)
    full = 1 << bits
    out = []
    carry = 0
    for i in range(count):
        d = int.from_bytes(buf[i * nbytes:(i + 1) * nbytes], "little") + carry
        if d >= half:
            d -= full
            carry = 1
        else:
            carry = 0
        out.append(d)
    return out


def mul(a: list[int], b: list[int], P: int, N: int | None = None) -> list[int]:
    """Product of two fixed-point series at scale 2^P, truncated to N terms (default: the longer length)."""
    if N is None:
        N = max(len(a), len(b))
    a = a[:N]
    b = b[:N]
    if not a or not b:
        return [0] * N
    ma = max((abs(x) for x in a), default=0)
    mb = max((abs(x) for x in b), default=0)
    if ma == 0 or mb == 0:
        return [0] * N
    bits = ma.bit_length() + mb.bit_length() + min(len(a), len(b)).bit_length() + 2
    nbytes = (bits + 7) // 8
    prod = _mpz(_pack(a, nbytes)) * _mpz(_pack(b, nbytes))
    raw = _unpack(int(prod), nbytes, N)
    return [rshift_round(c, P) for c in raw]


def add(a: list[int], b: list[int]) -> list[int]:
    """Sum of two series (length of the longer)."""
    if len(a) < len(b):
        a, b = b, a
    return [x + (b[i] if i < len(b) else 0) for i, x in enumerate(a)]


def scale(a: list[int], c: int, P: int) -> list[int]:
    """Multiply by a fixed-point constant c (scale 2^P)."""
    return [rshift_round(x * c, P) for x in a]


def derivative(a: list[int]) -> list[int]:
    """Term-by-term derivative (one shorter)."""
    return [n * a[n] for n in range(1, len(a))]


def integral(a: list[int], c0: int = 0) -> list[int]:
    """Term-by-term antiderivative with constant term ``c0`` (one longer)."""
    out = [c0]
    for n, x in enumerate(a):
        q, r = divmod(x, n + 1)
        out.append(q + (1 if 2 * r >= n + 1 else 0))
    return out


def _newton_lengths(N: int) -> list[int]:
    lengths = []
    n = N
    while n > 1:
        lengths.append(n)
        n = (n + 1) // 2
    lengths.append(1)
    return lengths[::-1]


def rsqrt(w: list[int], P: int, N: int) -> list[int]:
    r"""Series of :math:`w^{-1/2}` (requires :math:`w_0 > 0`), by Newton's iteration
    :math:`y \leftarrow y + y(1 - w y^2)/2`, doubling the length each step."""
    from math import isqrt

    if w[0] <= 0:
        raise ArithmeticError("rsqrt of a series whose constant term is not positive")
    one = 1 << P
    y = [isqrt((1 << (3 * P)) // w[0])]
    for n in _newton_lengths(N)[1:]:
        y2 = mul(y, y, P, n)
        e = mul(w[:n], y2, P, n)
        e = [-x for x in e]
        e[0] += one
        corr = mul(y, e, P, n)
        y = [(y[i] if i < len(y) else 0) + rshift_round(corr[i], 1) for i in range(n)]
    return y[:N] + [0] * (N - len(y))


def reciprocal(w: list[int], P: int, N: int) -> list[int]:
    r"""Series of :math:`1/w` (requires :math:`w_0 \ne 0`): Newton :math:`y \leftarrow y + y(1 - w y)`."""
    if w[0] == 0:
        raise ArithmeticError("reciprocal of a series with zero constant term")
    one = 1 << P
    y = [rshift_round((1 << (2 * P + 1)) // w[0], 1)]
    for n in _newton_lengths(N)[1:]:
        e = mul(w[:n], y, P, n)
        e = [-x for x in e]
        e[0] += one
        corr = mul(y, e, P, n)
        y = [(y[i] if i < len(y) else 0) + corr[i] for i in range(n)]
    return y[:N] + [0] * (N - len(y))


def exp_series(h: list[int], P: int, N: int) -> list[int]:
    r"""Series of :math:`\exp(h)` for :math:`h_0 = 0`, by :math:`n y_n = \sum_{k=1}^n k h_k y_{n-k}`
    (:math:`O(N^2)` integer operations)."""
    if h and h[0] != 0:
        raise ArithmeticError("exp_series needs h(0) = 0")
    kh = [k * (h[k] if k < len(h) else 0) for k in range(N)]
    y = [1 << P]
    for n in range(1, N):
        s = sum(kh[k] * y[n - k] for k in range(1, n + 1))
        y.append(rshift_round(s, P) // n if s >= 0 else -((rshift_round(-s, P)) // n))
    return y

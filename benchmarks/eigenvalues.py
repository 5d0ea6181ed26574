"""Benchmark: eigenvalues of the depth-3 FC NTK on S^{d-1} (SPEC §10, issue 3 item 5).

Rows:
* mu_0..mu_1000 at 30 digits for d = 3, 10, 100, 1000 by the series route (default; tail from the
  exact singular constants) and by Gauss–Legendre quadrature in the angle; "digits" = agreement
  between the two independent routes (min over k);
* float64 mu_0..mu_1000 and mu_0..mu_10000 (quadrature, bulk mode; minimum of repeated calls, the
  first call of the process in the note), digits against the 30-digit values where available;
* mpmath.quad per eigenvalue (the reference route) for a few k, extrapolated to 1001 eigenvalues;
* the Gram-matrix approach a user would otherwise take: n random points on S^{d-1}, numpy eigh of
  K/n, eigenvalues grouped by multiplicity; digits of mu_0..mu_3 against the exact values.

Run:  python benchmarks/eigenvalues.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import time

import mpmath
import numpy as np

import symkernel as sk
from symkernel.spectrum import eigenvalues


def digits(a, b) -> float:
    """Correct significant digits of a against the reference b (min over the list)."""
    worst = 99.0
    for x, y in zip(a, b, strict=True):
        if y == 0:
            continue
        err = abs(mpmath.mpf(x) - mpmath.mpf(y)) / abs(mpmath.mpf(y))
        worst = min(worst, 99.0 if err == 0 else float(-mpmath.log10(err)))
    # 99 means the rounded outputs are identical (all requested digits agree)
    return worst


def fmt(t: float) -> str:
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def gram_route(K, d: int, n: int, kgroups: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    G = K.numpy(t=np.clip(X @ X.T, -1, 1)) / n
    lam = np.sort(np.linalg.eigvalsh(G))[::-1]
    return lam


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="kmax 200 instead of 1000")
    ap.add_argument("--repeats", type=int, default=5, help="float64 timings: minimum of this many calls")
    args = ap.parse_args()
    K = sk.fc(3, "ntk")
    kmax = 200 if args.quick else 1000
    dims = (3, 10, 100, 1000)
    rows = []
    ref = {}
    print(f"# depth-3 FC NTK (depth = hidden ReLU layers), mu_0..mu_{kmax} at 30 digits")
    for d in dims:
        ser, ts = timed(lambda d=d: eigenvalues(K, d, kmax, dps=30, method="series"))
        quad, tq = timed(lambda d=d: eigenvalues(K, d, kmax, dps=30, method="quadrature"))
        ref[d] = ser
        agree = digits(quad.eigenvalues, ser.eigenvalues)
        smallest = mpmath.nstr(min(v for v in ser.eigenvalues if v), 3)
        tail = ser.info["tail"]
        rows.append((f"series     d={d}", ts, f"{agree:.1f} (vs quadrature)",
                     f"min mu {smallest}; {ser.info['series_terms']} coefficients, tail "
                     + (f"Darboux order {tail['order']}" if isinstance(tail, dict)
                        and tail["model"].startswith("darboux") else str(tail.get("model")))))
        rows.append((f"quadrature d={d}", tq, f"{agree:.1f} (vs series)",
                     f"{quad.info['nodes']} nodes, {quad.info['working_bits']} bits"))
    # float64 bulk: one Gauss-Legendre rule in the angle with an a priori error bound; the time is the
    # minimum of repeated calls (the first call of a process also computes the Gauss-Legendre nodes
    # with python-flint, cached afterwards: its time is in the note)
    for km in (kmax, 10000):
        for d in dims:
            f, t_first = timed(lambda d=d, km=km: eigenvalues(K, d, km))
            tf = min(timed(lambda d=d, km=km: eigenvalues(K, d, km))[1] for _ in range(args.repeats))
            r = ref[d]
            mu0 = float(r.eigenvalues[0])
            big = [k for k in range(kmax + 1) if float(r.eigenvalues[k]) > 1e-8 * mu0]
            dig = digits([f.eigenvalues[k] for k in big], [r.eigenvalues[k] for k in big])
            absdig = -math.log10(max(abs(f.eigenvalues[k] - float(r.eigenvalues[k]))
                                     for k in range(kmax + 1)) / mu0 + 1e-300)
            rows.append((f"float64 all k<={km} d={d}", tf,
                         f"{dig:.1f} rel (mu_k>1e-8 mu_0); {absdig:.1f} abs",
                         f"{f.info['nodes']} nodes, est. <= {np.max(f.error_estimate):.0e}; "
                         f"first call {fmt(t_first)}"))
    # mpmath.quad per eigenvalue (reference route), a few k, extrapolated
    for d in (3, 10):
        ks = 4
        refq, tr = timed(lambda d=d, ks=ks: eigenvalues(K, d, ks - 1, dps=30, method="reference"))
        dig = digits(refq.eigenvalues, ref[d].eigenvalues[:ks])
        per = tr / ks
        rows.append((f"mpmath.quad per k d={d}", per * (kmax + 1),
                     f"{dig:.1f} (k<{ks})", f"{per:.2f} s per eigenvalue, extrapolated x{kmax + 1}"))
    # Gram matrix (what a user would otherwise do)
    for d, n in ((3, 2000), (3, 4000), (10, 4000)):
        lam, tg = timed(lambda d=d, n=n: gram_route(K, d, n, 4))
        r = ref[d]
        pos, est = 0, []
        order = sorted(range(4), key=lambda k: -float(r.eigenvalues[k]))
        for k in order:
            m = r.multiplicities[k]
            est.append((k, lam[pos:pos + m].mean()))
            pos += m
        est.sort()
        dig = digits([v for _, v in est], r.eigenvalues[:4])
        rows.append((f"Gram n={n} d={d} (eigh)", tg, f"{dig:.1f} (mu_0..mu_3)",
                     "random points, groups by multiplicity"))
    w = max(len(r[0]) for r in rows)
    print(f"{'route':<{w}}  {'time':>9}  {'digits correct':<36}  note")
    for name, t, dig, note in rows:
        print(f"{name:<{w}}  {fmt(t):>9}  {dig:<36}  {note}")


if __name__ == "__main__":
    main()

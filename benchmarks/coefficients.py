"""Benchmark: b_0..b_{N-1} of the depth-10 fully connected NTK at 50 digits.

Compares symkernel's series interpreter (fixed-point Kronecker products, pure Python + GMP) with
SymPy's ``series`` on the explicit closed form, for the N where SymPy finishes within a time limit, and with
a naive O(N^2) Cauchy-product route in mpmath objects.  Prints a table.

    python benchmarks/coefficients.py [--depth 10] [--dps 50] [--sympy-limit 60]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time

import mpmath
import sympy as sp

import symkernel as sk


def _sympy_series(depth: int, N: int, dps: int, queue) -> None:
    K = sk.fc(depth, "ntk")
    t = sp.Symbol("t", real=True)
    start = time.perf_counter()
    ser = sp.series(K.expr, t, 0, N).removeO()
    coeffs = [sp.N(ser.coeff(t, n), dps) for n in range(N)]
    queue.put((time.perf_counter() - start, [str(c) for c in coeffs]))


def sympy_time(depth: int, N: int, dps: int, limit: float):
    queue = mp.Queue()
    proc = mp.Process(target=_sympy_series, args=(depth, N, dps, queue))
    proc.start()
    proc.join(limit)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None, None
    return queue.get() if not queue.empty() else (None, None)


def naive_mpmath(depth: int, N: int, dps: int) -> float:
    """The obvious alternative: the same recursion with O(N^2) Cauchy products of mpmath numbers."""
    start = time.perf_counter()
    with mpmath.workdps(dps + 20):
        def mul(a, b):
            return [mpmath.fsum(a[i] * b[n - i] for i in range(n + 1)) for n in range(N)]

        def kappa_pair(g):
            # (kappa_0 o g, kappa_1 o g) via the differential relations, O(N^2) square-root recurrence
            w = [-c for c in mul(g, g)]
            w[0] += 1
            s = [mpmath.sqrt(w[0])] + [mpmath.mpf(0)] * (N - 1)
            for n in range(1, N):
                s[n] = (w[n] - mpmath.fsum(s[k] * s[n - k] for k in range(1, n))) / (2 * s[0])
            r = [1 / s[0]] + [mpmath.mpf(0)] * (N - 1)
            for n in range(1, N):
                r[n] = -mpmath.fsum(s[k] * r[n - k] for k in range(1, n + 1)) / s[0]
            dg = [(n + 1) * g[n + 1] for n in range(N - 1)] + [mpmath.mpf(0)]
            d = mul(dg, r)
            g0 = g[0]
            k0 = [0.5 + mpmath.asin(g0) / mpmath.pi] + [d[n - 1] / (n * mpmath.pi) for n in range(1, N)]
            e = mul(k0, dg)
            k1 = [(mpmath.sqrt(1 - g0**2) + (mpmath.pi - mpmath.acos(g0)) * g0) / mpmath.pi]
            k1 += [e[n - 1] / n for n in range(1, N)]
            return k0, k1

        s = [mpmath.mpf(0), mpmath.mpf(1)] + [mpmath.mpf(0)] * (N - 2)
        th = list(s)
        for _ in range(depth):
            k0, k1 = kappa_pair(s)
            th = [a + b for a, b in zip(k1, mul(th, k0))]
            s = k1
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--depth", type=int, default=10)
    ap.add_argument("--dps", type=int, default=50)
    ap.add_argument("--sizes", default="10,20,100,500,1000,2000")
    ap.add_argument("--sympy-limit", type=float, default=60.0)
    ap.add_argument("--naive-max", type=int, default=1000)
    ap.add_argument("--sympy-depths", default="1,2,3",
                    help="shallower depths at which SymPy's series is also timed (it gives up at depth 10)")
    args = ap.parse_args()
    print("SymPy series at shallower depths (N terms, 50 digits):")
    print(f"{'depth':>6} {'N':>4} {'symkernel [s]':>14} {'SymPy series [s]':>17} {'speed-up':>10} "
          f"{'digits agree':>13}")
    for depth in (int(x) for x in args.sympy_depths.split(",")):
        for N in (4, 8, 12):
            Kd = sk.fc(depth, "ntk")
            start = time.perf_counter()
            mine = Kd.coefficients(N, args.dps)
            ours = time.perf_counter() - start
            st, sc = sympy_time(depth, N, args.dps, args.sympy_limit)
            shown = f"{st:17.2f}" if st is not None else f"{'> ' + str(int(args.sympy_limit)):>17}"
            lower = "> " + str(int(args.sympy_limit / ours))
            ratio = f"{st / ours:10.0f}" if st is not None else f"{lower:>10}"
            agree = ""
            if sc is not None:
                with mpmath.workdps(args.dps + 10):
                    errs = [abs(mpmath.mpf(a) - mpmath.mpf(b)) / abs(mpmath.mpf(b))
                            for a, b in zip(mine, sc) if mpmath.mpf(b) != 0]
                    worst = max(errs)
                    agree = f"{float(-mpmath.log10(worst)):.0f}" if worst else f">={args.dps}"
            print(f"{depth:>6} {N:>4} {ours:>14.4f} {shown} {ratio} {agree:>13}")
            if st is None:
                break
    print()
    K = sk.fc(args.depth, "ntk")
    print(f"b_0..b_(N-1) of the depth-{args.depth} FC NTK at {args.dps} digits")
    print(f"{'N':>6} {'symkernel [s]':>14} {'flint Arb [s]':>14} {'naive mpmath [s]':>17} "
          f"{'SymPy series [s]':>17} {'speed-up vs SymPy':>18} {'digits agree':>13}")
    sympy_gave_up = False
    for N in (int(x) for x in args.sizes.split(",")):
        start = time.perf_counter()
        coeffs = K.coefficients(N, args.dps)
        ours = time.perf_counter() - start
        try:
            start = time.perf_counter()
            K.coefficients(N, args.dps, backend="flint")
            flint_t = time.perf_counter() - start
        except sk.ParameterError:
            flint_t = float("nan")
        naive = naive_mpmath(args.depth, N, args.dps) if N <= args.naive_max else None
        st, sc = (None, None) if sympy_gave_up else sympy_time(args.depth, N, args.dps, args.sympy_limit)
        if st is None:
            sympy_gave_up = True
        agree = ""
        if sc is not None:
            with mpmath.workdps(args.dps + 10):
                worst = max(abs(mpmath.mpf(a) - mpmath.mpf(b)) / abs(mpmath.mpf(b))
                            for a, b in zip(coeffs, sc) if mpmath.mpf(b) != 0)
                agree = f"{float(-mpmath.log10(worst)) if worst else args.dps:.0f}"
        print(f"{N:>6} {ours:>14.3f} {flint_t:>14.3f} {naive if naive is not None else float('nan'):>17.2f} "
              f"{st if st is not None else float('nan'):>17.2f} "
              f"{(st / ours) if st else float('nan'):>18.0f} {agree:>13}"
              + ("" if st is not None or sympy_gave_up is False else
                 f"   (SymPy: > {args.sympy_limit:.0f} s, stopped)"))


if __name__ == "__main__":
    main()

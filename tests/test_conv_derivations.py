"""The convolutional derivations (issue 6) run in their quick size and every check passes."""

from __future__ import annotations

import numpy as np
import pytest

from symkernel.derivations import conv_decay as cd
from symkernel.derivations import conv_eigenfunctions as ce
from symkernel.derivations import get, registry


@pytest.mark.parametrize("name", ["conv-eigenfunctions", "conv-decay", "conv-hierarchy"])
def test_conv_derivation_quick(name, tmp_path):
    assert name in registry()
    report = get(name).run(quick=True, outdir=str(tmp_path))
    failed = [c for c in report.checks if not c.passed]
    assert report.passed, "\n".join(f"{c.name}: {c.detail}" for c in failed)
    assert report.table and report.latex.startswith("\\begin{gather*}")
    assert report.figures and all((tmp_path / p.split("/")[-1]).exists() for p in report.figures)
    assert name in report.text()


# ------------------------------------------------------------------ the checks can fail on a wrong kernel
def test_large_field_slope_rejects_the_wrong_nu():
    """conv-decay, large receptive fields: the CGPK's eigenvalues held against the CNTK's exponent
    (nu = 1/2 instead of 3/2) give a Richardson limit far outside the tolerance; the right nu passes."""
    right = cd.large_field_slope(3, 5, 2, "nngp", 0, cd.LARGE_WINDOWS_QUICK)
    wrong = cd.large_field_slope(3, 5, 2, "nngp", 0, cd.LARGE_WINDOWS_QUICK, claimed_kind="ntk")
    assert right["pixels"] == 9
    assert abs(right["limit"]) + right["quad"] < cd.LARGE_SLOPE_TOL
    assert abs(wrong["limit"]) > 100 * cd.LARGE_SLOPE_TOL  # the exponents differ by 2
    assert wrong["slopes"] == right["slopes"]  # the same eigenvalues, only the claim differs


@pytest.mark.parametrize("head", ["eq", "tr", "gap"])
@pytest.mark.parametrize("case", [c[:4] for c in ce.MC_CASES],
                         ids=lambda c: f"{'x'.join(map(str, c[0]))}-zeta{c[1]}-L{c[2]}")
def test_network_check_rejects_depth_off_by_one(case, head):
    """conv-eigenfunctions, finite-width CNN: the Monte-Carlo means agree with sk.conv of the network's
    depth and reject the kernels of depth L - 1 and L + 1 (ring and torus, every head)."""
    shape, zeta, depth, width = case
    r = ce.network_z_scores(shape, zeta, depth, head, width, 200, kernel_depths=(depth, depth - 1, depth + 1))

    def worst(d):
        return max(float(np.max(np.abs(r[d][k]["z"]))) for k in ("nngp", "ntk"))

    assert worst(depth) < ce.MC_Z_TOL
    assert worst(depth - 1) > 2 * ce.MC_Z_TOL and worst(depth + 1) > 2 * ce.MC_Z_TOL

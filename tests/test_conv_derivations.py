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


def test_hierarchy_notes_classify_supports_by_exponent():
    """conv-hierarchy: a support is listed as decaying slower than the product of single-pixel rates exactly
    when 2nu + r_S(zeta-1) < |S|(zeta+2nu-1), with its fitted slope and the rise of lambda k^(product)."""
    from symkernel.derivations import conv_hierarchy as ch

    ks = np.array([8, 16])
    fitted = [(2, 2, "nngp", "pair", 2, 3, 1.5, -6.0, np.array([1.0, 2.0 ** -6])),  # 6 < 8: slower
              (2, 2, "ntk", "pair", 2, 3, 0.5, -4.0, np.array([1.0, 2.0 ** -4])),  # 4 = 4: product rate
              (3, 2, "nngp", "far pair", 2, 5, 1.5, -8.0, np.array([1.0, 2.0 ** -8]))]  # 8 = 8
    notes = ch._literature_notes(fitted, ks, ks, growth=4.0)
    slower, product = notes[1].split("Supports at the product rate:")
    assert "zeta=2 nngp, pair: fitted slope -6.00, e_S = 6 < product 8" in slower
    assert "rises x4.00" in slower  # (16/8)^(8 - 6)
    assert "ntk" not in slower and "far pair" not in slower
    assert "zeta=2 ntk, pair" in product and "far pair" in product
    assert "could not be read" in notes[0] and "2203.09255" in notes[0]

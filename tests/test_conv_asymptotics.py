"""Single-pixel decay of the CGPK/CNTK (symkernel.conv_asymptotics, ``decay --arch conv``): the singular
constants against eigenvalues computed by tensor quadrature and by the tr kernel's own description."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp

import symkernel as sk
from symkernel.cli import main
from symkernel.conv_asymptotics import conv_asymptotics
from symkernel.spectrum.gegenbauer import singular_power_eigenvalues
from symkernel.spectrum.multisphere import multisphere_eigenvalue, single_pixel_spectrum


def _asymptotic(row, nu, zeta, k):
    mu = float(singular_power_eigenvalues(float(nu), k, zeta)[k])
    return (row.A_plus + (-1) ** k * row.A_minus) * mu


@pytest.mark.parametrize("kind,zeta,nu", [("ntk", 3, sp.Rational(1, 2)), ("nngp", 2, sp.Rational(3, 2))])
def test_exponent_and_convergence_to_the_computed_eigenvalues(kind, zeta, nu):
    K = sk.conv("eq", depth=2, filter=3, pixels=5, channels=zeta, kind=kind)
    a = conv_asymptotics(K, pixels=0, check_kmax=None)
    assert a.nu == nu and a.exponent == zeta - 1 + 2 * nu
    row = a.pixel(0)
    vals, errs = single_pixel_spectrum(K, 0, 120, nodes_other=16)
    dev = {}
    for k in (30, 31, 118, 119):
        dev[k] = abs(vals[k] / _asymptotic(row, nu, zeta, k) - 1)
        assert errs[k] < 1e-4 * abs(vals[k])  # far below the deviations tested
    # the next term of the expansion is O(1/k) relative: the deviation shrinks, and is small at k ~ 120
    assert dev[118] < 0.5 * dev[30] and dev[119] < 0.5 * dev[31]
    assert max(dev[118], dev[119]) < 0.01


def test_exact_constant_and_singular_coefficients():
    a = conv_asymptotics(sk.conv("eq", depth=2, filter=3, pixels=5, channels=3, kind="ntk"), pixels=[0],
                         check_kmax=None)
    assert sp.simplify(a.c_n_plus + sp.sqrt(2) / sp.pi) == 0
    assert sp.simplify(a.c_n_minus - sp.sqrt(2) / sp.pi) == 0
    assert sp.simplify(a.constant + sp.sqrt(2) / 4) == 0  # C(3, 1/2) = -sqrt(2)/4
    r = a.pixel(0)
    assert r.A_plus == pytest.approx(float(a.c_n_plus) * r.E_plus, rel=1e-15)
    assert r.constant_even == pytest.approx(float(a.constant) * (r.A_plus + r.A_minus), rel=1e-15)
    assert r.error < 1e-9


def test_weighted_paths_order_the_pixels():
    """L = 3, q = 3: paths 3, 2, 1 from the centre to the rim; the constants follow (weighted counts)."""
    a = conv_asymptotics(sk.conv("eq", depth=3, filter=3, pixels=7, channels=3, kind="ntk"), check_kmax=None)
    by_offset = {r.offset[0]: r for r in a.pixels}
    assert [by_offset[o].paths for o in (0, 1, 2)] == [3, 2, 1]
    c = [by_offset[o].constant_even for o in (0, 1, 2)]
    assert c[0] > c[1] > c[2] > 0
    # mirror pixels have the same constants (reflection symmetry of the ring)
    assert by_offset[1].A_plus == pytest.approx(by_offset[-1].A_plus, rel=1e-10)
    # weighted, not plain: the ratios differ from 3 : 2 : 1 by a few per cent
    assert 1.0 < c[0] / c[2] / 3 < 1.1


def test_tr_head_against_its_own_description():
    p = 5
    Ktr = sk.conv("tr", depth=2, filter=3, pixels=p, channels=3, kind="ntk")
    Keq = sk.conv("eq", depth=2, filter=3, pixels=p, channels=3, kind="ntk")
    a_tr = conv_asymptotics(Ktr, check_kmax=None)
    a_eq = conv_asymptotics(Keq, check_kmax=None)
    assert len(a_tr.pixels) == 1
    assert a_tr.pixels[0].A_plus == pytest.approx(sum(r.A_plus for r in a_eq.pixels) / p, rel=1e-12)
    k = 60
    lam = multisphere_eigenvalue(Ktr, [k] + [0] * (p - 1)).value
    assert lam / _asymptotic(a_tr.pixels[0], a_tr.nu, 3, k) == pytest.approx(1, abs=0.01)


def test_check_and_bad_input():
    K = sk.conv("eq", depth=2, filter=3, pixels=5, channels=2, kind="ntk")
    a = conv_asymptotics(K, pixels=1, check_kmax=24)
    r = a.pixel(1)
    assert abs(r.check["ratio_even"] - 1) < 0.05 and abs(r.check["ratio_odd"] - 1) < 0.1
    assert np.array_equal(a.spectra[1][0][[23, 24]], [r.check["lambda_odd"], r.check["lambda_even"]])
    with pytest.raises(sk.ParameterError, match="pixel"):
        conv_asymptotics(K, pixels=3)  # outside the receptive field {4, 0, 1}
    with pytest.raises(sk.ParameterError, match="kernel"):
        conv_asymptotics(sk.fc(depth=2))
    with pytest.raises(sk.ParameterError, match="check_kmax"):
        conv_asymptotics(K, check_kmax=2)


def _run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


CONV = ["decay", "--arch", "conv", "--head", "eq", "--depth", "2", "--filter", "3", "--pixels", "5",
        "--channels", "3", "--kind", "ntk", "--quiet"]


def test_cli_json_and_text(capsys):
    code, out, err = _run(capsys, *CONV, "--json", "--kmax", "24")
    assert code in (0, None), err
    d = json.loads(out)
    assert d["exponent"] == "3" and d["nu"] == "1/2"
    a = conv_asymptotics(sk.conv("eq", depth=2, filter=3, pixels=5, channels=3, kind="ntk"), check_kmax=None)
    assert float(d["c_plus"]) == pytest.approx(a.pixel(0).A_plus, rel=1e-9)
    assert float(d["c_minus"]) == pytest.approx(a.pixel(0).A_minus, rel=1e-9)
    assert len(d["pixels"]) == 3 and {r["pixel"] for r in d["pixels"]} == {4, 0, 1}
    assert abs(float(d["pixels"][0]["check"]["ratio_even"]) - 1) < 0.05
    code, out, err = _run(capsys, *CONV, "--kmax", "24", "--pixel", "1")
    assert code in (0, None), err
    assert "exponent  = 3" in out and "C(zeta, nu) = -sqrt(2)/4" in out


@pytest.mark.parametrize("extra,name", [(["--pixel", "9"], "pixel"), (["--pixel", "3"], "pixel"),
                                        (["--head", "tr", "--pixel", "0"], "pixel")])
def test_cli_bad_pixel(capsys, extra, name):
    code, out, err = _run(capsys, *CONV, *extra)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and name in err


def test_public_asymptotics_dispatches_on_conv_kernels():
    K = sk.conv("tr", depth=2, filter=3, pixels=5, channels=2, kind="nngp")
    a = sk.asymptotics(K)
    assert a.exponent == 4 and a.nu == sp.Rational(3, 2) and a.head == "tr"
    assert sk.asymptotics(K, dim=2).pixels[0].A_plus == a.pixels[0].A_plus
    with pytest.raises(sk.ParameterError, match="dim"):
        sk.asymptotics(K, dim=3)
    with pytest.raises(sk.ParameterError, match="dim"):
        sk.asymptotics(sk.fc(depth=2))


def test_cli_plot(capsys, tmp_path):
    path = tmp_path / "conv_decay.png"
    code, out, err = _run(capsys, *CONV, "--kmax", "20", "--plot", str(path))
    assert code in (0, None), err
    assert path.stat().st_size > 10_000 and f"plot written to {path}" in out


def test_large_receptive_field_sparse_grid_against_tensor_rule():
    """7 pixels: the default (Smolyak sparse grid over the 6 other pixels) against a tensor Gauss rule."""
    K = sk.conv("eq", depth=4, filter=3, pixels=9, channels=3, kind="nngp")
    sparse = conv_asymptotics(K, pixels=[0, 3], check_kmax=None)
    tensor = conv_asymptotics(K, pixels=[3], nodes=7, check_kmax=None)
    assert "Smolyak" in sparse.quadrature and "tensor" in tensor.quadrature
    for j in (3,):
        a, b = sparse.pixel(j), tensor.pixel(j)
        tol = a.error + b.error
        assert abs(a.A_plus - b.A_plus) <= tol and abs(a.A_minus - b.A_minus) <= tol
        assert a.error < 1e-5 * abs(a.A_plus)
    assert sparse.pixel(0).paths == 7 and sparse.pixel(3).paths == 1


@pytest.mark.slow
def test_large_receptive_field_check_by_the_sparse_route():
    K = sk.conv("eq", depth=3, filter=5, pixels=9, channels=2, kind="ntk")
    a = conv_asymptotics(K, pixels=[0], check_kmax=40)
    r = a.pixel(0)
    assert abs(r.check["ratio_even"] - 1) < 0.02 and abs(r.check["ratio_odd"] - 1) < 0.03
    assert r.check["route"] in ("sparse", "rqmc")


@pytest.mark.parametrize("freq", ["100000,0,0,0,0", "0,10001,0,0,0"])
def test_cli_refuses_huge_frequencies_up_front(capsys, freq):
    code, out, err = _run(capsys, "eigen", "--arch", "conv", "--depth", "2", "--filter", "3", "--pixels", "5",
                          "--channels", "3", "--quiet", "--freq", freq)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "freq" in err and "10,000" in err and "decay --arch conv" in err
    with pytest.raises(sk.ParameterError, match="freq"):
        multisphere_eigenvalue(sk.conv("eq", depth=2, filter=3, pixels=5, channels=3), {1: 10**5})

"""``symkernel decay`` (SPEC §9): JSON and text output, the plot, and bad input (exit 2, one line)."""

from __future__ import annotations

import json
import subprocess
import sys

import mpmath
import pytest
import sympy as sp

from symkernel.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_exit(capsys, *argv):
    """Like run, but argparse errors (SystemExit) are turned into a return code."""
    try:
        return run(capsys, *argv)
    except SystemExit as exc:
        out, err = capsys.readouterr()
        return exc.code, out, err


def test_json_fc_ntk_depth3(capsys):
    code, out, err = run(
        capsys,
        "decay",
        "--arch",
        "fc",
        "--kind",
        "ntk",
        "--depth",
        "3",
        "--dim",
        "3",
        "--dps",
        "25",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    for key in ("exponent", "nu", "c_plus", "c_minus", "constant_even", "constant_odd", "bounds", "latex"):
        assert key in data
    assert mpmath.mpf(data["exponent"]) == 3 and mpmath.mpf(data["nu"]) == 0.5
    # decimal strings with all requested digits
    digits = data["c_plus"].lstrip("-").replace(".", "").lstrip("0")
    assert len(digits) == 25
    assert abs(sp.N(sp.Float(data["c_plus"], 30) + 6 * sp.sqrt(2) / sp.pi, 40)) < 1e-23
    b = data["bounds"]
    assert b["status"] == "certified"
    for par in ("even", "odd"):
        pb = b[par]
        assert pb["status"] == "bounded" and pb["exponent"] == "3"
        A, B, lim = mpmath.mpf(pb["A"]), mpmath.mpf(pb["B"]), mpmath.mpf(pb["limit"])
        assert 0 < A <= lim <= B and isinstance(pb["k0"], int)
    assert abs(mpmath.mpf(b["even"]["limit"]) - mpmath.mpf(data["constant_even"])) < 1e-20
    assert "bounds" in data["latex"] and "eigenvalues" in data["latex"]
    assert "depth_convention" in data


def test_text_output_two_layer(capsys):
    code, out, _ = run(capsys, "decay", "--depth", "1", "--dim", "5", "--dps", "12")
    assert code == 0
    assert "exponent  = 5" in out
    assert "odd  k >= 3:  mu_k = 0 exactly" in out
    assert "certified bounds" in out and "k^-5 <= mu_k <=" in out


def test_laplace_nngp_and_no_bounds(capsys):
    code, out, _ = run(
        capsys, "decay", "--arch", "laplace", "--c", "2", "--dim", "3", "--json", "--dps", "10"
    )
    data = json.loads(out)
    assert code == 0 and data["c_minus"] == "0" and data["bounds"]["status"] == "certified"
    code, out, _ = run(
        capsys, "decay", "--kind", "nngp", "--depth", "2", "--dim", "4", "--json", "--no-bounds"
    )
    data = json.loads(out)
    assert data["exponent_exact"] == "6" and data["bounds"] == {"status": "skipped"}


def test_analytic_and_uncertifiable_kernels(capsys):
    code, out, _ = run(capsys, "decay", "--arch", "gaussian", "--dim", "3", "--json")
    data = json.loads(out)
    assert code == 0 and data["exponent"] == "inf" and data["bounds"]["status"] == "not applicable"
    code, out, _ = run(
        capsys, "decay", "--arch", "arccos", "--order", "2", "--dim", "3", "--json", "--dps", "10"
    )
    data = json.loads(out)
    assert code == 0 and data["bounds"]["status"] == "not certified"
    assert sp.Rational(data["nu_exact"]) == sp.Rational(5, 2)


def test_k0_and_order_options(capsys):
    code, out, _ = run(
        capsys,
        "decay",
        "--depth",
        "2",
        "--dim",
        "3",
        "--json",
        "--k0",
        "101",
        "--bound-order",
        "5",
        "--dps",
        "10",
    )
    b = json.loads(out)["bounds"]
    assert b["order"] == 5 and b["even"]["k0"] == 102 and b["odd"]["k0"] == 101


def test_plot(capsys, tmp_path):
    path = tmp_path / "decay.png"
    code, out, _ = run(capsys, "decay", "--depth", "2", "--dim", "3", "--kmax", "60", "--plot", str(path))
    assert code == 0 and path.exists() and path.stat().st_size > 1000
    assert "plot written" in out


@pytest.mark.parametrize(
    "argv,name",
    [
        (["--dim", "1"], "dim"),
        (["--dim", "x"], "dim"),
        (["--dps", "3"], "dps"),
        (["--kmax", "2"], "kmax"),
        (["--k0", "-4"], "k0"),
        (["--bound-order", "99"], "bound-order"),
        (["--depth", "0"], "depth"),
        (["--arch", "gaussian", "--plot", "x.png"], "plot"),
    ],
)
def test_bad_input_exit_2_one_line(capsys, argv, name):
    code, out, err = run_exit(capsys, "decay", *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], err
    assert out == ""


def test_unwritable_plot_path(capsys, tmp_path):
    code, _, err = run_exit(
        capsys,
        "decay",
        "--depth",
        "1",
        "--dim",
        "3",
        "--kmax",
        "10",
        "--no-bounds",
        "--plot",
        str(tmp_path / "missing" / "dir" / "f.png"),
    )
    assert code == 2 and len(err.strip().splitlines()) == 1 and "plot" in err


def test_argparse_error_is_one_line():
    proc = subprocess.run(
        [sys.executable, "-m", "symkernel.cli", "decay", "--kind", "cnn"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "kind" in proc.stderr

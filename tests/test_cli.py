"""The command line: outputs agree with the library, and every error path exits 2 with one line."""

import json
import shutil
import subprocess
import sys

import mpmath
import pytest
import sympy as sp

import symkernel as sk
from symkernel.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_kernel_value_json(capsys):
    code, out, err = run(capsys, "kernel", "--depth", "3", "--at", "0.3", "--dps", "40", "--json")
    assert code == 0
    data = json.loads(out)
    with mpmath.workdps(45):
        expected = sk.fc(3)(sp.Rational(3, 10), dps=40)
        assert abs(mpmath.mpf(data["value"]) - expected) <= abs(expected) * mpmath.mpf(10) ** -39
    assert len(data["value"].replace(".", "").lstrip("0")) >= 40


def test_kernel_theta_and_expression(capsys):
    code, out, _ = run(capsys, "kernel", "--kind", "nngp", "--depth", "2", "--json")
    data = json.loads(out)
    assert code == 0 and data["diagonal"] == "1" and "ArcCosKernel" in data["expression"]
    code, out, _ = run(capsys, "kernel", "--depth", "2", "--theta", "pi/3", "--dps", "20", "--json")
    with mpmath.workdps(25):
        assert abs(mpmath.mpf(json.loads(out)["value"]) - sk.fc(2)(sp.Rational(1, 2), dps=20)) < 1e-19


def test_coeffs_json_and_exact(capsys):
    code, out, _ = run(capsys, "coeffs", "--depth", "1", "--n", "6", "--dps", "25", "--json")
    assert code == 0
    coeffs = json.loads(out)["coefficients"]
    assert coeffs[3] == "0" and coeffs[1] == "1.000000000000000000000000"
    with mpmath.workdps(30):
        assert abs(mpmath.mpf(coeffs[0]) - 1 / mpmath.pi) < mpmath.mpf(10) ** -25
    code, out, _ = run(capsys, "coeffs", "--depth", "1", "--n", "4", "--exact", "--json")
    assert json.loads(out)["coefficients"] == ["1/pi", "1", "3/(2*pi)", "0"]


def test_text_output_states_depth_convention(capsys):
    code, out, _ = run(capsys, "coeffs", "--depth", "2", "--n", "3")
    assert code == 0 and "hidden ReLU layers" in out and "b_2 =" in out


def test_other_kernels(capsys):
    code, out, _ = run(capsys, "coeffs", "--arch", "gaussian", "--c", "1", "--n", "3", "--json")
    with mpmath.workdps(30):
        assert abs(mpmath.mpf(json.loads(out)["coefficients"][2]) - mpmath.e ** -1 / 2) < 1e-28
    code, out, _ = run(capsys, "kernel", "--arch", "arccos", "--order", "0", "--at", "0", "--json")
    assert mpmath.mpf(json.loads(out)["value"]) == mpmath.mpf("0.5")
    code, out, _ = run(capsys, "kernel", "--bias", "0.5", "--layer-weights", "1/2,1", "--depth", "1",
                       "--at", "0.2", "--json")
    assert code == 0
    expected = sk.fc(1, bias=sp.Rational(1, 2), layer_weights=(sp.Rational(1, 2), 1))(sp.Rational(1, 5))
    assert abs(float(json.loads(out)["value"]) - float(expected)) < 1e-14


@pytest.mark.parametrize("argv,param", [
    (["kernel", "--depth", "-1", "--at", "0.3"], "depth"),
    (["kernel", "--depth", "0"], "depth"),
    (["kernel", "--depth", "two"], "depth"),
    (["kernel", "--at", "1.5"], "at"),
    (["kernel", "--at", "__import__('os')"], "at"),
    (["kernel", "--theta", "4"], "theta"),
    (["kernel", "--at", "0.1", "--dps", "2"], "dps"),
    (["kernel", "--at", "0.1", "--dps", "many"], "dps"),
    (["coeffs", "--n", "0"], "n"),
    (["coeffs", "--n", "100", "--exact"], "n"),
    (["coeffs", "--bias", "-1"], "bias"),
    (["coeffs", "--layer-weights", "1,1"], "layer_weights"),
    (["coeffs", "--layer-weights", "1,x,1"], "layer-weights"),
    (["coeffs", "--arch", "laplace", "--c", "0"], "c"),
    (["coeffs", "--arch", "arccos", "--order", "99"], "order"),
    (["kernel", "--arch", "unknown"], "arch"),
    (["kernel", "--kind", "gp"], "kind"),
    (["frobnicate"], "command"),
])
def test_errors_exit_2_with_one_line_naming_the_parameter(capsys, argv, param):
    with pytest.raises(SystemExit) as exc:
        raise SystemExit(main(argv))
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("symkernel: error:")
    assert param in err or param.replace("_", "-") in err or "invalid choice" in err


def test_console_script_installed():
    exe = shutil.which("symkernel") or shutil.which("symkernel", path=sys.prefix + "/bin")
    assert exe, "the console script 'symkernel' is installed with the package"
    res = subprocess.run([exe, "coeffs", "--depth", "3", "--n", "3", "--dps", "20", "--json", "--quiet"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert len(json.loads(res.stdout)["coefficients"]) == 3
    res = subprocess.run([exe, "kernel", "--depth", "-2"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "depth" in res.stderr and res.stderr.count("\n") == 1


def test_eigen_command_json_matches_library(capsys):
    code, out, _ = run(capsys, "eigen", "--depth", "1", "--dim", "3", "--kmax", "4", "--dps", "20", "--json",
                       "--quiet")
    assert code == 0
    data = json.loads(out)
    assert data["multiplicities"] == [1, 3, 5, 7, 9]
    # two-layer NTK on S^2: exact rationals 1/2, 1/3, 5/64, 0, 1/192 (closed form)
    expected = [sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(5, 64), 0, sp.Rational(1, 192)]
    with mpmath.workdps(30):
        for s, e in zip(data["eigenvalues"], expected):
            assert abs(mpmath.mpf(s) - mpmath.mpf(sp.N(e, 30))) < mpmath.mpf(10) ** -19


@pytest.mark.parametrize("argv,param", [
    (["eigen", "--dim", "1"], "dim"), (["eigen", "--kmax", "-2"], "kmax"), (["eigen", "--dps", "3"], "dps"),
])
def test_eigen_errors(capsys, argv, param):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and param in err and err.count("\n") == 1


def test_conv_coeffs_and_freq_eigen(capsys):
    """conv coefficients over multi-indices (sum over shells = univariate series of K(t,...,t)) and
    eigen --freq against the library."""
    from symkernel.spectrum.multisphere import multisphere_eigenvalue

    base = ["--arch", "conv", "--head", "eq", "--depth", "2", "--filter", "3", "--pixels", "5",
            "--channels", "3"]
    code, out, _ = run(capsys, "coeffs", *base, "--degree", "3", "--dps", "20", "--json")
    assert code == 0
    rows = json.loads(out)["coefficients"]
    K = sk.conv("eq", depth=2, filter=3, pixels=5, channels=3)
    t = sp.Rational(1, 5)
    total = sum(mpmath.mpf(r["b"]) * mpmath.mpf(0.2) ** sum(r["n"]) for r in rows)
    assert all(mpmath.mpf(r["b"]) >= 0 for r in rows)
    value = K(**{name: t for name in K.inputs})
    assert abs(total - value) < 0.01  # truncation at degree 3: remainder O(0.2^4) * K(1)
    code, out, _ = run(capsys, "eigen", *base, "--freq", "1,0,0,0,0", "--json")
    data = json.loads(out)
    lib = multisphere_eigenvalue(K, [1, 0, 0, 0, 0])
    assert code == 0 and data["multiplicity"] == 3 and abs(float(data["eigenvalue"]) - lib.value) < 1e-12
    code, out, err = run(capsys, "eigen", *base, "--freq", "1,-1,0,0,0")
    assert code == 2 and "freq" in err


def test_resnet_kernel_command(capsys):
    code, out, _ = run(capsys, "kernel", "--arch", "resnet", "--depth", "3", "--alpha", "1", "--at", "0.3",
                       "--json")
    assert code == 0
    expected = sk.resnet(3, alpha=1)(sp.Rational(3, 10), dps=30)
    with mpmath.workdps(35):
        assert abs(mpmath.mpf(json.loads(out)["value"]) - expected) < 1e-28
    code, _, err = run(capsys, "kernel", "--arch", "resnet", "--depth", "3")
    assert code == 2 and "alpha" in err

"""Command-line polish: the progress bar ends its line, conv eigen shows the orbit size, resnet's alpha and
gamma read like the command line, readable exact coefficients, one-line errors with exit status 2."""

import io
import json
import shutil
import subprocess
import sys

import pytest

from symkernel.cli import main
from symkernel.progress import ProgressBar


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_one_line_error(capsys, argv, param):
    with pytest.raises(SystemExit) as exc:
        raise SystemExit(main(list(argv)))
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("symkernel: error:"), err
    assert param in err, err
    return err


# ------------------------------------------------------------------------------------- progress bar
def test_progress_bar_called_directly_ends_its_line_when_done():
    stream = io.StringIO()
    bar = ProgressBar("work", stream=stream)
    for i in range(1, 11):
        bar(i, 10)
    text = stream.getvalue()
    assert text.endswith("100.0%\n") and text.count("\n") == 1
    bar.close()  # idempotent: no second newline
    assert stream.getvalue() == text


def test_progress_bar_in_with_block_one_line_for_several_phases():
    stream = io.StringIO()
    with ProgressBar("work", stream=stream) as bar:
        for _ in range(2):  # two phases (for example a run and its check at higher precision)
            for i in range(1, 6):
                bar(i, 5)
        assert "\n" not in stream.getvalue()
    assert stream.getvalue().endswith("100.0%\n") and stream.getvalue().count("\n") == 1


def test_progress_bar_ends_its_line_after_an_error_and_quiet_writes_nothing():
    stream = io.StringIO()
    with pytest.raises(RuntimeError), ProgressBar("work", stream=stream) as bar:
        bar(1, 10)
        raise RuntimeError
    assert stream.getvalue().endswith("10.0%\n")
    quiet = io.StringIO()
    with ProgressBar("work", quiet=True, stream=quiet) as bar:
        bar(1, 2)
        bar(2, 2)
    bar(2, 2)
    assert quiet.getvalue() == ""


def test_eigen_table_starts_on_its_own_line_after_the_bar(monkeypatch):
    shared = io.StringIO()  # stdout and stderr on one terminal
    monkeypatch.setattr(sys, "stdout", shared)
    monkeypatch.setattr(sys, "stderr", shared)
    assert main(["eigen", "--depth", "2", "--kmax", "200", "--dps", "20"]) == 0
    text = shared.getvalue()
    assert "eigenvalues [" in text and text.endswith("\n")
    assert "100.0%\n# " in text  # the bar's line is ended before the table's first line
    assert "%#" not in text and "\n\n" not in text


def test_console_script_progress_newline_and_quiet():
    exe = shutil.which("symkernel") or shutil.which("symkernel", path=sys.prefix + "/bin")
    argv = [exe, "eigen", "--depth", "2", "--kmax", "200", "--dps", "20"]
    res = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stderr.endswith("100.0%\n")
    res = subprocess.run(argv + ["--quiet"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stderr == ""


# ------------------------------------------------------------------------------ conv eigen: orbit size
@pytest.mark.parametrize("head,freq,mult,orbit", [
    ("gap", "1,0,0,0,0", 3, 5),
    ("gap", "1,1,0,0,0", 9, 5),
    ("tr", "1,1,0,0,0", 9, 5),
])
def test_conv_eigen_shows_orbit_size(capsys, head, freq, mult, orbit):
    from symkernel.spectrum.multisphere import multiplicity
    from symkernel.spectrum.multisphere import orbit as shift_orbit

    argv = ["eigen", "--arch", "conv", "--head", head, "--pixels", "5", "--depth", "2", "--freq", freq]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert f"multiplicity {mult}, orbit size {orbit}" in out
    vec = [int(k) for k in freq.split(",")]
    assert multiplicity(vec, 3, head) == mult and len(shift_orbit(vec, _grid(5))[0]) == orbit
    code, out, _ = run(capsys, *argv, "--json")
    data = json.loads(out)
    assert code == 0 and data["orbit_size"] == orbit and data["multiplicity"] == mult


def test_conv_eigen_orbit_size_of_a_periodic_vector(capsys):
    code, out, _ = run(capsys, "eigen", "--arch", "conv", "--head", "gap", "--pixels", "4", "--depth", "2",
                       "--freq", "1,0,1,0")
    assert code == 0 and "multiplicity 6, orbit size 2" in out


@pytest.mark.parametrize("freq", ["1,0,0", "1,a,0,0,0", "1,-1,0,0,0", "", "1,,0,0,0"])
def test_conv_eigen_bad_freq_one_line(capsys, freq):
    assert_one_line_error(capsys, ["eigen", "--arch", "conv", "--head", "gap", "--pixels", "5", "--depth",
                                   "2", "--freq", freq], "freq")


def _grid(p):
    from symkernel.architectures.conv import Grid

    return Grid((p,))


# ----------------------------------------------------------------------- parsing of user numbers
@pytest.mark.parametrize("text,value", [
    ("0.3", "3/10"), ("1e-3", "1/1000"), ("2.5e2", "250"), (".5", "1/2"), ("0.123456789012345678901234",
    "61728394506172839450617/500000000000000000000000"), ("1/sqrt(2)", "sqrt(2)/2"), ("2^10", "1024"),
    ("1.5e-2*pi", "3*pi/200"), ("2**0.5", "sqrt(2)"),
])
def test_parse_number_exact(text, value):
    import sympy as sp

    from symkernel.parsing import parse_number

    assert parse_number("x", text) == sp.sympify(value)


@pytest.mark.parametrize("text", ["9**9**9", "(999**999)**999", "1e99999", "exp(exp(exp(100)))",
                                  "2**100000"])
def test_parse_number_refuses_astronomical_values_fast(text):
    import time

    from symkernel.errors import ParameterError
    from symkernel.parsing import parse_number

    start = time.monotonic()
    with pytest.raises(ParameterError) as exc:
        parse_number("alpha", text, "a finite real number > 0")
    assert time.monotonic() - start < 2
    assert exc.value.parameter == "alpha" and "> 0" in exc.value.allowed


# --------------------------------------------------------------------- exact coefficients, readable
def _program_values(coefficients, definitions, digits=50):
    """Evaluate printed coefficients after substituting the printed definitions, in order."""
    import sympy as sp

    names = {name: sp.Symbol(name) for name, _ in definitions}
    env = {}
    for name, text in definitions:
        env[names[name]] = sp.N(sp.sympify(text, locals=names).xreplace(env), digits)
    return [sp.N(sp.sympify(c, locals=names).xreplace(env), digits) for c in coefficients]


def _assert_digits(values, K, n, digits=25):
    import mpmath

    reference = K.coefficients(n, dps=30)
    with mpmath.workdps(40):
        for v, ref in zip(values, reference, strict=True):
            v = mpmath.mpf(str(v))
            assert abs(v - ref) <= mpmath.mpf(10) ** -digits * max(abs(ref), 1), (v, ref)


@pytest.mark.parametrize("argv,build", [
    (["--depth", "2"], lambda sk: sk.fc(2)),
    (["--depth", "3", "--kind", "nngp"], lambda sk: sk.fc(3, "nngp")),
    (["--depth", "3"], lambda sk: sk.fc(3)),
    (["--arch", "resnet", "--depth", "3", "--gamma", "1/2"], lambda sk: sk.resnet(3, gamma="1/2")),
])
def test_coeffs_exact_program_evaluates_to_the_numeric_coefficients(capsys, argv, build):
    import symkernel as sk

    n = 8
    code, out, _ = run(capsys, "coeffs", "--exact", "--n", str(n), *argv, "--json")
    assert code == 0
    data = json.loads(out)
    defs = data["definitions"]
    assert len({value for _, value in defs}) == len(defs)  # each constant defined once
    arccos = [value for _, value in defs if value.startswith("acos(")]
    assert len(set(arccos)) == len(arccos) >= 1
    if "resnet" not in argv:
        assert arccos[0] == "acos(1/pi)"  # kappa_0 and kappa_1 of the first layer at t = 0 share it
    _assert_digits(_program_values(data["coefficients"], defs), build(sk), n)
    # the text output prints the same program: b_i = ..., then "where" and one definition a line
    code, out, _ = run(capsys, "coeffs", "--exact", "--n", str(n), *argv)
    lines = out.splitlines()
    where = lines.index("where")
    coeffs = [line.split(" = ", 1)[1] for line in lines[:where] if line.startswith("b_")]
    text_defs = [line.strip().split(" = ", 1) for line in lines[where + 1:]]
    assert coeffs == data["coefficients"] and text_defs == defs


def test_keep_constants_program_binds_each_constant_once_and_only_what_is_used():
    import sympy as sp

    import symkernel as sk

    for K, c in ((sk.fc(2), 1 / sp.pi), (sk.fc(3), 1 / sp.pi), (sk.resnet(2, alpha=1), 1 / (2 * sp.pi))):
        coeffs, defs = K.exact_coefficients(6, keep_constants=True)
        values = [v for _, v in defs]
        assert len(set(values)) == len(values)
        assert values.count(sp.acos(c)) == 1  # the first expansion point, shared by kappa_0 and kappa_1
        used = set().union(*(x.free_symbols for x in coeffs), *(v.free_symbols for v in values))
        assert all(sym in used for sym, _ in defs)
        # the root (1 - c^2)^(-1/2) is named once, not repeated inside the other definitions
        assert sum(str(v).count(str(sp.sqrt(1 - c**2))) for v in values) <= 1


def test_coeffs_exact_deep_kernel_is_short_and_fast(capsys):
    import time

    start = time.monotonic()
    code, out, _ = run(capsys, "coeffs", "--exact", "--depth", "5", "--n", "8")
    assert code == 0 and time.monotonic() - start < 30
    assert len(out) < 60_000 and "\nwhere\n" in out
    code, out, _ = run(capsys, "coeffs", "--exact", "--depth", "1", "--n", "4")
    assert "where" not in out and out.splitlines()[-1] == "b_3 = 0"  # no constants: as before


@pytest.mark.parametrize("argv,param", [
    (["coeffs", "--exact", "--n", "41"], "n"),
    (["coeffs", "--exact", "--n", "0"], "n"),
    (["coeffs", "--exact", "--n", "x"], "n"),
])
def test_coeffs_exact_errors_one_line(capsys, argv, param):
    assert_one_line_error(capsys, argv, param)



def test_closed_stdout_ends_quietly(monkeypatch, capsys):
    """`symkernel verify | head`: a reader that leaves early ends the command quietly (status 141, the
    shell's code for SIGPIPE), not with a BrokenPipeError traceback."""
    from symkernel import cli

    def gone(args):
        raise BrokenPipeError(32, "Broken pipe")

    parser = cli.make_parser()
    monkeypatch.setattr(cli, "make_parser", lambda: parser)
    for action in parser._subparsers._group_actions[0].choices.values():
        action.set_defaults(func=gone)
    assert cli.main(["kernel", "--depth", "1", "--at", "0.5"]) == 141
    assert capsys.readouterr().err == ""


def test_api_reads_numbers_like_the_cli():
    """fc(bias=...), layer weights, laplace(c), gaussian(c) take the CLI's exact strings too."""
    import sympy as sp

    import symkernel as sk

    assert sk.fc(2, bias="1/2").info["bias"] == ["1/2"] * 3
    assert sk.fc(2, bias="1/2")(sp.Rational(1, 3), dps=30) == sk.fc(2, bias=sp.Rational(1, 2))(
        sp.Rational(1, 3), dps=30)
    assert sk.laplace("sqrt(2)/2").info["c"] == str(sp.sqrt(2) / 2)
    assert sk.gaussian("0.5").info["c"] == "1/2"
    for bad, name in ((lambda: sk.fc(2, bias="-1"), "bias"), (lambda: sk.laplace("x"), "c"),
                      (lambda: sk.fc(2, bias='__import__("os")'), "bias")):
        with pytest.raises(sk.ParameterError) as err:
            bad()
        assert err.value.parameter == name

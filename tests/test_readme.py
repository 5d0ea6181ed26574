"""The README's worked examples run, and print what the README shows.

Executable blocks are fenced code blocks whose info string contains the word ``run``:

* ```` ```python run ```` — executed in a fresh namespace (working directory: a temporary directory);
  when the next fenced block is a ```` ```text ```` block, that block is the expected stdout;
* ```` ```console run ```` — every line ``$ symkernel ARGS`` is run through :func:`symkernel.cli.main`
  (in process, exit status 0 required); the lines up to the next ``$`` line are its expected stdout.

Add ``slow`` to the info string (```` ```python run slow ````) to mark the block ``@pytest.mark.slow``.

Expected output is compared with the actual stdout by :func:`match_output`, line by line after trailing
blanks are stripped:

* a line that is exactly ``...`` stands for any number of lines (abbreviated output);
* ``...`` inside a line stands for any text (for example a timing);
* runs of blanks match runs of blanks (table columns may shift when digits are abbreviated);
* a number written with a decimal point or an exponent is compared as a number: equal to the printed one
  when the program prints no more digits than the README shows; when the README shows fewer digits
  (abbreviated output), within one unit of its last shown digit (rounded or truncated); a zero shown must
  be printed as zero;
* everything else, integers included, must agree character for character.

Besides, every other ``python`` block of the README must compile, and every ``$ symkernel`` line of a
non-run ``console`` block must be accepted by the argument parser.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import shlex
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"

_NUMBER = r"[-+]?(?:\d+\.\d+|\.\d+|\d+)(?:[eE][-+]?\d+)?"
_TOKEN = re.compile(rf"(?P<ell>\.\.\.)|(?P<num>{_NUMBER})|(?P<ws>\s+)")


# ------------------------------------------------------------------------------------------------
# parsing the README
# ------------------------------------------------------------------------------------------------
@dataclass
class Block:
    info: list[str]   # words of the info string: language first
    text: str
    line: int         # line number of the opening fence (1-based)
    section: str      # the nearest heading above

    @property
    def lang(self) -> str:
        return self.info[0] if self.info else ""

    @property
    def runs(self) -> bool:
        return "run" in self.info[1:]

    @property
    def slow(self) -> bool:
        return "slow" in self.info[1:]


def _slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")[:40]


def parse_blocks(markdown: str) -> list[Block]:
    """Fenced code blocks (``` at the start of a line) with their info strings and sections."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    section = "top"
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#") and not line.startswith("#!"):
            section = _slug(line.lstrip("#"))
        if line.startswith("```"):
            info = line[3:].split()
            body = []
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                body.append(lines[j])
                j += 1
            if j == len(lines):
                raise ValueError(f"README.md:{i + 1}: unclosed code fence")
            blocks.append(Block(info, "\n".join(body) + "\n", i + 1, section))
            i = j + 1
            continue
        i += 1
    return blocks


def expected_after(blocks: list[Block], index: int, markdown: str) -> str | None:
    """The ```text block that directly follows block ``index`` (only blank lines in between)."""
    if index + 1 >= len(blocks) or blocks[index + 1].lang != "text":
        return None
    lines = markdown.splitlines()
    here, nxt = blocks[index], blocks[index + 1]
    end_of_here = here.line + here.text.count("\n")  # index of the closing fence (0-based)
    if any(s.strip() for s in lines[end_of_here + 1:nxt.line - 1]):
        return None
    return nxt.text


def console_commands(block: Block) -> list[tuple[list[str], str, int]]:
    """``(argv, expected stdout, line number)`` for every ``$ symkernel ...`` line of a console block."""
    out: list[tuple[list[str], str, int]] = []
    for n, line in enumerate(block.text.splitlines()):
        if line.startswith("$ "):
            argv = shlex.split(line[2:])
            if not argv or argv[0] != "symkernel":
                raise ValueError(f"README.md:{block.line + 1 + n}: only `$ symkernel ...` commands are run")
            out.append((argv[1:], "", block.line + 1 + n))
        elif out:
            argv, text, ln = out[-1]
            out[-1] = (argv, text + line + "\n", ln)
        elif line.strip():
            raise ValueError(f"README.md:{block.line + 1 + n}: output before the first `$` command")
    return out


# ------------------------------------------------------------------------------------------------
# comparing outputs
# ------------------------------------------------------------------------------------------------
def _is_float(token: str) -> bool:
    return any(c in token for c in ".eE")


def _line_pattern(expected: str) -> tuple[re.Pattern, list[str]]:
    """Regex of one expected line and the number tokens it captures, in order."""
    parts, numbers, pos = [], [], 0
    for m in _TOKEN.finditer(expected):
        parts.append(re.escape(expected[pos:m.start()]))
        if m.group("ell"):
            parts.append(".*?")
        elif m.group("num"):
            parts.append(f"({_NUMBER})")
            numbers.append(m.group("num"))
        else:
            parts.append(r"\s+" if m.start() > 0 else r"\s*")
        pos = m.end()
    parts.append(re.escape(expected[pos:]))
    return re.compile("".join(parts)), numbers


def _numbers_agree(shown: str, actual: str) -> bool:
    if not _is_float(shown):
        return shown == actual
    try:
        e, a = Decimal(shown), Decimal(actual)
    except InvalidOperation:
        return False
    if e == 0:
        return a == 0  # a zero shown is a claim (a vanishing eigenvalue), not a rounding
    shown_last, printed_last = e.as_tuple().exponent, a.as_tuple().exponent
    if printed_last >= shown_last:  # printed with no more digits than shown: nothing was rounded
        return a == e
    return abs(a - e) <= Decimal(1).scaleb(shown_last)  # shortened by rounding or truncation


def line_matches(expected: str, actual: str) -> bool:
    pattern, shown = _line_pattern(expected)
    m = pattern.fullmatch(actual)
    if m is None:
        return False
    return all(_numbers_agree(s, a) for s, a in zip(shown, m.groups()))


def _clean(text: str) -> list[str]:
    lines = [s.rstrip() for s in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def match_output(expected: str, actual: str) -> bool:
    """Whether ``actual`` is what ``expected`` shows (module docstring for the rules)."""
    exp, act = _clean(expected), _clean(actual)
    memo: dict[tuple[int, int], bool] = {}

    def go(i: int, j: int) -> bool:
        key = (i, j)
        if key not in memo:
            if i == len(exp):
                memo[key] = j == len(act)
            elif exp[i].strip() == "...":
                memo[key] = any(go(i + 1, jj) for jj in range(j, len(act) + 1))
            else:
                memo[key] = j < len(act) and line_matches(exp[i], act[j]) and go(i + 1, j + 1)
        return memo[key]

    return go(0, 0)


def _first_difference(expected: str, actual: str) -> str:
    """The first expected line that does not match the printed line at the same place (a hint: lines
    after a ``...`` line are not aligned)."""
    exp, act = _clean(expected), _clean(actual)
    for i, line in enumerate(exp):
        if line.strip() == "...":
            return "(after a `...` line)"
        if i >= len(act):
            return f"README line {line!r}: nothing printed"
        if not line_matches(line, act[i]):
            return f"README line {line!r}\n   printed line {act[i]!r}"
    return f"extra printed line {act[len(exp)]!r}" if len(act) > len(exp) else ""


def _explain(expected: str, actual: str, where: str) -> str:
    return (f"{where}: the output differs from the README (rules: tests/test_readme.py).\n"
            f"first difference: {_first_difference(expected, actual)}\n"
            f"--- README shows:\n{expected.rstrip()}\n--- the code printed:\n{actual.rstrip()}\n")


# ------------------------------------------------------------------------------------------------
# the cases
# ------------------------------------------------------------------------------------------------
_MARKDOWN = README.read_text(encoding="utf-8")
_BLOCKS = parse_blocks(_MARKDOWN)


def _cases():
    cases = []
    for idx, b in enumerate(_BLOCKS):
        if not b.runs:
            continue
        if b.lang not in ("python", "console"):
            raise ValueError(f"README.md:{b.line}: `run` blocks must be python or console")
        marks = [pytest.mark.slow] if b.slow else []
        cases.append(pytest.param(idx, id=f"{b.section}-L{b.line}", marks=marks))
    return cases


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("index", _cases())
def test_readme_block(index, in_tmp):
    block = _BLOCKS[index]
    if block.lang == "python":
        expected = expected_after(_BLOCKS, index, _MARKDOWN)
        out, err = io.StringIO(), io.StringIO()
        # padded so that tracebacks give README line numbers
        code = compile("\n" * block.line + block.text, str(README), "exec")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            exec(code, {"__name__": "__readme__"})
        if expected is not None and not match_output(expected, out.getvalue()):
            pytest.fail(_explain(expected, out.getvalue(), f"README.md:{block.line}"), pytrace=False)
        return
    from symkernel.cli import main

    commands = console_commands(block)
    assert commands, f"README.md:{block.line}: a console run block without `$ symkernel` commands"
    for argv, expected, line in commands:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv)
        where = f"README.md:{line} `symkernel {shlex.join(argv)}`"
        assert status == 0, f"{where} exited {status}: {err.getvalue()}"
        if not match_output(expected, out.getvalue()):
            pytest.fail(_explain(expected, out.getvalue(), where), pytrace=False)


def test_other_python_blocks_compile():
    for b in _BLOCKS:
        if b.lang == "python" and not b.runs:
            ast.parse(b.text, filename=f"README.md:{b.line}")


def test_other_console_commands_parse():
    """Non-run ``$ symkernel`` lines must still be valid command lines (options renamed -> fail)."""
    from symkernel.cli import make_parser

    parser = make_parser()
    for b in _BLOCKS:
        if b.lang == "console" and not b.runs:
            for argv, _, line in console_commands(b):
                err = io.StringIO()
                with contextlib.redirect_stderr(err):
                    try:
                        parser.parse_args(argv)
                    except SystemExit as exc:
                        pytest.fail(f"README.md:{line}: `symkernel {shlex.join(argv)}` does not parse "
                                    f"({exc.code}): {err.getvalue().strip()}")


def test_every_worked_example_runs_something():
    """Each paper section under "Worked examples" holds at least one block the tests run."""
    sections: dict[str, int] = {}
    inside = False
    for line in _MARKDOWN.splitlines():
        if line.startswith("## "):
            inside = line.lower().startswith("## worked examples")
        elif inside and line.startswith("### "):
            sections[_slug(line.lstrip("#"))] = 0
    assert sections, "README.md has no '## Worked examples' section with '###' paper sections"
    for b in _BLOCKS:
        if b.runs and b.section in sections:
            sections[b.section] += 1
    empty = [s for s, n in sections.items() if not n]
    assert not empty, f"sections without a run block: {empty}"


# ------------------------------------------------------------------------------------------------
# the comparison rules themselves
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("expected, actual, ok", [
    ("mu_2 = 0.1165", "mu_2 = 0.11653087249090985", True),        # fewer digits shown
    ("mu_2 = 0.1166", "mu_2 = 0.11653087249090985", True),        # last digit rounded
    ("mu_2 = 0.1167", "mu_2 = 0.11653087249090985", False),       # a changed digit
    ("mu_2 = 0.1265", "mu_2 = 0.11653087249090985", False),
    ("ratio 1.1668", "ratio 1.1667", False),                      # same digits printed: equal
    ("ratio 1.16670", "ratio 1.1667", True),                      # as numbers
    ("ratio 2.0", "ratio 2", True),
    ("x 1.3625e-03", "x 1.36253e-03", True),
    ("x 1.3625e-03", "x 1.3625e-04", False),
    ("k^-3 and N = 9", "k^-3 and N = 9", True),
    ("k^-3 and N = 9", "k^-3 and N = 10", False),                  # integers are exact
    ("k^-3", "k^-2", False),
    ("K(1) = 2", "K(1) = 2.000", False),
    ("mu_3 = 0.0", "mu_3 = 0.04", False),                         # a zero shown must be zero
    ("mu_3 = 0.0", "mu_3 = 0.000", True),
    ("a   0.5   b", "a 0.5 b", True),                              # blanks are flexible
    ("time: ...", "time: setup 0.4 s, total 0.5 s", True),
    ("time: ... total 0.5 s", "time: setup 0.4 s, total 0.9 s", False),
])
def test_line_rules(expected, actual, ok):
    assert line_matches(expected, actual) is ok


def test_ellipsis_lines():
    actual = "head\nrow 1\nrow 2\nrow 3\ntail 0.25\n"
    assert match_output("head\n...\ntail 0.25\n", actual)
    assert match_output("head\nrow 1\n...\n", actual)
    assert not match_output("head\n...\ntail 0.35\n", actual)
    assert not match_output("head\nrow 1\n", actual)                # missing lines are an error
    assert match_output("x\n\n", "x\n")                            # trailing blank lines ignored

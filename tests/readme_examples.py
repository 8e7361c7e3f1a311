"""The README's examples, generated from the tool: check them, or rewrite them.

    python3 tests/readme_examples.py            # exit 1 and show a diff if an example is stale
    python3 tests/readme_examples.py --update   # rewrite the example blocks in README.md

An example block in README.md sits between ``<!-- example: NAME -->`` and ``<!-- /example -->``
and is one of two kinds:

* a fenced code block of shell commands (lines starting with ``$ ``), each followed by its
  output. Supported commands: ``amspares ...`` (run as ``python -m amspares.cli`` from this
  checkout), ``head -N FILE`` and ``cat FILE``. They run in a scratch folder holding a copy of
  ``examples/`` and the input files of :data:`FILES`; stdout and stderr are shown together, as
  a terminal shows them. Timings such as ``(0.1 s)`` are compared loosely;
* a Markdown table of Excel functions with an "example" and a "Result" column: every
  ``=FUNCTION(...)`` formula is called through :mod:`amspares.udfs` and its result compared
  with the number shown, at the precision shown (``…,`` continues the cell's first formula).

Never edit the output in an example block by hand: change the command, then run ``--update``.
"""

from __future__ import annotations

import ast
import difflib
import operator
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

BLOCK = re.compile(r"(<!-- example: (?P<name>[^>]*?) -->\n)(?P<body>.*?)(<!-- /example -->)", re.S)
TIMING = re.compile(r"\(\d+(?:\.\d+)? s\)")
# Progress lines (shown only when a run takes over a second; a terminal erases them before the
# results), so they are not part of an example's output.
PROGRESS = re.compile(r"^amspares \w+: (\[\d+/\d+\] .*|[\d,]+ SKUs \(\d+%\) in [\d.]+ s)$")


def _case_study_with(old: str, new: str) -> str:
    text = (ROOT / "pysrc" / "amspares" / "data" / "case_study.toml").read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


# Input files the examples use, written into the scratch folder (name -> text maker).
FILES = {
    "bad.toml": lambda: _case_study_with("rate_per_year = 2.0", "rate_per_year = -2"),
    "typo.toml": lambda: _case_study_with("rate_per_year = 2.0", "rate = 2.0"),
    "mixed.csv": lambda: (
        "sku,demand.rate_per_year,methods.regular.moq,demand.rate_per_yr\n"
        "OK-1,2,,\nNEG,-3,,\nHALF-MOQ,2,2.5,\nTYPO,2,,4\n"
    ),
}


# --------------------------------------------------------------------------- shell blocks


def parse_shell(body: str) -> tuple[str, str, list[dict]]:
    """Split a fenced block into (opening fence, closing fence, commands).

    >>> _, _, cmds = parse_shell("```\\n$ head -1 a.csv\\nx,y\\n\\n$ cat b\\n```\\n")
    >>> [(c["command"], c["output"], c["blank_before"]) for c in cmds]
    [('head -1 a.csv', 'x,y', False), ('cat b', '', True)]
    """
    lines = body.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("```"))
    end = max(i for i, line in enumerate(lines) if line.startswith("```"))
    inner = lines[start + 1 : end]
    commands: list[dict] = []
    for line in inner:
        if line.startswith("$ "):
            blank = bool(commands and commands[-1]["lines"] and commands[-1]["lines"][-1] == "")
            if blank:
                commands[-1]["lines"].pop()
            commands.append({"command": line[2:], "lines": [], "blank_before": blank})
        elif commands:
            commands[-1]["lines"].append(line)
        elif line.strip():
            raise ValueError(f"example block: text before the first '$ ' command: {line!r}")
    for c in commands:
        c["output"] = "\n".join(c.pop("lines")).rstrip("\n")
    return lines[start], lines[end], commands


def render_shell(fence_open: str, fence_close: str, commands: list[dict]) -> str:
    out = [fence_open]
    for c in commands:
        if c["blank_before"]:
            out.append("")
        out.append("$ " + c["command"])
        if c["output"]:
            out.append(c["output"])
    out.append(fence_close)
    return "\n".join(out) + "\n"


def run_command(command: str, workdir: Path) -> str:
    """The output of one example command, as a terminal would show it (stdout and stderr)."""
    argv = shlex.split(command)
    if argv[0] == "head":
        count = int(argv[1].lstrip("-n").lstrip("-") or 10)
        text = (workdir / argv[2]).read_text(encoding="utf-8")
        return "\n".join(text.split("\n")[:count]).rstrip("\n")
    if argv[0] == "cat":
        return (workdir / argv[1]).read_text(encoding="utf-8").rstrip("\n")
    if argv[0] != "amspares":
        raise ValueError(f"example command not supported: {command!r}")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "pysrc"), *filter(None, [env.get("PYTHONPATH")])])
    env["PYTHONUNBUFFERED"] = "1"  # keep stdout and stderr in the order they were written
    env.pop("COLUMNS", None)
    done = subprocess.run(
        [sys.executable, "-m", "amspares.cli", *argv[1:]],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    lines = [line for line in done.stdout.split("\n") if not PROGRESS.match(line)]
    return "\n".join(lines).rstrip("\n")


def same_output(shown: str, real: str) -> bool:
    return TIMING.sub("(t s)", shown) == TIMING.sub("(t s)", real)


# --------------------------------------------------------------------------- Excel tables

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _arith(text: str) -> float:
    """A number or a + - * / expression of numbers (``2*86/365``)."""

    def ev(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        raise ValueError(f"not a number: {text!r}")

    return ev(ast.parse(text.strip(), mode="eval").body)


def _split_top(text: str, sep: str) -> list[str]:
    parts, depth, quoted, cur = [], 0, False, ""
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "({":
            depth += 1
        elif not quoted and ch in ")}":
            depth -= 1
        if ch == sep and depth == 0 and not quoted:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


def _argument(text: str):
    text = text.strip()
    if text == "":
        return None  # a blank argument: the function's default
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE"
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    if text.startswith("{") and text.endswith("}"):
        rows = [_split_top(r, ",") for r in _split_top(text[1:-1], ";")]
        return [[_argument(c) for c in row] for row in rows]
    return _arith(text)


def parse_formula(formula: str) -> tuple[str, list]:
    """``=NAME(arg, ...)`` to the function name and its Python arguments.

    >>> parse_formula('=TRANSPORT_MPTS({"van";"plane"}, {100;1000})')
    ('TRANSPORT_MPTS', [[['van'], ['plane']], [[100], [1000]]])
    >>> parse_formula("=OPTIMAL_S(2, 30, , TRUE)")
    ('OPTIMAL_S', [2, 30, None, True])
    """
    m = re.fullmatch(r"=\s*([A-Z_][A-Z0-9_]*)\((.*)\)\s*", formula.strip())
    if not m:
        raise ValueError(f"not a worksheet formula: {formula!r}")
    return m.group(1), [_argument(a) for a in _split_top(m.group(2), ",")]


def call_formula(formula: str) -> list:
    """The values a formula returns (a spilled row gives several)."""
    from amspares import udfs

    name, args = parse_formula(formula)
    result = getattr(udfs, name)(*args)
    values: list = []

    def flat(x):
        if isinstance(x, (list, tuple)):
            for y in x:
                flat(y)
        else:
            values.append(x)

    flat(result)
    return values


def format_like(shown: str, value) -> str:
    """``value`` written with the precision of ``shown`` (fixed or scientific).

    >>> format_like("0.000133454", 0.0001334540625), format_like("7.68e-06", 7.67999e-06)
    ('0.000133454', '7.68e-06')
    >>> format_like("10800", 10800.0), format_like("1735.71", 1735.7055)
    ('10800', '1735.71')
    >>> format_like("", None)                  # an empty result cell
    ''
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    m = re.fullmatch(r"-?\d+(?:\.(\d+))?(e[-+]\d+)?", shown.strip())
    if not m:
        raise ValueError(f"not a number: {shown!r}")
    decimals = len(m.group(1) or "")
    return f"{value:.{decimals}e}" if m.group(2) else f"{value:.{decimals}f}"


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def formulas_of_cell(cell: str) -> list[str]:
    """The formulas of an example cell; ``…,`` continues the cell's first formula.

    >>> formulas_of_cell("`=F(1, 2)` / `…, , TRUE)` / `…, 3)`")
    ['=F(1, 2)', '=F(1, 2, , TRUE)', '=F(1, 2, 3)']
    """
    out: list[str] = []
    for code in re.findall(r"`([^`]*)`", cell):
        if code.startswith("…"):
            code = out[0].rstrip()[:-1] + code[1:]
        out.append(code)
    return out


def render_table(body: str) -> str:
    """The table with every Result cell recomputed at the precision it shows."""
    lines = body.rstrip("\n").split("\n")
    header = _cells(lines[0])
    ex_col = next(i for i, h in enumerate(header) if "example" in h.lower())
    res_col = next(i for i, h in enumerate(header) if h.lower() == "result")
    out = lines[:2]
    for line in lines[2:]:
        cells = _cells(line)
        formulas = formulas_of_cell(cells[ex_col])
        shown_parts = [p.strip() for p in cells[res_col].split(" / ")]
        if len(formulas) != len(shown_parts):
            raise ValueError(f"{len(formulas)} formulas but {len(shown_parts)} results in: {line}")
        new_parts = []
        for formula, shown in zip(formulas, shown_parts):
            ticked = shown.startswith("`")
            tokens = [t.strip() for t in shown.strip("`").split(",")]
            values = call_formula(formula)
            if len(values) != len(tokens):
                raise ValueError(f"{formula} returns {len(values)} values, the README shows {len(tokens)}")
            text = ", ".join(format_like(t, v) for t, v in zip(tokens, values))
            new_parts.append(f"`{text}`" if ticked else text)
        cells[res_col] = " / ".join(new_parts)
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- the README


def blocks(text: str) -> list[tuple[str, str]]:
    """(name, body) of every example block, in order."""
    return [(m.group("name"), m.group("body")) for m in BLOCK.finditer(text)]


def render_block(body: str, workdir: Path) -> str:
    if "```" in body:
        fence_open, fence_close, commands = parse_shell(body)
        for c in commands:
            real = run_command(c["command"], workdir)
            if not same_output(c["output"], real):
                c["output"] = real
        return render_shell(fence_open, fence_close, commands)
    return render_table(body)


def scratch_folder() -> Path:
    work = Path(tempfile.mkdtemp(prefix="amspares-readme-"))
    shutil.copytree(ROOT / "examples", work / "examples")
    for name, make in FILES.items():
        (work / name).write_text(make(), encoding="utf-8")
    return work


def render(text: str) -> str:
    """The README text with every example block regenerated from the tool."""
    work = scratch_folder()
    try:
        return BLOCK.sub(lambda m: m.group(1) + render_block(m.group("body"), work) + m.group(4), text)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = render(text)
    if "--update" in argv:
        if new != text:
            README.write_text(new, encoding="utf-8")
            print(f"updated {README.name}: {len(blocks(new))} example blocks")
        else:
            print(f"{README.name} is up to date ({len(blocks(new))} example blocks)")
        return 0
    if new != text:
        sys.stdout.writelines(
            difflib.unified_diff(text.splitlines(True), new.splitlines(True), "README.md", "real")
        )
        print("\nREADME examples are stale: run python3 tests/readme_examples.py --update")
        return 1
    print(f"{README.name}: {len(blocks(text))} example blocks match the tool")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

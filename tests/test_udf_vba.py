"""The VBA that xlwings itself generates from ``amspares.udfs`` ("Import Functions").

On Linux ``xlwings.func``/``arg``/``ret`` are no-op placeholders and ``xlwings.udfs``
cannot be imported (it needs pywin32). Here pywin32 is replaced by stub modules (only
the names ``xlwings/udfs.py`` uses at import time), ``xlwings.udfs`` is imported for real,
``amspares.udfs`` is reloaded under xlwings' real decorators, and then xlwings' own
``generate_vba_wrapper`` and ``import_udfs`` run against a fake workbook that records what
would be sent to Excel: the VBA module and the ``Application.MacroOptions`` calls that
carry the Function Wizard's description, category and argument help.

Expected texts come from docs/model.md (function names and argument order, section 7) and
from Excel's limits (255 characters per description, 1023 per VBA line).
"""

from __future__ import annotations

import importlib
import inspect
import io
import re
import sys
import types

import pytest
import xlwings

import amspares.udfs
from amspares.excel import functions as fx

STUBS = ("pythoncom", "pywintypes", "win32com", "win32com.client")

# Reserved words of VBA (Visual Basic for Applications language reference, "Keywords").
VBA_KEYWORDS = {
    "and", "as", "boolean", "byref", "byte", "byval", "call", "case", "class", "const",
    "currency", "date", "declare", "dim", "do", "double", "each", "else", "elseif", "empty",
    "end", "enum", "eqv", "erase", "error", "event", "exit", "false", "for", "friend",
    "function", "get", "global", "gosub", "goto", "if", "imp", "implements", "in", "integer",
    "is", "let", "lib", "like", "long", "loop", "lset", "me", "mod", "new", "next", "not",
    "nothing", "null", "object", "on", "optional", "or", "paramarray", "preserve", "private",
    "public", "raiseevent", "redim", "rem", "resume", "return", "rset", "select", "set",
    "single", "static", "stop", "string", "sub", "then", "to", "true", "type", "typeof",
    "until", "variant", "wend", "while", "with", "xor",
}


@pytest.fixture(scope="module")
def real_xlwings():
    """(xlwings.udfs, amspares.udfs decorated by xlwings' real decorators)."""
    saved = {name: sys.modules.get(name) for name in STUBS + ("xlwings.udfs",)}
    had_attr = hasattr(xlwings, "udfs")
    mp = pytest.MonkeyPatch()
    try:
        pythoncom = types.ModuleType("pythoncom")
        pythoncom.CoInitialize = lambda: None
        pywintypes = types.ModuleType("pywintypes")
        pywintypes.com_error = type("com_error", (Exception,), {})
        win32com = types.ModuleType("win32com")
        client = types.ModuleType("win32com.client")
        client.Dispatch = lambda *a, **k: pytest.fail("Dispatch must not be called")
        win32com.client = client
        for name, mod in zip(STUBS, (pythoncom, pywintypes, win32com, client)):
            sys.modules[name] = mod
        sys.modules.pop("xlwings.udfs", None)
        xu = importlib.import_module("xlwings.udfs")
        mp.setattr(xlwings, "func", xu.xlfunc)
        mp.setattr(xlwings, "arg", xu.xlarg)
        mp.setattr(xlwings, "ret", xu.xlret)
        module = importlib.reload(amspares.udfs)
        yield xu, module
    finally:
        mp.undo()
        for name, mod in saved.items():
            if mod is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = mod
        if not had_attr and hasattr(xlwings, "udfs"):
            delattr(xlwings, "udfs")
        importlib.reload(amspares.udfs)        # back to the plain (no-op decorated) module
        if "xu" in locals():
            xu.com_executor.shutdown(wait=False)


def test_real_decorators_are_in_place(real_xlwings):
    _, module = real_xlwings
    assert all(hasattr(getattr(module, n), "__xlfunc__") for n in module.__all__)


class FakeWorkbook:
    """Records what xlwings' import_udfs sends to Excel over COM."""

    def __init__(self, name="amspares.xlam"):
        self.Name = name
        self.imported = []
        self.macro_options = []
        book = self

        class Components:
            def __call__(self, name):
                return name

            def Remove(self, component):
                raise sys.modules["pywintypes"].com_error("no such component")

            def Import(self, path):
                with open(path, encoding="utf-8") as fh:
                    book.imported.append(fh.read())

        class Application:
            Version = "16.0"

            def MacroOptions(self, macro, **kwargs):
                book.macro_options.append((macro, kwargs))

            def Run(self, *args):
                pytest.fail(f"fallback import used: {args}")

        self.VBProject = types.SimpleNamespace(VBComponents=Components())
        self.Application = Application()


def vba_for(real_xlwings, book_name="amspares.xlam") -> str:
    xu, module = real_xlwings
    buf = io.StringIO()
    xu.generate_vba_wrapper("amspares.udfs", module, buf, FakeWorkbook(book_name))
    return buf.getvalue()


def expected_signature(f) -> str:
    parts = []
    for name, p in inspect.signature(f).parameters.items():
        parts.append(("Optional " if p.default is not inspect.Parameter.empty else "") + name)
    return f"Function {f.__name__}({', '.join(parts)})"


def test_generated_vba_has_every_function_with_its_arguments(real_xlwings):
    _, module = real_xlwings
    vba = vba_for(real_xlwings)
    declared = re.findall(r"^Function (\w+)\(", vba, flags=re.M)
    assert sorted(declared) == sorted(module.__all__)
    assert len(declared) == 18          # 17 + ECO2E (kg CO2e, issue 16)
    for name in module.__all__:
        f = getattr(module, name)
        assert expected_signature(f) in vba.splitlines()
        args = ", ".join(inspect.signature(f).parameters)
        assert (f'{name} = XLPy.CallUDF("amspares.udfs", "{name}", Array({args}), '
                f"ActiveWorkbook, Application.Caller)") in vba
    # docs/model.md section 7, literally
    assert ("Function TOTALCOST(S, rate, years, price, lead_days, emergency_per_day, "
            "regular_per_demand, inbound_share, outbound_per_part, holding_per_part_year, "
            "Optional investment, Optional benefit_per_part_year, Optional waiting_time, "
            "Optional free_days, Optional order_wait)") in vba
    assert ("Function OPTIMAL_S(rate, years, price, lead_days, emergency_per_day, "
            "regular_per_demand, inbound_share, outbound_per_part, holding_per_part_year, "
            "Optional investment, Optional benefit_per_part_year, Optional waiting_time, "
            "Optional with_cost, Optional free_days, Optional service_target)") in vba
    # version 2 (docs/model.md, Excel functions): the policy function for any moq and friends
    assert ("Function POLICY(rate, years, price, lead_days, emergency_per_day, "
            "regular_per_demand, inbound_share, outbound_per_part, holding_per_part_year, "
            "Optional moq, Optional investment, Optional benefit_per_part_year, "
            "Optional waiting_time, Optional free_days, Optional service_target, "
            "Optional accepted_q_confidence, Optional header)") in vba
    assert "Function FILL_RATE(S, u, Optional waiting_time, Optional Q)" in vba
    assert "Function ON_TIME_RATE(S, rate, lead_days, free_days, Optional waiting_time, Optional Q)" in vba
    assert "Function DEMAND_RATE(history, Optional periods_per_year, Optional level, Optional header)" in vba
    assert "Function CATALOGUE(table, Optional base_scenario_path, Optional header)" in vba
    assert "Function ERLANGC(S, u)" in vba
    assert ("Function ECOMPTS(produced, shipped_to_warehouse, delivered, weight_kg, "
            "material_mpts_per_kg, material_efficiency, process_mpts_per_kg_of_part, "
            "factory_leg_mpts_per_kg, warehouse_leg_mpts_per_kg, customer_leg_mpts_per_kg, "
            "Optional extra_mpts_per_part)") in vba
    assert "Function ACCEPTED_Q(total_demand, Optional confidence)" in vba


def test_generated_vba_is_valid_for_the_vba_editor(real_xlwings):
    vba = vba_for(real_xlwings)
    assert max(len(line) for line in vba.splitlines()) <= 1023     # VBA physical line limit
    for sig in re.findall(r"^Function \w+\((.*)\)$", vba, flags=re.M):
        names = [a.replace("Optional ", "").strip() for a in sig.split(",")]
        assert len({n.lower() for n in names}) == len(names), sig   # VBA is case-insensitive
        for n in names:
            assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,254}", n), n
            assert n.lower() not in VBA_KEYWORDS, n
    # a workbook (not an add-in) calls with ThisWorkbook
    assert "ThisWorkbook, Application.Caller" in vba_for(real_xlwings, "Book1.xlsm")


def test_metadata_reads_ranges_as_2d_with_error_text(real_xlwings):
    _, module = real_xlwings
    for name in module.__all__:
        info = getattr(module, name).__xlfunc__
        assert info["category"] == "AM Spares"
        assert info["ret"]["doc"] == fx.DESCRIPTIONS[name]
        for arg in info["args"]:
            assert arg["options"] == {"ndim": 2, "err_to_str": True}, (name, arg["name"])
            assert arg["doc"] == fx.arg_help(name, arg["name"])


def test_import_functions_sends_descriptions_and_argument_help(real_xlwings):
    xu, module = real_xlwings
    # get_udf_module would Dispatch the workbook to look for embedded code on first use;
    # register the already-imported module as xlwings does after that first import.
    xu.udf_modules["amspares.udfs"] = {"filename": module.__file__, "filetime": None,
                                       "module": module}
    book = FakeWorkbook()
    try:
        xu.import_udfs("amspares.udfs", book)
    finally:
        xu.udf_modules.pop("amspares.udfs", None)
    (vba,) = book.imported
    assert vba.startswith('Attribute VB_Name = "xlwings_udfs"')
    assert "Function OPTIMAL_S(rate, years" in vba
    options = {macro: kw for macro, kw in book.macro_options}
    assert sorted(options) == sorted(f"'amspares.xlam'!{n}" for n in module.__all__)
    for name in module.__all__:
        kw = options[f"'amspares.xlam'!{name}"]
        assert kw["Category"] == "AM Spares"
        assert kw["Description"] == fx.DESCRIPTIONS[name]            # not truncated: <= 255
        params = list(inspect.signature(getattr(module, name)).parameters)
        assert kw["ArgumentDescriptions"] == [fx.arg_help(name, p) for p in params]
        for text in kw["ArgumentDescriptions"]:
            assert not text.startswith("Positional argument")
    opt = options["'amspares.xlam'!OPTIMAL_S"]
    assert "S*, TC(S*)" in opt["Description"]
    with_cost = list(inspect.signature(module.OPTIMAL_S).parameters).index("with_cost")
    assert opt["ArgumentDescriptions"][with_cost].startswith("Optional: TRUE spills S* and its total cost")
    assert options["'amspares.xlam'!TOTALCOST"]["ArgumentDescriptions"][0].endswith(
        'or the text "MTO" for make to order. A range gives one result per cell.')


def test_values_as_xlwings_delivers_them(real_xlwings):
    """call_udf passes every argument as a 2-D list (ndim=2) and a missing optional as
    its Python default, converted the same way: [[default]]."""
    _, module = real_xlwings
    info = module.OPTIMAL_S.__xlfunc__
    given = [2.0, 30.0, 15.0, 86.0, 100.0, 0.0, 0.08, 10.0, 0.45]
    args = [[[v]] for v in given] + [[[a["optional"]]] for a in info["args"][len(given):]]
    assert module.OPTIMAL_S(*args) == [[5]]                          # docs/model.md section 8
    names = [a["name"] for a in info["args"]]
    args[names.index("with_cost")] = [[True]]
    args[names.index("waiting_time")] = [["erlang_c"]]                # the thesis's model
    S, tc = module.OPTIMAL_S(*args)[0]
    assert S == 5 and round(tc, 2) == 1735.71
    # a blank cell arrives as None: for an optional, the default
    args[9] = [[None]]
    assert module.OPTIMAL_S(*args)[0][0] == 5

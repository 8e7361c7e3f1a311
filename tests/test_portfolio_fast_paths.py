"""The portfolio's byte fast paths give exactly what the general (text) path gives.

A quote-free CSV chunk reaches the checks as columns of bytes
(:class:`amspares.portfolio.csv._ByteColumn`); a quoted chunk, an xlsx sheet or a test
passes lists of text. Every check, the written SKU and the repeated-SKU index must not
tell the two apart: the reference of each test below is the text path on the same cells.
"""

from __future__ import annotations

import numpy as np
import pytest

from amspares.portfolio import run_portfolio
from amspares.portfolio.chunks import _has_base_stock, _index_of, evaluate_chunk
from amspares.portfolio.columns import Column, check_choices, plan_columns
from amspares.portfolio.csv import _SplitLater, _text_matrix, _text_words
from amspares.portfolio.skus import sku_keys
from amspares.scenario import load_scenario

#: Cells next to the choices: exact, empty, a prefix, longer, NUL bytes (numpy's text
#: comparison ignores a trailing NUL), other case, spaces, non-ASCII, 8/9/16/17 bytes.
CHOICE_CELLS = ["exact", "", "erlang_c", "exakt", "exact\x00", "\x00exact", "EXACT", " exact",
                "exactx", "exac", "e", "\u00e9xact", "erlang_cx", "12345678", "123456789",
                "demand", "max_demand_stock", "max_demand_stockx", "max_demand_stoc", "demand ",
                "x" * 40, "erlang_c"]


def _byte_column(cells: list[str], delimiter: str = ";", index: int = 1, trailing_newline: bool = True):
    """Cells as the column ``index`` of a quote-free chunk (another column beside them)."""
    lines = [f"S{i}{delimiter}{c}" if index == 1 else f"{c}{delimiter}S{i}" for i, c in enumerate(cells)]
    data = ("\n".join(lines) + ("\n" if trailing_newline else "")).encode()
    return _SplitLater(data, delimiter, 2).columns()[index]


@pytest.mark.parametrize("key, choices, base", [
    ("model.waiting_time", ("erlang_c", "exact"), "erlang_c"),
    ("model.production_rule", ("demand", "max_demand_stock"), "max_demand_stock"),
])
@pytest.mark.parametrize("index", [0, 1])
def test_choice_cells_matched_as_bytes_as_the_text_path(key, choices, base, index):
    col = Column(1, key, "choice", choices=choices, base=base, key=key)
    rng = np.random.default_rng(4)
    cells = CHOICE_CELLS + [CHOICE_CELLS[i] for i in rng.integers(0, len(CHOICE_CELLS), 300)]
    for trailing in (True, False):
        column = _byte_column(cells, index=index, trailing_newline=trailing)
        codes, bad = check_choices(col, column)
        codes0, bad0 = check_choices(col, cells)
        assert codes.tolist() == codes0.tolist()
        assert bad == bad0
    assert check_choices(col, _byte_column(["", ""]))[1] == {}


def _matrix_by_hand(column, width: int) -> np.ndarray:
    """Each cell's first ``width`` bytes, 0-padded, one cell at a time."""
    out = np.zeros((len(column), width), np.uint8)
    for i, (a, b) in enumerate(zip(column.starts.tolist(), column.ends.tolist())):
        cell = column.data[a:b][:width]
        out[i, :len(cell)] = np.frombuffer(cell, np.uint8)
    return out


def test_byte_matrix_read_eight_bytes_at_a_time_is_each_cells_bytes():
    rng = np.random.default_rng(8)
    alphabet = list("ab\x00\u00e9x1 ")
    for _ in range(200):
        n = int(rng.integers(1, 25))
        cells = ["".join(rng.choice(alphabet, rng.integers(0, 26))) for _ in range(n)]
        for index in (0, 1):
            column = _byte_column(cells, ",", index, trailing_newline=bool(rng.random() < 0.5))
            for width in (0, 1, 5, 8, 9, 16, 17, 31):
                m = column.matrix(width)
                assert m.flags.c_contiguous and m.shape == (n, width)
                assert (m == _matrix_by_hand(column, width)).all()


SKUS = ["SKU-1", "", "=HYPERLINK(1)", "-3", "+x", "@a", "\tA", "A-7", "Gr\u00f6\u00dfe 7", "a\x00b",
        "a\x00", "\u65e5\u672c", "a,b", "x" * 40, "SKU-1"]


def _written(texts) -> bytes:
    """A text field as the CSV writer writes it (its words' bytes, 0s dropped)."""
    words = _text_words(texts, ord(","), end=ord("\n"))
    rows = np.stack(words, axis=1) if words else np.zeros((len(texts), 0), np.uint32)
    return np.ascontiguousarray(rows).tobytes().translate(None, b"\0")


@pytest.mark.parametrize("cells", [SKUS, ["A1", "B22", "", "C"], ["", ""], ["Gr\u00f6\u00dfe", "a\x00"],
                                   ["a,b", "c"], ["=1", "B"]])
def test_sku_bytes_written_as_the_text_path(cells):
    column = _byte_column(cells, ";", 0)
    assert list(column) == cells
    assert _written(column) == _written(list(cells))
    part = column[1:3]                          # the writer's blocks are slices
    assert list(part) == cells[1:3] and _written(part) == _written(cells[1:3])
    assert np.array_equal(_text_matrix(column[:0]), _text_matrix([])) or len(cells) == 0


@pytest.mark.parametrize("cells", [SKUS, ["A1", "B22", "", "C"], ["", ""], ["a\x00", "a"],
                                   ["x" * 65, "y", "12345678", "\u00e9" * 40]])      # wider than skus.WIDE
def test_sku_keys_are_the_utf8_bytes_of_the_text(cells):
    expected = [c.encode("utf-8") for c in cells]
    plain, text = sku_keys(_byte_column(cells, ";", 0)), sku_keys(list(cells))
    everything = np.arange(len(cells))
    assert plain.bytes_of(everything) == expected == text.bytes_of(everything)
    assert plain.lengths.tolist() == [len(e) for e in expected]
    assert np.array_equal(plain.hashes, text.hashes)


def test_repeated_sku_found_across_a_quoted_and_a_plain_chunk(tmp_path):
    # chunk 1 (quoted: the csv module, text) and chunk 2 (plain: bytes) share "Größe 7";
    # "a\0" and "a" differ, as their texts do
    cat = tmp_path / "c.csv"
    cat.write_text('sku,demand.rate_per_year,Note\n"Gr\u00f6\u00dfe 7",1,"x, y"\na\x00,1,z\n'
                   'b,1,z\nGr\u00f6\u00dfe 7,2,z\na,1,z\n', encoding="utf-8")
    report = run_portfolio(cat, tmp_path / "o.csv", load_scenario(), chunk_rows=3)
    assert report.warnings == ["SKU 'Gr\u00f6\u00dfe 7' appears on rows 2 and 5 (both are evaluated)"]


def test_base_stock_marked_by_S_as_by_the_policy_names():
    """``S != -1`` where the policy is base_stock or make_to_order (docs/model.md: S is
    written for those policies only), for moq = 1, moq <= n, moq > n and order methods."""
    from amspares.binding import bind
    from amspares.core.evaluate import evaluate

    scenario = load_scenario()
    inputs = dict(scenario.inputs())
    inputs["demand.rate_per_year"] = np.array([0.05, 0.5, 2.0, 2.0, 2.0, 40.0])
    inputs["methods.regular.moq"] = np.array([1, 1, 1, 2, 500, 5])
    ev = evaluate(bind(inputs, scenario.methods))
    policies = set()
    for res in ev.methods.values():
        by_name = np.isin(res.policy.astype(str), ["base_stock", "make_to_order"])
        has = _has_base_stock(res)
        assert (by_name.all() if has is None else has.tolist() == by_name.tolist())
        assert _has_base_stock(res, everywhere=False).tolist() == by_name.tolist()
        policies |= set(res.policy.tolist())
    assert policies == {"base_stock", "reorder_point", "one_order", "make_to_order"}


def test_index_of_method_names_as_comparing_each_name():
    methods = ["regular", "am_mts", "am_mto"]
    names = np.array(methods + [None, "other"], dtype=object)[np.random.default_rng(2).integers(0, 5, 500)]
    expected = [methods.index(n) if n in methods else -1 for n in names.tolist()]
    assert _index_of(names, methods).tolist() == expected
    assert _index_of(np.array([], dtype=object), methods).tolist() == []


def test_chunk_of_bytes_evaluated_as_the_same_cells_as_text():
    """evaluate_chunk on a quote-free chunk's byte columns equals evaluate_chunk on the
    same cells as lists of text (the general path), bad cells and all."""
    scenario = load_scenario()
    header = ["sku", "demand.rate_per_year", "methods.regular.moq", "model.waiting_time",
              "model.production_rule", "Planner", "demand.rate_per_yr"]
    rng = np.random.default_rng(11)
    numbers = ["1", "2.5", "", "-3", "x", "1e400", "0", "1.5", " 7 ", "+3", "1\x1f", ".5", "1e13"]
    rows = []
    for i in range(400):
        rows.append([SKUS[i % len(SKUS)].replace(";", "") if i % 3 else f"S{i}",
                     str(rng.choice(numbers)), str(rng.choice(["1", "", "50", "0", "2.5", "x"])),
                     str(rng.choice(CHOICE_CELLS)), str(rng.choice(["", "demand", "max_demand_stock", "dem"])),
                     str(rng.choice(["", "A. Jansen", "=x", "\u00dc"])), str(rng.choice(["", "", "3"]))])
    data = ("\n".join(";".join(r) for r in rows) + "\n").encode()
    plan = plan_columns(header, scenario)
    by_bytes = _SplitLater(data, ";", len(header)).columns()
    by_text = [list(c) for c in zip(*rows)]
    numbers_of_rows = range(2, 2 + len(rows))
    for kw in ({}, {"breakdown": True, "advice": True, "negotiate": True}):
        a = evaluate_chunk(scenario, plan, by_bytes, numbers_of_rows, decimal=".", **kw)
        b = evaluate_chunk(scenario, plan, by_text, numbers_of_rows, decimal=".", **kw)
        assert list(a.sku) == list(b.sku) and a.errors == b.errors
        assert sum(1 for e in a.errors if e) > 100                   # the bad cells are there
        for name in ("rate", "cheapest", "lowest_impact", "lowest_impact_co2e", "saving"):
            assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name
        assert a.columns.keys() == b.columns.keys()
        for name in a.columns:
            assert np.array_equal(a.columns[name], b.columns[name], equal_nan=True), name
        assert a.carried == b.carried
        assert _written(a.sku) == _written(b.sku)

"""The one checker of numeric inputs: what counts as a number, and what each rule allows.

Every number a planner types goes through here, whatever its origin: a scenario file
(:mod:`amspares.scenario`), a cell of the workbook's Inputs sheet (read back through the
scenario), a cell of a portfolio catalogue (:mod:`amspares.portfolio`) or an argument of
an Excel function (:mod:`amspares.excel.functions`). The check is vectorised: a column
of a million cells is parsed and checked with numpy, and only bad cells are explained.

* :func:`to_numbers` reads values (numbers, or text such as ``" 2.5 "``) into floats and
  says which are empty and which are not numbers at all;
* :func:`reasons` gives, per value, why it breaks a :class:`Rule` (``OK`` = it does not);
  :func:`check` is the mask of bad values;
* :func:`message` words the rule a value breaks, e.g. ``"must be >= 0"``, and
  :func:`error` makes the :class:`~amspares.errors.ScenarioError` naming input, value
  and rule.

What is a number: a real number that is not TRUE/FALSE, or text that Python's ``float``
reads once surrounding spaces are removed (``"2.5"``, ``" 5 "``, ``"1e3"``). Text holding
a control character (``"1\\x1f"``, an invisible separator pasted from another program)
is not a number: it is reported with the character's code, never silently read.

>>> r = Rule(">= 0", maximum=1e6)
>>> check(r, ["3", " 2.5 ", -1, "x", "1e400", 2e6, "1\\x1f"]).tolist()
[False, False, True, True, True, True, True]
>>> [message(r, v) for v in (-1, "x", "1e400", 2e6, "1\\x1f")]       # doctest: +NORMALIZE_WHITESPACE
['must be >= 0', 'must be a number', 'must be a finite number', 'must be <= 1e+06 (a typo?)',
 'must be a number without control characters (found U+001F)']
>>> error("demand.rate_per_year", -1, r)
ScenarioError('demand.rate_per_year = -1: must be >= 0')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from numbers import Real
from typing import Any, Sequence

import numpy as np

from amspares.errors import ScenarioError

#: The ranges a rule can require, with the test each applies to a float array.
RANGES = {
    "": lambda v: np.ones(np.shape(v), dtype=bool),
    ">= 0": lambda v: v >= 0,
    "> 0": lambda v: v > 0,
    ">= 1": lambda v: v >= 1,
    "[0, 1]": lambda v: (v >= 0) & (v <= 1),
    "(0, 1]": lambda v: (v > 0) & (v <= 1),
    "(0, 1)": lambda v: (v > 0) & (v < 1),
    "[0.5, 1)": lambda v: (v >= 0.5) & (v < 1),
}
#: The same ranges as spreadsheet conditions on a cell ``{x}`` holding a number (the scenario
#: workbook's live input checks are generated from these: amspares.workbook.checks).
EXCEL_RANGES = {
    "": "TRUE",
    ">= 0": "{x}>=0",
    "> 0": "{x}>0",
    ">= 1": "{x}>=1",
    "[0, 1]": "AND({x}>=0,{x}<=1)",
    "(0, 1]": "AND({x}>0,{x}<=1)",
    "(0, 1)": "AND({x}>0,{x}<1)",
    "[0.5, 1)": "AND({x}>=0.5,{x}<1)",
}
_RANGE_WORDS = {"(0, 1]": "must be > 0 and <= 1", "[0, 1]": "must be between 0 and 1",
                "(0, 1)": "must be strictly between 0 and 1", "[0.5, 1)": "must be >= 0.5 and < 1"}

# reasons, in the order they are checked (the first that applies is reported)
OK, EMPTY, NOT_A_NUMBER, CONTROL, NOT_FINITE, OUT_OF_RANGE, NOT_WHOLE, TOO_LARGE, TOO_SMALL = range(9)

#: Control characters: Unicode category Cc except tab, line feed and carriage return,
#: which are ordinary white space around a pasted value.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_HUGE = float(np.finfo(float).max)


@dataclass(frozen=True)
class Rule:
    """What a numeric input must satisfy.

    ``range`` is one of :data:`RANGES`; ``integer`` asks for a whole number; ``maximum``
    bounds the magnitude (a larger value is a typo, or beyond what the model computes);
    ``why_maximum`` is added to the message of a too-large value, which shows the maximum
    in ``maximum_format`` (``"g"``: ``1e+06``; ``".0f"``: ``1000000``). ``minimum`` (with
    ``why_minimum``) is the smallest value the model can compute where the range allows
    smaller ones (:data:`MINIMUMS`).
    """

    range: str = ""
    integer: bool = False
    maximum: float = 1e12
    why_maximum: str = "a typo?"
    maximum_format: str = "g"
    minimum: float | None = None
    why_minimum: str = ""

    def __post_init__(self):
        if self.range not in RANGES:
            raise ValueError(f"unknown range {self.range!r}; known: {', '.join(RANGES)}")


#: Smallest accepted values of keys (by their last part) whose range alone allows values the
#: model cannot compute (``material_efficiency = 1e-320`` divides the material impact into an
#: overflow): scenario files, the Inputs sheet and catalogue columns all apply them.
MINIMUMS = {"material_efficiency": (1e-6, "smaller values overflow the impact model")}


def minimum_of(key: str) -> dict:
    """The :class:`Rule` arguments of ``key``'s minimum (:data:`MINIMUMS`), ``{}`` if none.

    >>> minimum_of("methods.am_mto.material_efficiency")["minimum"], minimum_of("demand.rate_per_year")
    (1e-06, {})
    """
    low = MINIMUMS.get(key.rsplit(".", 1)[-1])
    return {} if low is None else {"minimum": low[0], "why_minimum": low[1]}


def has_control(text: str) -> bool:
    """Whether ``text`` holds a control character (such text is never read as a number).

    >>> has_control("1\x1f"), has_control(" 2\t")
    (True, False)
    """
    return _CONTROL.search(text) is not None


def _one(x) -> tuple[float, int]:
    """One value as (float, reason in EMPTY / NOT_A_NUMBER / CONTROL / OK)."""
    if x is None:
        return np.nan, EMPTY
    if isinstance(x, (bool, np.bool_)):
        return np.nan, NOT_A_NUMBER
    if isinstance(x, Real):
        try:
            return float(x), OK
        except OverflowError:          # a whole number beyond the float range
            return (_HUGE if x > 0 else -_HUGE), OK
    if isinstance(x, str):
        if _CONTROL.search(x):
            return np.nan, CONTROL
        s = x.strip()
        if not s:
            return np.nan, EMPTY
        try:
            return float(s), OK
        except ValueError:
            return np.nan, NOT_A_NUMBER
    return np.nan, NOT_A_NUMBER


def to_numbers(values, all_text: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Values (a sequence or array of numbers and text) as floats, and a reason per value.

    The reason is ``OK`` for a number, ``EMPTY`` for ``None`` or blank text,
    ``NOT_A_NUMBER`` or ``CONTROL`` otherwise (the float is then NaN). A plain float
    array is taken as it is; text is parsed by numpy in one go when it can be (``all_text``
    promises that every value is a ``str``, which saves a pass over them).

    >>> v, why = to_numbers(["1", "", None, "2.5", True, "abc"])
    >>> v.tolist()[:4:3], why.tolist()
    ([1.0, 2.5], [0, 1, 1, 0, 2, 2])
    """
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        v = values.astype(float).ravel()
        return v, np.zeros(v.size, dtype=np.int8)
    flat = list(values) if not isinstance(values, np.ndarray) else values.ravel().tolist()
    size = len(flat)
    kinds = {str} if all_text else set(map(type, flat))
    if kinds <= {float, int} and all(abs(x) < 1e300 for x in flat if type(x) is int):
        return np.array(flat, dtype=float), np.zeros(size, dtype=np.int8)
    if kinds == {str}:
        try:   # fast path: every cell a number or "" (C-level parsing)
            if "" in flat:
                why = np.array([c == "" for c in flat], dtype=bool).astype(np.int8) * np.int8(EMPTY)
                v = np.array([c or "0" for c in flat], dtype=float)
                v[why == EMPTY] = np.nan
            else:
                why = np.zeros(size, dtype=np.int8)
                v = np.array(flat, dtype=float)
        except ValueError:
            pass
        else:
            # float() reads a number around these control characters (and no others)
            joined = "".join(flat)
            if "\x0b" not in joined and "\x0c" not in joined and "\x85" not in joined:
                return v, why
    v = np.empty(size)
    why = np.empty(size, dtype=np.int8)
    for i, x in enumerate(flat):
        v[i], why[i] = _one(x)
    return v, why


def reasons(rule: Rule, values) -> np.ndarray:
    """Per value, the first rule it breaks (``OK`` = none; ``EMPTY`` for blanks).

    Checked in this order: a number (no control characters), finite, in range, whole
    (integer rules), magnitude at most ``rule.maximum``.
    """
    v, why = to_numbers(values)
    return reasons_of_numbers(rule, v, why)


def reasons_of_numbers(rule: Rule, v: np.ndarray, why: np.ndarray | None = None) -> np.ndarray:
    """:func:`reasons` for values already read by :func:`to_numbers`."""
    out = np.zeros(v.shape, dtype=np.int8) if why is None else why.copy()
    todo = out == OK
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(v)
        bad = todo & ~finite
        out[bad] = NOT_FINITE
        todo &= ~bad
        bad = todo & ~RANGES[rule.range](v)
        out[bad] = OUT_OF_RANGE
        todo &= ~bad
        if rule.minimum is not None:
            bad = todo & (v < rule.minimum)
            out[bad] = TOO_SMALL
            todo &= ~bad
        if rule.integer:
            bad = todo & (v != np.floor(v))
            out[bad] = NOT_WHOLE
            todo &= ~bad
        out[todo & (np.abs(v) > rule.maximum)] = TOO_LARGE
    return out


def check(rule: Rule, values, empty_ok: bool = False) -> np.ndarray:
    """Boolean mask of the values that break ``rule`` (blank values too, unless ``empty_ok``).

    >>> check(Rule("> 0", integer=True), [1, 0, 2.5, "", None], empty_ok=True).tolist()
    [False, True, True, False, False]
    """
    why = reasons(rule, values)
    bad = why != OK
    if empty_ok:
        bad &= why != EMPTY
    return bad


def describe(rule: Rule, reason: int, value: Any = None) -> str:
    """The words of one reason (``value`` names the control character it holds)."""
    if reason in (EMPTY, NOT_A_NUMBER):
        return "must be a number"
    if reason == CONTROL:
        found = _CONTROL.search(value) if isinstance(value, str) else None
        code = f" (found U+{ord(found.group()):04X})" if found else ""
        return f"must be a number without control characters{code}"
    if reason == NOT_FINITE:
        return "must be a finite number"
    if reason == OUT_OF_RANGE:
        return _RANGE_WORDS.get(rule.range, f"must be {rule.range}")
    if reason == NOT_WHOLE:
        return "must be a whole number"
    if reason == TOO_SMALL:
        return f"must be >= {rule.minimum:g} ({rule.why_minimum})"
    if reason == TOO_LARGE:
        why = f" ({rule.why_maximum})" if rule.why_maximum else ""
        return f"must be <= {rule.maximum:{rule.maximum_format}}{why}"
    raise ValueError(f"no rule is broken (reason {reason})")


def message(rule: Rule, value) -> str | None:
    """The rule ``value`` breaks, in words (``None`` when it is fine).

    >>> message(Rule("(0, 1]"), 0), message(Rule("(0, 1]"), "0.5")
    ('must be > 0 and <= 1', None)
    """
    why = int(reasons(rule, [value])[0])
    return None if why == OK else describe(rule, why, value)


def messages(rule: Rule, values: Sequence, why: np.ndarray) -> dict[int, str]:
    """``{position: words}`` for every value whose reason is not ``OK`` or ``EMPTY``."""
    bad = np.flatnonzero((why != OK) & (why != EMPTY))
    return {int(i): describe(rule, int(why[i]), values[i]) for i in bad.tolist()}


def error(key: str, value, rule: Rule) -> ScenarioError | None:
    """The :class:`ScenarioError` for ``key = value`` breaking ``rule`` (``None`` if fine)."""
    words = message(rule, value)
    return None if words is None else ScenarioError(key, value, words)


def number(key: str, value, rule: Rule):
    """``value`` as a float (an int for integer rules), or raise the :func:`error`.

    >>> number("methods.regular.moq", "40", Rule(">= 1", integer=True))
    40
    >>> number("k", "", Rule())
    Traceback (most recent call last):
    ...
    amspares.errors.ScenarioError: k = '': must be a number
    """
    v, why = to_numbers([value])
    reason = int(reasons_of_numbers(rule, v, why)[0])
    if reason != OK:
        raise ScenarioError(key, value, describe(rule, reason, value))
    return int(v[0]) if rule.integer else float(v[0])

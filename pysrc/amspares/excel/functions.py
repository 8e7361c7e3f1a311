"""The Excel functions (spec section 7) as plain Python: coercion, one core call, shaping.

This module is what :mod:`amspares.udfs` (the ``@xw.func`` wrappers) calls; it does not
import xlwings, so every function here can be called and tested as ordinary Python.
Each function

1. coerces its arguments the way a worksheet delivers them (see below),
2. calls the pure model in :mod:`amspares.core` ONCE for all valid elements (a column of
   10,000 rates is one vectorised call), and
3. shapes the result: a scalar when every argument is a scalar, otherwise a 2-D list of
   rows (an Excel dynamic array that spills).

No model arithmetic happens here. The only conversions are units (``lead_days / 365``
to years and a mean wait in years ``* 365`` back to days).

Conventions (the same for every function)
-----------------------------------------
* **Ranges in, arrays out.** Any numeric argument may be a single value or a range.
  Arguments broadcast against each other like numpy arrays (a single cell against a
  column, a column against a row gives a table); a 1-D Python list counts as a column.
  Sizes that cannot broadcast give one ``#VALUE!`` text.
* **Numbers.** Excel passes every number as a float; whole-number arguments (``S``,
  ``s``, ``Q``) accept ``5.0`` as 5 and reject ``5.5``. Text that reads as a number
  (``" 5 "``) is accepted, as in the scenario files (one reader, :mod:`amspares.rules`);
  TRUE/FALSE, text with a control character and other text are not.
* **Blank cells.** A blank optional argument (or a blank cell in a range given for an
  optional argument) takes the documented default. A blank cell for a required
  argument gives ``#VALUE! <name> must not be blank`` for that element only; the other
  elements are still computed.
* **Errors are text.** Bad input gives a short text starting with an Excel error code,
  e.g. ``#NUM! S must be >= 0 (got -1)``, ``#VALUE! rate must be a number (got "abc")``,
  ``#VALUE! waiting_time must be "erlang_c" or "exact" (got "erl")``; in an array, only
  the offending elements. Classic (COM) xlwings UDFs cannot return real Excel error
  values (CVErr), so ``ISERROR()`` is FALSE for these cells: test them with
  ``ISTEXT()`` or ``LEFT(cell, 1) = "#"``. An error value in an input cell (``#N/A``)
  is passed on as ``#N/A rate is #N/A``. A result that is not a finite number (an
  unstable Erlang C queue, no demand for a break-even) is also an error text, never a
  silent number.
* **Settings** (``waiting_time``, ``with_cost``) are single cells: ``waiting_time`` is
  ``"erlang_c"`` (default, thesis Eq. 5-6) or ``"exact"`` (Poisson pipeline, spec 3.1),
  case-insensitive; ``with_cost`` is TRUE/FALSE or 1/0 (default FALSE).

Examples
--------
The spec's reference values (section 8):

>>> round(totalcost(5, 2, 30, 15, 86, 100, 0, 0.08, 10, 0.45), 2)
1735.71
>>> optimal_s(2, 30, 15, 86, 100, 0, 0.08, 10, 0.45)
5
>>> totalcost("MTO", 2, 30, 175, 11, 100, 0, 0, 5, 0.45)
10800.0
>>> optimal_s([[2.0], [0], [None]], 30, 15, 86, 100, 0, 0.08, 10, 0.45)   # no demand: no stock
[[5], [0], ['#VALUE! rate must not be blank']]
>>> erlangc(-1, 0.5)
'#NUM! S must be >= 0 (got -1)'
"""

from __future__ import annotations

import datetime as _dt
import itertools
import math
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np

from amspares import core, rules
# amspares.core exports lazily: the model's modules (and scipy) are imported by the first call
# that needs them, not when Excel loads the functions.
from amspares.errors import ScenarioError
from amspares.rules import Rule
from amspares.scenario import leg_factor, parse_legs

#: Excel Function Wizard category of every function.
CATEGORY = "AM Spares"
#: Largest base stock / reorder point accepted (the Erlang B recursion runs S steps; the
#: same cap as :func:`amspares.core.optimal_base_stock`'s search guard).
MAX_STOCK = 10**6
#: Default confidence of ``accepted_q`` (thesis Eq. 31; the scenario default).
DEFAULT_CONFIDENCE = 0.999
#: Excel's error codes as xlwings passes them with ``err_to_str=True``.
EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
                "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!",
                "#BUSY!", "#UNKNOWN!")

_REQUIRED = object()

# --------------------------------------------------------------------------- help texts

#: Function Wizard description of every function (Excel shows at most 255 characters).
DESCRIPTIONS = {
    "ERLANGC": "Erlang C (thesis Eq. 5): probability that a demand has to wait for a part "
               "with base stock S and lead-time demand u; 1 when S <= u.",
    "TOTALCOST": "Total supply cost over the service period (thesis Eq. 1) of a stock method "
                 "at base stock S, or of make to order when S is \"MTO\". Errors are text "
                 "like \"#NUM! ...\".",
    "OPTIMAL_S": "Cost-optimal base stock S* (thesis Eq. 14). A range of inputs spills one "
                 "result per row; with_cost=TRUE spills two columns: S*, TC(S*).",
    "ECOMPTS": "Eco-indicator 99 impact in mPts (thesis Eq. 32-41) of producing, shipping to "
               "the warehouse and delivering parts.",
    "ACCEPTED_Q": "accepted_q (thesis Eq. 31): smallest k with P{Poisson(total_demand) <= k} "
                  ">= confidence; the parts worth keeping from one large order.",
    "SQ_ONHAND": "Expected on-hand stock E[OH] of an (s,Q) policy (thesis Eq. 22, 25) with "
                 "reorder point s, order quantity Q, lead-time demand u.",
    "SQ_BACKORDERS": "Expected backorders E[BO] of an (s,Q) policy (thesis Eq. 23-24) with "
                     "reorder point s, order quantity Q, lead-time demand u.",
    "BACKORDER_WAIT": "Mean backorder wait per demand in DAYS at base stock S (thesis Eq. 6, "
                      "or the exact Poisson-pipeline wait).",
    "BREAKEVEN_PRICE": "AM price per part at which printing to order costs as much as the "
                       "optimal stock method (optimal S*, thesis Eq. 1 and 14).",
    "TRANSPORT_MPTS": "Transport factor of a chain of legs in mPts per kg: sum of km x factor "
                      "of each mode (thesis Table 4, Eq. 40-41). Blank rows are skipped.",
    "OPTIMAL_REORDER_POINT": "Cost-optimal reorder point s* of an (s,Q) policy (thesis Eq. "
                             "15-16, 26) for order quantity Q and lead-time demand u.",
    "MTO_COST": "Total cost of make to order over the service period: n cp + n cd + n Tr_out "
                "+ I - B (spec 3.3, thesis Eq. 1).",
}

#: Function Wizard help of every argument (at most 255 characters each).
HELP = {
    "S": "Base stock level S: a whole number >= 0 (parts on hand plus on order).",
    "u": "Expected demand during the lead time u = rate x lead_days/365 (>= 0).",
    "rate": "Demand rate lambda in parts per year (>= 0). A range gives one result per row.",
    "years": "Service period T in years (> 0). Total demand n = rate x years.",
    "price": "Production price per part cp in EUR (>= 0).",
    "lead_days": "Replenishment lead time in days (production + shipping, >= 0).",
    "emergency_per_day": "Downtime penalty ce in EUR per backordered part per day (>= 0).",
    "regular_per_demand": "Fixed downtime/repair cost cd in EUR per demand (>= 0).",
    "inbound_share": "Inbound transport Tr_in as a share of the value shipped into the "
                     "warehouse (0 to 1).",
    "outbound_per_part": "Outbound transport Tr_out in EUR per part sent to a customer (>= 0).",
    "holding_per_part_year": "Holding cost h in EUR per part per year (>= 0).",
    "investment": "Optional one-off investment I in EUR, e.g. a mould (>= 0). Default 0.",
    "benefit_per_part_year": "Optional benefit bp in EUR per part per year (>= 0); "
                             "B = bp n T / 2. Default 0.",
    "waiting_time": "Optional: \"erlang_c\" (default, thesis Eq. 5-6, M/M/S queue) or "
                    "\"exact\" (Poisson pipeline, M/G/inf).",
    "with_cost": "Optional: TRUE spills S* and its total cost TC(S*) side by side; "
                 "FALSE (default) gives S* only.",
    "produced": "Units produced P (stock, moq = 1: n + S*; make to order: n).",
    "shipped_to_warehouse": "Units shipped into the warehouse W (stock, moq = 1: n + S*; "
                            "make to order: 0).",
    "delivered": "Units delivered to customers, n = rate x years.",
    "weight_kg": "Weight of one part in kg (>= 0).",
    "material_mpts_per_kg": "Material impact m in mPts per kg of material (Table 1; PA 630).",
    "material_efficiency": "Material efficiency ueff: kg of part per kg of material "
                           "(> 0 and <= 1).",
    "process_mpts_per_kg_of_part": "Process impact per kg of part: ue + kWh/kg x mPts/kWh "
                                   "(Table 3; injection moulding 44).",
    "factory_leg_mpts_per_kg": "Legs to the factory: sum of km x mPts/(kg km), per kg of "
                               "material (see TRANSPORT_MPTS).",
    "warehouse_leg_mpts_per_kg": "Legs into the warehouse: sum of km x mPts/(kg km), per kg "
                                 "of part (see TRANSPORT_MPTS).",
    "customer_leg_mpts_per_kg": "Legs to the customer: sum of km x mPts/(kg km), per kg of "
                                "part (see TRANSPORT_MPTS).",
    "extra_mpts_per_part": "Optional extra impact per part produced in mPts, e.g. "
                           "post-processing (>= 0). Default 0.",
    "total_demand": "Expected total demand n = rate x years (>= 0, may be fractional).",
    "confidence": "Optional confidence, strictly between 0 and 1. Default 0.999 (thesis).",
    "s": "Reorder point s: a whole number >= -Q (order when the inventory position "
         "reaches s).",
    "Q": "Order quantity Q: a whole number >= 1 (the minimum order quantity).",
    "modes": "Transport mode of each leg: van, truck_16t, truck_28t, truck_40t, ship, plane; "
             "or a number in mPts/(kg km).",
    "kms": "Distance of each leg in km (>= 0), same number of cells as modes.",
    "mto_outbound_per_part": "Make to order: outbound transport in EUR per part printed "
                             "near the customer (>= 0).",
    "mto_investment": "Optional make-to-order one-off investment in EUR (>= 0). Default 0.",
    "mto_benefit_per_part_year": "Optional make-to-order benefit bp in EUR per part per "
                                 "year (>= 0). Default 0.",
}

#: Argument help that differs from :data:`HELP` in one function.
HELP_OVERRIDES = {
    ("TOTALCOST", "S"): "Base stock level S (a whole number >= 0), or the text \"MTO\" "
                        "for make to order. A range gives one result per cell.",
    ("TOTALCOST", "lead_days"): "Replenishment lead time in days (production + shipping, "
                                ">= 0); ignored (may be blank) for \"MTO\".",
    ("BACKORDER_WAIT", "S"): HELP["S"] + " A range gives one result per cell.",
    ("OPTIMAL_REORDER_POINT", "emergency_per_day"): HELP["emergency_per_day"],
    ("BREAKEVEN_PRICE", "price"): "Stock method: production price per part cp in EUR (>= 0).",
    ("BREAKEVEN_PRICE", "outbound_per_part"): "Stock method: outbound transport in EUR per "
                                              "part (>= 0).",
    ("BREAKEVEN_PRICE", "investment"): "Optional stock-method one-off investment I in EUR "
                                       "(>= 0). Default 0.",
    ("BREAKEVEN_PRICE", "benefit_per_part_year"): "Optional stock-method benefit bp in EUR "
                                                  "per part per year (>= 0). Default 0.",
    ("MTO_COST", "price"): "Price per printed part cp in EUR (>= 0).",
    ("MTO_COST", "outbound_per_part"): "Transport in EUR per part sent to the customer (>= 0).",
}


def arg_help(function: str, name: str) -> str:
    """The Function Wizard help of argument ``name`` of Excel function ``function``.

    >>> arg_help("TOTALCOST", "S").startswith("Base stock level S (a whole number")
    True
    """
    return HELP_OVERRIDES.get((function, name), HELP[name])


# --------------------------------------------------------------------------- coercion


def _fmt(x: Any) -> str:
    """A value as it is echoed in an error text."""
    if isinstance(x, str):
        return '"' + x + '"'
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if isinstance(x, Real):
        x = float(x)
        if math.isfinite(x) and x == math.floor(x) and abs(x) < 1e15:
            return str(int(x))
        return repr(x)
    if isinstance(x, (_dt.date, _dt.datetime, _dt.time)):
        return "a date/time"
    return type(x).__name__


class _SettingError(Exception):
    """A single-cell setting (or the shapes) is wrong: the whole call gives this text."""


#: Excel's error values that xlwings (0.37.8, ``_xlwindows.py``) does not turn into text
#: but hands over as the integer of their COM error: 0x800A0000 + the ``XlCVError`` code,
#: as a signed 32-bit number (``#SPILL!`` = 2045 -> -2146826243).
EXCEL_ERROR_CODES = {2043: "#GETTING_DATA", 2045: "#SPILL!", 2046: "#CONNECT!",
                     2047: "#BLOCKED!", 2048: "#UNKNOWN!", 2049: "#FIELD!", 2050: "#CALC!"}
_COM_ERROR_BASE = -2146828288  # 0x800A0000 as a signed 32-bit integer


def excel_error_text(x) -> str | None:
    """The text of an Excel error value that arrived as xlwings' integer code, or None.

    Only an ``int`` (xlwings gives every cell number as a ``float``) in the range of
    Excel's error codes counts; an unnamed code in that range (a newer Excel's) reads as
    ``#VALUE!``.

    >>> excel_error_text(-2146826243), excel_error_text(-2146826238), excel_error_text(-2146826243.0)
    ('#SPILL!', '#CALC!', None)
    """
    if type(x) is not int or not 2000 <= x - _COM_ERROR_BASE <= 2100:
        return None
    return EXCEL_ERROR_CODES.get(x - _COM_ERROR_BASE, "#VALUE!")


def _error_codes_as_text(grid):
    """Wrap :func:`_grid`: Excel error codes in the flat list become their text."""
    def wrapper(name, value):
        flat, shape = grid(name, value)
        if any(type(x) is int for x in flat):
            flat = [excel_error_text(x) or x for x in flat]
        return flat, shape
    wrapper.__doc__ = grid.__doc__
    return wrapper


@_error_codes_as_text
def _grid(name: str, value) -> tuple[list, tuple]:
    """``value`` as a flat list in row order and its shape (``()`` for a scalar)."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return [value.item()], ()
        if value.ndim == 1:
            return value.tolist(), (value.size, 1)
        if value.ndim == 2:
            return value.ravel().tolist(), value.shape
        raise _SettingError(f"#VALUE! {name} must be a cell or a range (1 or 2 dimensions)")
    if isinstance(value, (list, tuple)):
        if not value:
            raise _SettingError(f"#VALUE! {name} is an empty range")
        if isinstance(value[0], (list, tuple)):
            try:
                widths = set(map(len, value))
            except TypeError:                       # rows mixed with single values
                raise _SettingError(f"#VALUE! {name} must be a rectangular range") from None
            width = len(value[0])
            if widths != {width} or width == 0 or not set(map(type, value)) <= {list, tuple}:
                raise _SettingError(f"#VALUE! {name} must be a rectangular range")
            return list(itertools.chain.from_iterable(value)), (len(value), width)
        if any(isinstance(r, (list, tuple)) for r in value):
            raise _SettingError(f"#VALUE! {name} must be a rectangular range")
        return list(value), (len(value), 1)
    return [value], ()


@dataclass
class _Arg:
    """One coerced argument: float values, per-element error texts (or None), blanks."""

    values: np.ndarray          # float, shape = shape
    errors: np.ndarray | None   # object (text or None), shape = shape
    blank: np.ndarray           # bool, shape = shape
    shape: tuple
    text: np.ndarray | None = None   # original text of elements that were text


def _coerce(name: str, value, *, rule: str = ">= 0", integer: bool = False,
            default=_REQUIRED, words: tuple = ()) -> _Arg:
    """Coerce a cell/range into numbers; bad elements get an Excel-style error text.

    ``words`` are texts accepted instead of a number (case-insensitive), kept in ``text``.
    """
    flat, shape = _grid(name, value)
    size = len(flat)
    errors = None
    text = None
    checker = Rule(rule, integer=integer, maximum=MAX_STOCK if integer else math.inf,
                   why_maximum="", maximum_format=".0f")
    values, why = rules.to_numbers(flat)           # the one reading of numbers and text
    blank = why == rules.EMPTY
    if (why != rules.OK).any():
        errors = np.full(size, None, dtype=object)
        for i in np.flatnonzero((why != rules.OK) & ~blank).tolist():
            x = flat[i]
            if isinstance(x, str):
                s = x.strip()
                if s.upper() in EXCEL_ERRORS:
                    errors[i] = f"{s.upper()} {name} is {s.upper()}"
                    continue
                if why[i] == rules.NOT_A_NUMBER and s.upper() in words:
                    if text is None:
                        text = np.full(size, None, dtype=object)
                    text[i] = s.upper()
                    continue
                alt = "".join(f' or "{w}"' for w in words) if why[i] == rules.NOT_A_NUMBER else ""
                errors[i] = f"#VALUE! {name} {rules.describe(checker, why[i], x)}{alt} (got {_fmt(x)})"
            else:
                errors[i] = f"#VALUE! {name} must be a number (got {_fmt(x)})"
        if blank.any():
            if default is _REQUIRED:
                errors[blank] = f"#VALUE! {name} must not be blank"
            else:
                values[blank] = default
    broken = rules.reasons_of_numbers(checker, values, why)
    bad = np.flatnonzero((broken != rules.OK) & (why == rules.OK))
    if bad.size:
        if errors is None:
            errors = np.full(size, None, dtype=object)
        for i in bad.tolist():
            errors[i] = f"#NUM! {name} {rules.describe(checker, broken[i])} (got {_fmt(values[i])})"
    if errors is not None and not np.any(np.not_equal(errors, None)):
        errors = None
    as2d = lambda a: a.reshape(shape) if shape else a.reshape(())  # noqa: E731
    return _Arg(as2d(values), None if errors is None else as2d(errors), as2d(blank), shape,
                None if text is None else as2d(text))


def _single(name: str, value, default):
    """The one value of a single-cell setting (blank = default)."""
    flat, _ = _grid(name, value)
    if len(flat) != 1:
        raise _SettingError(f"#VALUE! {name} must be a single cell")
    x = flat[0]
    if x is None or (isinstance(x, str) and not x.strip()):
        return default
    if isinstance(x, str) and x.strip().upper() in EXCEL_ERRORS:
        raise _SettingError(f"{x.strip().upper()} {name} is {x.strip().upper()}")
    return x


def _waiting_time(value) -> str:
    from amspares.core.basestock import WAITING_TIME_MODELS

    x = _single("waiting_time", value, "erlang_c")
    if isinstance(x, str) and x.strip().lower() in WAITING_TIME_MODELS:
        return x.strip().lower()
    raise _SettingError(f'#VALUE! waiting_time must be "erlang_c" or "exact" (got {_fmt(x)})')


def _flag(name: str, value) -> bool:
    x = _single(name, value, False)
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, Real) and float(x) in (0.0, 1.0):
        return bool(x)
    if isinstance(x, str) and x.strip().upper() in ("TRUE", "FALSE"):
        return x.strip().upper() == "TRUE"
    raise _SettingError(f"#VALUE! {name} must be TRUE or FALSE (got {_fmt(x)})")


class _Call:
    """The coerced arguments of one call, broadcast to one shape, and the result builder."""

    def __init__(self, args: dict[str, _Arg]):
        self.args = args
        try:
            self.shape = np.broadcast_shapes(*(a.shape for a in args.values()))
        except ValueError:
            sizes = ", ".join(f"{k} {'x'.join(map(str, a.shape))}"
                              for k, a in args.items() if a.shape)
            raise _SettingError(f"#VALUE! ranges of different sizes ({sizes})") from None
        self.size = int(np.prod(self.shape)) if self.shape else 1
        self.errors = np.full(self.size, None, dtype=object)
        for a in args.values():                     # the first argument's error wins
            if a.errors is not None:
                self._add_errors(np.broadcast_to(a.errors, self.shape).ravel())

    def _add_errors(self, errs: np.ndarray):
        free = np.equal(self.errors, None)
        take = free & np.not_equal(errs, None)
        self.errors[take] = errs[take]

    def __getitem__(self, name) -> np.ndarray:
        """All elements of an argument, broadcast and flattened."""
        return np.broadcast_to(self.args[name].values, self.shape).ravel()

    def flat(self, name: str, attr: str) -> np.ndarray:
        return np.broadcast_to(getattr(self.args[name], attr), self.shape).ravel()

    def require(self, name: str, where: np.ndarray):
        """Blank ``name`` is an error where ``where`` holds (required only there)."""
        blank = self.flat(name, "blank") & where
        if blank.any():
            errs = np.full(self.size, None, dtype=object)
            errs[blank] = f"#VALUE! {name} must not be blank"
            self._add_errors(errs)

    @property
    def ok(self) -> np.ndarray:
        return np.equal(self.errors, None)

    def take(self, ok: np.ndarray, *names: str, integer=()) -> dict[str, np.ndarray]:
        out = {}
        for n in names:
            v = self[n][ok]
            out[n] = v.astype(np.int64) if n in integer else v
        return out

    def finish(self, columns, ok: np.ndarray, bad_result: str, *, integer=(False,)):
        """Merge result columns (1-D, one value per ok element) with the error texts.

        ``columns`` is a list of result arrays; more than one spills side by side (the
        inputs must then be one column). Non-finite results become ``bad_result``.
        """
        errors = self.errors.copy()
        cols = []
        for col in columns:
            col = np.asarray(col)
            full = np.zeros(self.size, dtype=col.dtype if col.dtype.kind in "iu" else float)
            full[ok] = col
            cols.append(full)
        finite = np.ones(self.size, dtype=bool)
        for full in cols:
            if full.dtype.kind == "f":
                finite &= np.isfinite(full)
        errors[ok & ~finite] = bad_result
        good = np.equal(errors, None)
        if len(cols) > 1 and self.shape and self.shape[1] != 1:
            raise _SettingError("#VALUE! with_cost=TRUE needs the inputs in one column")
        shape = self.shape if self.shape else (1, 1)
        outs = []
        for full, is_int in zip(cols, integer):
            if is_int:
                full = full.astype(np.int64)
            if not good.all():
                full = np.array(full.tolist(), dtype=object)
                full[~good] = errors[~good]
            outs.append(full.reshape(shape))
        out = outs[0] if len(outs) == 1 else np.concatenate([o.astype(object) for o in outs], axis=1)
        result = out.tolist()                       # Python ints, floats and texts
        if not self.shape and len(outs) == 1:
            return result[0][0]
        return result


def _guard(fn):
    """Turn a setting/shape error into its text (the whole call gives one cell)."""
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except _SettingError as exc:
            return str(exc)
    wrapper.__name__ = fn.__name__
    wrapper.__qualname__ = fn.__qualname__
    wrapper.__doc__ = fn.__doc__
    wrapper.__module__ = fn.__module__
    wrapper.__wrapped__ = fn
    return wrapper


_STOCK = ("rate", "years", "price", "lead_days", "emergency_per_day", "regular_per_demand",
          "inbound_share", "outbound_per_part", "holding_per_part_year", "investment",
          "benefit_per_part_year")
_RULES = {"years": "> 0", "inbound_share": "[0, 1]"}
_DEFAULTS = {"investment": 0.0, "benefit_per_part_year": 0.0, "extra_mpts_per_part": 0.0,
             "mto_investment": 0.0, "mto_benefit_per_part_year": 0.0}


def _stock_args(values: dict, *, blank_ok=()) -> dict[str, _Arg]:
    out = {}
    for name, v in values.items():
        default = _DEFAULTS.get(name, np.nan if name in blank_ok else _REQUIRED)
        out[name] = _coerce(name, v, rule=_RULES.get(name, ">= 0"), default=default)
    return out


def _stock_params(call: _Call, ok: np.ndarray) -> dict[str, np.ndarray]:
    """Keyword arguments of :func:`amspares.core.base_stock_costs` for the ok elements."""
    from amspares.core.basestock import DAYS_PER_YEAR

    t = call.take(ok, *_STOCK)
    return dict(rate=t["rate"], years=t["years"], price=t["price"],
                lead_time_years=t["lead_days"] / DAYS_PER_YEAR,     # unit conversion only
                emergency_per_day=t["emergency_per_day"],
                regular_per_demand=t["regular_per_demand"], inbound_share=t["inbound_share"],
                outbound_per_part=t["outbound_per_part"],
                holding_per_part_year=t["holding_per_part_year"], investment=t["investment"],
                benefit_per_part_year=t["benefit_per_part_year"])


_UNSTABLE = ('#NUM! infinite wait: with waiting_time "erlang_c" the queue is unstable '
             'for 1 <= S <= u; raise S or use "exact"')


# --------------------------------------------------------------------------- functions


@_guard
def erlangc(S, u):
    """``ERLANGC(S, u)``: probability that a demand waits (thesis Eq. 5); 1 when S <= u.

    Calls :func:`amspares.core.erlang_c` once for all elements.

    Examples
    --------
    >>> round(erlangc(5, 2 * 86 / 365), 14)      # spec section 8
    0.0001334540625

    M/M/1: Ec = u; M/M/2 with u = 0.5: Ec = (u^2/2 * 2/(2-u)) / (1 + u + u^2/2 * 2/(2-u)) = 0.1:

    >>> erlangc([[1], [2.0], [2.5]], 0.5)
    [[0.5], [0.1], ['#NUM! S must be a whole number (got 2.5)']]
    >>> erlangc(1, 1.5)                         # S <= u: every demand waits
    1.0
    """
    call = _Call({"S": _coerce("S", S, integer=True), "u": _coerce("u", u)})
    ok = call.ok
    t = call.take(ok, "S", "u", integer=("S",))
    res = np.atleast_1d(core.erlang_c(t["S"], t["u"])) if ok.any() else np.zeros(0)
    return call.finish([res], ok, "#NUM! Erlang C is not a finite number")


@_guard
def totalcost(S, rate, years, price, lead_days, emergency_per_day, regular_per_demand,
              inbound_share, outbound_per_part, holding_per_part_year, investment=0.0,
              benefit_per_part_year=0.0, waiting_time="erlang_c"):
    """``TOTALCOST(...)``: thesis Eq. 1 at base stock S, or make to order for ``S = "MTO"``.

    Stock elements: :func:`amspares.core.base_stock_costs` (one call); "MTO" elements:
    :func:`amspares.core.made_to_order_costs` (one call), which ignores ``lead_days``,
    ``emergency_per_day``, ``inbound_share`` and ``holding_per_part_year`` (they may be
    blank there; a value given must still be valid). With ``waiting_time = "erlang_c"``
    and ``1 <= S <= u`` the queue is unstable and the cost infinite: an error text.

    Examples
    --------
    >>> totalcost([[0], [5], ["MTO"]], 2, 30, 15, 86, 100, 0, 0.08, 10, 0.45)[2]
    [1500.0]
    """
    wt = _waiting_time(waiting_time)
    s_arg = _coerce("S", S, integer=True, words=("MTO",))
    mto_text = np.zeros(s_arg.values.shape, dtype=bool) if s_arg.text is None else \
        np.equal(s_arg.text, "MTO")
    ignored = ("lead_days", "emergency_per_day", "inbound_share", "holding_per_part_year")
    args = {"S": s_arg}
    args.update(_stock_args(dict(rate=rate, years=years, price=price, lead_days=lead_days,
                                 emergency_per_day=emergency_per_day,
                                 regular_per_demand=regular_per_demand,
                                 inbound_share=inbound_share,
                                 outbound_per_part=outbound_per_part,
                                 holding_per_part_year=holding_per_part_year,
                                 investment=investment,
                                 benefit_per_part_year=benefit_per_part_year),
                            blank_ok=ignored))
    call = _Call(args)
    mto = np.broadcast_to(mto_text, call.shape).ravel()
    for name in ignored:
        call.require(name, ~mto)
    ok = call.ok
    result = np.zeros(call.size)
    stock = ok & ~mto
    if stock.any():
        p = _stock_params(call, stock)
        c = core.base_stock_costs(call["S"][stock].astype(np.int64), waiting_time=wt, **p)
        result[stock] = c.total
    order = ok & mto
    if order.any():
        t = call.take(order, "rate", "years", "price", "regular_per_demand",
                      "outbound_per_part", "investment", "benefit_per_part_year")
        result[order] = core.made_to_order_costs(**t).total
    return call.finish([result[ok]], ok, _UNSTABLE)


@_guard
def optimal_s(rate, years, price, lead_days, emergency_per_day, regular_per_demand,
              inbound_share, outbound_per_part, holding_per_part_year, investment=0.0,
              benefit_per_part_year=0.0, waiting_time="erlang_c", with_cost=False):
    """``OPTIMAL_S(...)``: cost-optimal base stock S* (thesis Eq. 14), optionally with TC(S*).

    One call of :func:`amspares.core.optimal_base_stock` with arrays for all elements.
    ``with_cost = TRUE`` returns ``[S*, TC(S*)]`` per element, side by side (the inputs
    must then be a single cell or one column).

    Examples
    --------
    >>> S, tc = optimal_s(2, 30, 15, 86, 100, 0, 0.08, 10, 0.45, with_cost=True)[0]
    >>> S, round(tc, 2)                          # spec section 8
    (5, 1735.71)
    """
    wt = _waiting_time(waiting_time)
    cost = _flag("with_cost", with_cost)
    call = _Call(_stock_args(dict(rate=rate, years=years, price=price, lead_days=lead_days,
                                  emergency_per_day=emergency_per_day,
                                  regular_per_demand=regular_per_demand,
                                  inbound_share=inbound_share,
                                  outbound_per_part=outbound_per_part,
                                  holding_per_part_year=holding_per_part_year,
                                  investment=investment,
                                  benefit_per_part_year=benefit_per_part_year)))
    ok = call.ok
    if ok.any():
        pol = core.optimal_base_stock(waiting_time=wt, **_stock_params(call, ok))
        s_star = np.atleast_1d(pol.S)
        tc = np.atleast_1d(pol.total_cost)
    else:
        s_star, tc = np.zeros(0, dtype=np.int64), np.zeros(0)
    if cost:
        return call.finish([s_star, tc], ok, "#NUM! no finite optimal cost",
                           integer=(True, False))
    return call.finish([s_star], ok, "#NUM! no optimal S", integer=(True,))


@_guard
def ecompts(produced, shipped_to_warehouse, delivered, weight_kg, material_mpts_per_kg,
            material_efficiency, process_mpts_per_kg_of_part, factory_leg_mpts_per_kg,
            warehouse_leg_mpts_per_kg, customer_leg_mpts_per_kg, extra_mpts_per_part=0.0):
    """``ECOMPTS(...)``: Eco-indicator 99 impact in mPts (thesis Eq. 32-41).

    One call of :func:`amspares.core.environmental_impact`; the counts come from spec
    section 4 (stock, moq = 1: P = W = n + S*; make to order: P = n, W = 0).

    Examples
    --------
    The case study's regular supplier at S* = 5 (spec section 6): legs 5000 km by
    28 t truck to the factory and to the warehouse, 100 km van + 1000 km plane out.

    >>> round(ecompts(65, 65, 60, 0.25, 630, 0.8, 44, 110, 110, 92), 2)
    18913.75
    """
    names = ("produced", "shipped_to_warehouse", "delivered", "weight_kg",
             "material_mpts_per_kg", "material_efficiency", "process_mpts_per_kg_of_part",
             "factory_leg_mpts_per_kg", "warehouse_leg_mpts_per_kg",
             "customer_leg_mpts_per_kg", "extra_mpts_per_part")
    given = (produced, shipped_to_warehouse, delivered, weight_kg, material_mpts_per_kg,
             material_efficiency, process_mpts_per_kg_of_part, factory_leg_mpts_per_kg,
             warehouse_leg_mpts_per_kg, customer_leg_mpts_per_kg, extra_mpts_per_part)
    call = _Call({n: _coerce(n, v, rule="(0, 1]" if n == "material_efficiency" else ">= 0",
                             default=_DEFAULTS.get(n, _REQUIRED))
                  for n, v in zip(names, given)})
    ok = call.ok
    res = np.zeros(0)
    if ok.any():
        t = call.take(ok, *names)
        imp = core.environmental_impact(t.pop("produced"), t.pop("shipped_to_warehouse"),
                                        t.pop("delivered"), **t)
        res = np.atleast_1d(imp.total)
    return call.finish([res], ok, "#NUM! impact is not a finite number")


@_guard
def accepted_q(total_demand, confidence=DEFAULT_CONFIDENCE):
    """``ACCEPTED_Q(total_demand, [confidence])``: thesis Eq. 31 via :func:`amspares.core.accepted_quantity`.

    Examples
    --------
    >>> accepted_q(60)                          # spec section 8
    85
    """
    call = _Call({"total_demand": _coerce("total_demand", total_demand),
                  "confidence": _coerce("confidence", confidence, rule="(0, 1)",
                                        default=DEFAULT_CONFIDENCE)})
    ok = call.ok
    t = call.take(ok, "total_demand", "confidence")
    res = np.atleast_1d(core.accepted_quantity(t["total_demand"], t["confidence"])) \
        if ok.any() else np.zeros(0, dtype=np.int64)
    return call.finish([res], ok, "#NUM! no accepted quantity", integer=(True,))


def _sq_call(s, Q, u) -> _Call:
    call = _Call({"s": _coerce("s", s, rule="", integer=True),
                  "Q": _coerce("Q", Q, rule=">= 1", integer=True),
                  "u": _coerce("u", u)})
    # s >= -Q: the inventory position s + U is never negative (spec 3.2)
    ok = call.ok
    below = np.zeros(call.size, dtype=bool)
    below[ok] = call["s"][ok] < -call["Q"][ok]
    if below.any():
        errs = np.full(call.size, None, dtype=object)
        for i in np.flatnonzero(below):
            errs[i] = f"#NUM! s must be >= -Q (got s = {_fmt(call['s'][i])}, Q = {_fmt(call['Q'][i])})"
        call._add_errors(errs)
    return call


def _sq_expectation(fn, label, s, Q, u):
    """Coerce (s, Q, u), call the core's (s,Q) expectation ``fn`` on the valid rows, shape out."""
    call = _sq_call(s, Q, u)
    ok = call.ok
    t = call.take(ok, "s", "Q", "u", integer=("s", "Q"))
    res = np.atleast_1d(fn(t["s"], t["Q"], t["u"])) if ok.any() else np.zeros(0)
    return call.finish([res], ok, f"#NUM! {label} is not a finite number")


@_guard
def sq_onhand(s, Q, u):
    """``SQ_ONHAND(s, Q, u)``: E[OH] of an (s,Q) policy (thesis Eq. 22, 25).

    Examples
    --------
    >>> sq_onhand(0, 1, 0)                      # no demand: the one part ordered is on hand
    1.0
    """
    return _sq_expectation(core.sq_expected_on_hand, "E[OH]", s, Q, u)


@_guard
def sq_backorders(s, Q, u):
    """``SQ_BACKORDERS(s, Q, u)``: E[BO] of an (s,Q) policy (thesis Eq. 23-24).

    Examples
    --------
    >>> sq_backorders(-1, 1, 2.5)               # Q = 1, s = -1 is S = 0: E[BO] = u
    2.5
    """
    return _sq_expectation(core.sq_expected_backorders, "E[BO]", s, Q, u)


@_guard
def backorder_wait(S, rate, lead_days, waiting_time="erlang_c"):
    """``BACKORDER_WAIT(S, rate, lead_days, [waiting_time])``: mean wait per demand in DAYS.

    :func:`amspares.core.backorder_wait` (years) times 365 (a unit conversion).

    Examples
    --------
    >>> backorder_wait(0, 2, 86)                # S = 0: every demand waits the lead time
    86.0
    """
    from amspares.core.basestock import DAYS_PER_YEAR

    wt = _waiting_time(waiting_time)
    call = _Call({"S": _coerce("S", S, integer=True), "rate": _coerce("rate", rate),
                  "lead_days": _coerce("lead_days", lead_days)})
    ok = call.ok
    t = call.take(ok, "S", "rate", "lead_days", integer=("S",))
    res = np.zeros(0)
    if ok.any():
        w = core.backorder_wait(t["S"], t["rate"], t["lead_days"] / DAYS_PER_YEAR, wt)
        res = np.atleast_1d(w) * DAYS_PER_YEAR              # years -> days (unit conversion)
    return call.finish([res], ok, _UNSTABLE)


@_guard
def breakeven_price(rate, years, price, lead_days, emergency_per_day, regular_per_demand,
                    inbound_share, outbound_per_part, holding_per_part_year,
                    mto_outbound_per_part, investment=0.0, benefit_per_part_year=0.0,
                    mto_investment=0.0, mto_benefit_per_part_year=0.0,
                    waiting_time="erlang_c"):
    """``BREAKEVEN_PRICE(...)``: AM price at which make to order costs as much as optimal stock.

    The stock method's total at its optimal S* (:func:`amspares.core.optimal_base_stock`,
    one call) is the target of :func:`amspares.core.made_to_order_breakeven_price`. The
    make-to-order side shares ``rate``, ``years`` and ``regular_per_demand`` and has its
    own outbound transport, investment and benefit. Negative when no positive price makes
    printing competitive; an error text when there is no demand.

    Examples
    --------
    The case study (spec 5.2, ``am_price_breakeven``):

    >>> round(breakeven_price(2, 30, 15, 86, 100, 0, 0.08, 10, 0.45, 5), 4)
    23.9284
    """
    wt = _waiting_time(waiting_time)
    values = dict(rate=rate, years=years, price=price, lead_days=lead_days,
                  emergency_per_day=emergency_per_day, regular_per_demand=regular_per_demand,
                  inbound_share=inbound_share, outbound_per_part=outbound_per_part,
                  holding_per_part_year=holding_per_part_year,
                  mto_outbound_per_part=mto_outbound_per_part, investment=investment,
                  benefit_per_part_year=benefit_per_part_year, mto_investment=mto_investment,
                  mto_benefit_per_part_year=mto_benefit_per_part_year)
    call = _Call(_stock_args(values))
    ok = call.ok
    res = np.zeros(0)
    if ok.any():
        p = _stock_params(call, ok)
        target = core.optimal_base_stock(waiting_time=wt, **p).total_cost
        t = call.take(ok, "mto_outbound_per_part", "mto_investment", "mto_benefit_per_part_year")
        res = np.atleast_1d(core.made_to_order_breakeven_price(
            target, rate=p["rate"], years=p["years"],
            regular_per_demand=p["regular_per_demand"],
            outbound_per_part=t["mto_outbound_per_part"], investment=t["mto_investment"],
            benefit_per_part_year=t["mto_benefit_per_part_year"]))
    return call.finish([res], ok, "#DIV/0! no demand (rate x years = 0): no break-even price")


@_guard
def transport_mpts(modes, kms):
    """``TRANSPORT_MPTS(modes, kms)``: sum of km x factor over legs, in mPts per kg.

    Legs are validated by :func:`amspares.scenario.parse_legs` (mode names from the
    transport table, case-insensitive, or a number in mPts/(kg km)) and summed by
    :func:`amspares.scenario.leg_factor` (thesis Eq. 40-41). ``modes`` and ``kms`` have
    the same number of cells, read in row order; rows where both are blank are skipped;
    the result is one number.

    Examples
    --------
    >>> round(transport_mpts([["van"], ["plane"]], [[100], [1000]]), 6)   # 100*0.14 + 1000*0.078
    92.0
    """
    mode_cells, _ = _grid("modes", modes)
    km_cells, _ = _grid("kms", kms)
    if len(mode_cells) != len(km_cells):
        return (f"#VALUE! modes and kms must have the same number of cells "
                f"(got {len(mode_cells)} and {len(km_cells)})")
    km = _coerce("kms", km_cells, default=np.nan)
    legs = []
    for i, (mode, dist) in enumerate(zip(mode_cells, km_cells), start=1):
        mode_blank = mode is None or (isinstance(mode, str) and not mode.strip())
        km_blank = bool(km.blank[i - 1, 0])
        if mode_blank and km_blank:
            continue
        if km.errors is not None and km.errors[i - 1, 0] is not None:
            return km.errors[i - 1, 0].replace("kms", f"kms (leg {i})", 1)
        if km_blank:
            return f"#VALUE! kms (leg {i}) must not be blank"
        if mode_blank:
            return f"#VALUE! modes (leg {i}) must not be blank"
        d = float(km.values[i - 1, 0])
        if isinstance(mode, str) and mode.strip().upper() in EXCEL_ERRORS:
            return f"{mode.strip().upper()} modes (leg {i}) is {mode.strip().upper()}"
        if isinstance(mode, bool):
            return f"#VALUE! modes (leg {i}) must be a mode name or a number (got {_fmt(mode)})"
        if isinstance(mode, Real):
            leg = {"mpts_per_kg_km": float(mode), "km": d}
        else:
            leg = {"mode": str(mode).strip(), "km": d}
        try:
            parse_legs("modes", [leg])
        except ScenarioError as exc:
            code = "#NUM!" if isinstance(mode, Real) else "#VALUE!"
            return f"{code} modes (leg {i}) = {_fmt(mode)}: {exc.rule}"
        legs.append(leg)
    return leg_factor(parse_legs("modes", legs))


@_guard
def optimal_reorder_point(Q, u, holding_per_part_year, emergency_per_day):
    """``OPTIMAL_REORDER_POINT(Q, u, holding_per_part_year, emergency_per_day)``: s* (Eq. 26).

    One call of :func:`amspares.core.optimal_reorder_point`.

    Examples
    --------
    >>> optimal_reorder_point(20, 2 * 86 / 365, 0.45, 100)   # the case study with Q = 20
    3
    """
    call = _Call({"Q": _coerce("Q", Q, rule=">= 1", integer=True), "u": _coerce("u", u),
                  "holding_per_part_year": _coerce("holding_per_part_year", holding_per_part_year),
                  "emergency_per_day": _coerce("emergency_per_day", emergency_per_day)})
    ok = call.ok
    res = np.zeros(0, dtype=np.int64)
    if ok.any():
        t = call.take(ok, "Q", "u", "holding_per_part_year", "emergency_per_day", integer=("Q",))
        res = np.atleast_1d(core.optimal_reorder_point(t["Q"], t["u"], t["holding_per_part_year"],
                                                       t["emergency_per_day"]))
    return call.finish([res], ok, "#NUM! no reorder point", integer=(True,))


@_guard
def mto_cost(rate, years, price, regular_per_demand, outbound_per_part, investment=0.0,
             benefit_per_part_year=0.0):
    """``MTO_COST(...)``: make-to-order total (spec 3.3) via :func:`amspares.core.made_to_order_costs`.

    Examples
    --------
    >>> mto_cost(2, 30, 175, 0, 5)              # spec section 8
    10800.0
    """
    call = _Call(_stock_args(dict(rate=rate, years=years, price=price,
                                  regular_per_demand=regular_per_demand,
                                  outbound_per_part=outbound_per_part, investment=investment,
                                  benefit_per_part_year=benefit_per_part_year)))
    ok = call.ok
    res = np.zeros(0)
    if ok.any():
        t = call.take(ok, "rate", "years", "price", "regular_per_demand", "outbound_per_part",
                      "investment", "benefit_per_part_year")
        res = np.atleast_1d(core.made_to_order_costs(**t).total)
    return call.finish([res], ok, "#NUM! cost is not a finite number")


#: Excel name -> the Python function behind it (same argument names and order).
FUNCTIONS = {
    "ERLANGC": erlangc, "TOTALCOST": totalcost, "OPTIMAL_S": optimal_s, "ECOMPTS": ecompts,
    "ACCEPTED_Q": accepted_q, "SQ_ONHAND": sq_onhand, "SQ_BACKORDERS": sq_backorders,
    "BACKORDER_WAIT": backorder_wait, "BREAKEVEN_PRICE": breakeven_price,
    "TRANSPORT_MPTS": transport_mpts, "OPTIMAL_REORDER_POINT": optimal_reorder_point,
    "MTO_COST": mto_cost,
}

"""The Excel functions (docs/model.md section 7) as plain Python: coercion, one core call, shaping.

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
* **Settings** (``waiting_time``, ``order_wait``, ``service_target``, ``with_cost``,
  ``header``) are single cells: ``waiting_time`` is ``"exact"`` (default, the Poisson
  pipeline of docs/model.md section 3.1) or ``"erlang_c"`` (the thesis's M/M/S queue,
  Eq. 5-6), case-insensitive; ``order_wait`` is ``"charged"`` (default: a make-to-order
  demand waits its delivery time, charged like a backorder beyond ``free_days``) or
  ``"free"`` (the thesis); ``service_target`` is blank (none) or a minimum on-time rate
  strictly between 0 and 1; ``with_cost`` and ``header`` are TRUE/FALSE or 1/0.
* **Version 2 defaults** (docs/model.md): the functions follow the model's defaults, the
  exact waiting time, the order wait charged and ``free_days`` 0. The thesis's numbers come
  back with ``waiting_time = "erlang_c"`` and ``order_wait = "free"``.

Examples
--------
The case study's reference values (docs/model.md section 8) with the thesis's switches:

>>> round(totalcost(5, 2, 30, 15, 86, 100, 0, 0.08, 10, 0.45, waiting_time="erlang_c"), 2)
1735.71
>>> optimal_s(2, 30, 15, 86, 100, 0, 0.08, 10, 0.45, waiting_time="erlang_c")
5
>>> totalcost("MTO", 2, 30, 175, 11, 100, 0, 0, 5, 0.45, order_wait="free")
10800.0

With the defaults (exact wait; the 11 days of printing and delivery charged at 100 EUR/day
for each of the 60 demands: 10800 + 60 * 11 * 100):

>>> round(totalcost(5, 2, 30, 15, 86, 100, 0, 0.08, 10, 0.45), 2)
1732.43
>>> totalcost("MTO", 2, 30, 175, 11, 100, 0, 0, 5, 0.45)
76800.0
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
    "ECO2E": "Climate impact in kg CO2e (GWP100) of producing, shipping to the warehouse and "
             "delivering parts: the equations of ECOMPTS with kg CO2e factors.",
    "ACCEPTED_Q": "accepted_q (thesis Eq. 31): smallest k with P{Poisson(total_demand) <= k} "
                  ">= confidence; the parts worth keeping from one large order.",
    "SQ_ONHAND": "Expected on-hand stock E[OH] of an (s,Q) policy (thesis Eq. 22, 25) with "
                 "reorder point s, order quantity Q, lead-time demand u.",
    "SQ_BACKORDERS": "Expected backorders E[BO] of an (s,Q) policy (thesis Eq. 23-24) with "
                     "reorder point s, order quantity Q, lead-time demand u.",
    "BACKORDER_WAIT": "Mean backorder wait per demand in DAYS at base stock S beyond free_days "
                      "(exact Poisson pipeline by default, or thesis Eq. 6).",
    "BREAKEVEN_PRICE": "AM price per part at which printing to order costs as much as the "
                       "optimal stock method (optimal S*, thesis Eq. 1 and 14).",
    "TRANSPORT_MPTS": "Transport factor of a chain of legs in mPts per kg: sum of km x factor "
                      "of each mode (thesis Table 4, Eq. 40-41). Blank rows are skipped.",
    "OPTIMAL_REORDER_POINT": "Cost-optimal reorder point s* of an (s,Q) policy (thesis Eq. "
                             "15-16, 26) for order quantity Q and lead-time demand u.",
    "MTO_COST": "Total cost of make to order over the service period: n ce (D_o - free_days)+ "
                "+ n cd + n cp + n Tr_out + I - B (docs/model.md 3.3); order_wait \"free\" "
                "drops the waiting term.",
    "POLICY": "Cost-optimal stock policy for any minimum order quantity: base stock (moq 1), "
              "(s,Q) or one order. Spills policy, S or s, Q, total cost, fill rate, on-time "
              "rate, mean wait in days (header=TRUE adds the names).",
    "FILL_RATE": "Share of demands served from stock at once, at base stock S (or reorder "
                 "point S with order quantity Q) and lead-time demand u (docs/model.md 3.4).",
    "ON_TIME_RATE": "Share of demands delivered within free_days, at base stock S (or reorder "
                    "point S with order quantity Q) (docs/model.md 3.4).",
    "DEMAND_RATE": "Poisson demand rate per year from a demand history (one row per part, "
                   "periods across): spills rate, lower, upper (exact interval at level) and "
                   "the demand class.",
    "CATALOGUE": "Decide a whole catalogue: a table whose header row holds sku and dotted "
                 "scenario keys; spills the columns of amspares portfolio (costs per method, "
                 "cheapest, saving, error) for every row.",
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
    "waiting_time": "Optional: \"exact\" (default, Poisson pipeline, M/G/inf) or "
                    "\"erlang_c\" (the thesis's M/M/S queue, Eq. 5-6).",
    "free_days": "Optional: the customer's own downtime window in days (>= 0); waits shorter "
                 "than this cost nothing beyond cd. Default 0.",
    "order_wait": "Optional: \"charged\" (default: a make-to-order demand waits its delivery "
                  "time, charged per day beyond free_days) or \"free\" (the thesis).",
    "service_target": "Optional: minimum on-time rate of the policy, strictly between 0 and 1 "
                      "(e.g. 0.95). Blank (default): no target, the cheapest policy.",
    "moq": "Optional minimum order quantity: a whole number >= 1. Default 1 (base stock); "
           "above 1 an (s,Q) policy, or one order when moq > rate x years.",
    "accepted_q_confidence": "Optional confidence of accepted_q (thesis Eq. 31) for one "
                             "large order, >= 0.5 and < 1. Default 0.999.",
    "header": "Optional: TRUE puts a row of column names above the results; FALSE (default) "
              "gives the results only.",
    "delivery_days": "Optional delivery time D_o in days: production + shipping (>= 0). "
                     "Default 0.",
    "mto_delivery_days": "Optional make-to-order delivery time D_o in days: print + "
                         "shipping (>= 0). Default 0.",
    "history": "Demand per period (whole numbers >= 0), oldest first: one row per part with "
               "the periods across, or one column for one part. A blank cell is a period not "
               "observed.",
    "periods_per_year": "Optional: periods per year of the history (12 months, 52 weeks, 4 "
                        "quarters; > 0). Default 12.",
    "level": "Optional confidence level of the interval, strictly between 0 and 1. "
             "Default 0.9.",
    "table": "The catalogue with its header row: sku and dotted scenario keys "
             "(demand.rate_per_year, methods.regular.price, ...), one row per part.",
    "base_scenario_path": "Optional path of a scenario file (.toml) whose values the rows "
                          "inherit. Default: the built-in thesis case study.",
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
    "material_kgco2e_per_kg": "Material climate impact in kg CO2e per kg of material (PA 6: "
                              "9.14, ICE v2.0).",
    "process_kgco2e_per_kg_of_part": "Process climate impact per kg of part: kg CO2e/kg + "
                                     "kWh/kg x kg CO2e/kWh (NL grid 2024: 0.2527).",
    "factory_leg_kgco2e_per_kg": "Legs to the factory: sum of km x kg CO2e/(kg km), per kg of "
                                 "material (truck_28t 0.00017146).",
    "warehouse_leg_kgco2e_per_kg": "Legs into the warehouse: sum of km x kg CO2e/(kg km), per "
                                   "kg of part.",
    "customer_leg_kgco2e_per_kg": "Legs to the customer: sum of km x kg CO2e/(kg km), per kg "
                                  "of part.",
    "extra_kgco2e_per_part": "Optional extra climate impact per part produced in kg CO2e "
                             "(>= 0). Default 0.",
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
    ("TOTALCOST", "lead_days"): "Lead time in days (production + shipping, >= 0); for "
                                "\"MTO\" the delivery time D_o (may be blank when "
                                "order_wait is \"free\").",
    ("FILL_RATE", "S"): "Base stock S (a whole number >= 0), or with Q the reorder point s "
                        "(a whole number >= -Q). A range gives one result per cell.",
    ("ON_TIME_RATE", "S"): "Base stock S (a whole number >= 0), or with Q the reorder point "
                           "s (a whole number >= -Q). A range gives one result per cell.",
    ("FILL_RATE", "Q"): "Optional order quantity Q (a whole number >= 1): S is then the "
                        "reorder point s of an (s,Q) policy. Blank: base stock.",
    ("ON_TIME_RATE", "Q"): "Optional order quantity Q (a whole number >= 1): S is then the "
                           "reorder point s of an (s,Q) policy. Blank: base stock.",
    ("ON_TIME_RATE", "free_days"): "The customer's own downtime window in days (>= 0): a "
                                   "demand served within it is on time.",
    ("FILL_RATE", "waiting_time"): "Optional (base stock only): \"exact\" (default, "
                                   "Poisson pipeline) or \"erlang_c\" (M/M/S queue).",
    ("ON_TIME_RATE", "waiting_time"): "Optional (base stock only): \"exact\" (default, "
                                      "Poisson pipeline) or \"erlang_c\" (M/M/S queue).",
    ("POLICY", "waiting_time"): "Optional (moq 1 only; (s,Q) is exact): \"exact\" (default, "
                                "Poisson pipeline) or \"erlang_c\" (the thesis's M/M/S queue).",
    ("CATALOGUE", "header"): "Optional: TRUE (default) puts the row of column names above "
                             "the results; FALSE gives the rows only.",
    ("OPTIMAL_REORDER_POINT", "free_days"): HELP["free_days"] + " Needs lead_days.",
    ("OPTIMAL_REORDER_POINT", "lead_days"): "Optional lead time in days (> 0), the one u "
                                            "comes from; needed when free_days > 0.",
    ("MTO_COST", "emergency_per_day"): "Optional downtime penalty ce in EUR per waiting part "
                                       "per day (>= 0). Default 0.",
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

    x = _single("waiting_time", value, "exact")
    if isinstance(x, str) and x.strip().lower() in WAITING_TIME_MODELS:
        return x.strip().lower()
    raise _SettingError(f'#VALUE! waiting_time must be "erlang_c" or "exact" (got {_fmt(x)})')


def _order_wait(value) -> str:
    from amspares.core.mto import ORDER_WAIT_RULES

    x = _single("order_wait", value, "charged")
    if isinstance(x, str) and x.strip().lower() in ORDER_WAIT_RULES:
        return x.strip().lower()
    raise _SettingError(f'#VALUE! order_wait must be "charged" or "free" (got {_fmt(x)})')


def _service_target(value) -> float | None:
    """A blank cell: no target; otherwise a number strictly between 0 and 1."""
    x = _single("service_target", value, None)
    if x is None:
        return None
    why = rules.message(Rule("(0, 1)"), x)
    if why is not None:
        code = "#NUM!" if isinstance(x, Real) and not isinstance(x, bool) else "#VALUE!"
        raise _SettingError(f"{code} service_target {why} (got {_fmt(x)})")
    return float(rules.to_numbers([x])[0][0])


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
_RULES = {"years": "> 0", "inbound_share": "[0, 1]", "moq": ">= 1",
          "accepted_q_confidence": "(0, 1)"}
_DEFAULTS = {"investment": 0.0, "benefit_per_part_year": 0.0, "extra_mpts_per_part": 0.0,
             "extra_kgco2e_per_part": 0.0,
             "mto_investment": 0.0, "mto_benefit_per_part_year": 0.0, "free_days": 0.0,
             "delivery_days": 0.0, "mto_delivery_days": 0.0, "moq": 1.0,
             "accepted_q_confidence": DEFAULT_CONFIDENCE}


_INTEGERS = ("moq",)


def _stock_args(values: dict, *, blank_ok=(), defaults=None) -> dict[str, _Arg]:
    known = {**_DEFAULTS, **(defaults or {})}
    out = {}
    for name, v in values.items():
        default = known.get(name, np.nan if name in blank_ok else _REQUIRED)
        out[name] = _coerce(name, v, rule=_RULES.get(name, ">= 0"), default=default,
                            integer=name in _INTEGERS)
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
                benefit_per_part_year=t["benefit_per_part_year"],
                free_days=call["free_days"][ok] if "free_days" in call.args else 0.0)


_UNSTABLE = ('#NUM! infinite wait: with waiting_time "erlang_c" the queue is unstable '
             'for 1 <= S <= u; raise S or use "exact"')


# --------------------------------------------------------------------------- functions


@_guard
def erlangc(S, u):
    """``ERLANGC(S, u)``: probability that a demand waits (thesis Eq. 5); 1 when S <= u.

    Calls :func:`amspares.core.erlang_c` once for all elements.

    Examples
    --------
    >>> round(erlangc(5, 2 * 86 / 365), 14)      # docs/model.md section 8
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
              benefit_per_part_year=0.0, waiting_time="exact", free_days=0.0,
              order_wait="charged"):
    """``TOTALCOST(...)``: thesis Eq. 1 at base stock S, or make to order for ``S = "MTO"``.

    Stock elements: :func:`amspares.core.base_stock_costs` (one call, the wait beyond
    ``free_days`` charged); "MTO" elements: :func:`amspares.core.made_to_order_costs` (one
    call) with ``lead_days`` as the delivery time ``D_o``: ``order_wait = "charged"`` adds
    ``n ce (D_o - free_days)^+`` (docs/model.md 3.3). Make to order ignores
    ``inbound_share`` and ``holding_per_part_year``, and with ``order_wait = "free"`` also
    ``lead_days`` and ``emergency_per_day`` (they may be blank there; a value given must
    still be valid). With ``waiting_time = "erlang_c"`` and ``1 <= S <= u`` the queue is
    unstable and the cost infinite: an error text.

    Examples
    --------
    >>> totalcost([[0], [5], ["MTO"]], 2, 30, 15, 86, 100, 0, 0.08, 10, 0.45, order_wait="free")[2]
    [1500.0]
    >>> totalcost("MTO", 2, 30, 15, 86, 100, 0, 0.08, 10, 0.45, free_days=80)   # 1500 + 60*6*100
    37500.0
    """
    wt = _waiting_time(waiting_time)
    ow = _order_wait(order_wait)
    s_arg = _coerce("S", S, integer=True, words=("MTO",))
    mto_text = np.zeros(s_arg.values.shape, dtype=bool) if s_arg.text is None else \
        np.equal(s_arg.text, "MTO")
    ignored = ("lead_days", "emergency_per_day", "inbound_share", "holding_per_part_year")
    mto_needs = ("lead_days", "emergency_per_day") if ow == "charged" else ()
    args = {"S": s_arg}
    args.update(_stock_args(dict(rate=rate, years=years, price=price, lead_days=lead_days,
                                 emergency_per_day=emergency_per_day,
                                 regular_per_demand=regular_per_demand,
                                 inbound_share=inbound_share,
                                 outbound_per_part=outbound_per_part,
                                 holding_per_part_year=holding_per_part_year,
                                 investment=investment,
                                 benefit_per_part_year=benefit_per_part_year,
                                 free_days=free_days),
                            blank_ok=ignored))
    call = _Call(args)
    mto = np.broadcast_to(mto_text, call.shape).ravel()
    for name in ignored:
        call.require(name, ~mto | (name in mto_needs))
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
                      "outbound_per_part", "investment", "benefit_per_part_year", "free_days")
        if ow == "charged":
            t["delivery_days"] = call["lead_days"][order]
            t["emergency_per_day"] = call["emergency_per_day"][order]
        result[order] = core.made_to_order_costs(order_wait=ow, **t).total
    return call.finish([result[ok]], ok, _UNSTABLE)


@_guard
def optimal_s(rate, years, price, lead_days, emergency_per_day, regular_per_demand,
              inbound_share, outbound_per_part, holding_per_part_year, investment=0.0,
              benefit_per_part_year=0.0, waiting_time="exact", with_cost=False, free_days=0.0,
              service_target=None):
    """``OPTIMAL_S(...)``: cost-optimal base stock S* (thesis Eq. 14), optionally with TC(S*).

    One call of :func:`amspares.core.optimal_base_stock` with arrays for all elements
    (the wait beyond ``free_days`` charged; with ``service_target`` the cheapest S whose
    on-time rate meets it, docs/model.md 3.4). ``with_cost = TRUE`` returns
    ``[S*, TC(S*)]`` per element, side by side (the inputs must then be a single cell or
    one column).

    Examples
    --------
    >>> S, tc = optimal_s(2, 30, 15, 86, 100, 0, 0.08, 10, 0.45, waiting_time="erlang_c",
    ...                   with_cost=True)[0]
    >>> S, round(tc, 2)                          # docs/model.md section 8
    (5, 1735.71)

    A target of 99.99 % on time: P(Poisson(0.4712) <= 4) = 0.99987 falls short, so S = 6:

    >>> optimal_s(2, 30, 15, 86, 100, 0, 0.08, 10, 0.45, service_target=0.9999)
    6
    """
    wt = _waiting_time(waiting_time)
    cost = _flag("with_cost", with_cost)
    target = _service_target(service_target)
    call = _Call(_stock_args(dict(rate=rate, years=years, price=price, lead_days=lead_days,
                                  emergency_per_day=emergency_per_day,
                                  regular_per_demand=regular_per_demand,
                                  inbound_share=inbound_share,
                                  outbound_per_part=outbound_per_part,
                                  holding_per_part_year=holding_per_part_year,
                                  investment=investment,
                                  benefit_per_part_year=benefit_per_part_year,
                                  free_days=free_days)))
    ok = call.ok
    if ok.any():
        pol = core.optimal_base_stock(waiting_time=wt, service_target=target,
                                      **_stock_params(call, ok))
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

    One call of :func:`amspares.core.environmental_impact`; the counts come from docs/model.md
    section 4 (stock, moq = 1: P = W = n + S*; make to order: P = n, W = 0).

    Examples
    --------
    The case study's regular supplier at S* = 5 (docs/model.md section 6): legs 5000 km by
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
    return _impact(names, given)


@_guard
def eco2e(produced, shipped_to_warehouse, delivered, weight_kg, material_kgco2e_per_kg,
          material_efficiency, process_kgco2e_per_kg_of_part, factory_leg_kgco2e_per_kg,
          warehouse_leg_kgco2e_per_kg, customer_leg_kgco2e_per_kg, extra_kgco2e_per_part=0.0):
    """``ECO2E(...)``: climate impact in kg CO2e (GWP100), the equations of ``ECOMPTS`` (thesis
    Eq. 32-41) with the climate twins of the factors (docs/model.md section 4).

    Examples
    --------
    The case study's regular supplier at S* = 5 in kg CO2e: PA 9.14 kg CO2e/kg, moulding
    0.3005080603 kg CO2e/kg, 5000 km by 28 t truck (0.00017146 per kg-km) to the factory and
    the warehouse, 100 km van (0.0006313) + 1000 km plane (0.0005313) out
    (docs/data-notes/case_study_co2e_expected.md: 230.800987229875):

    >>> round(eco2e(65, 65, 60, 0.25, 9.14, 0.8, 0.3005080603, 0.8573, 0.8573, 0.59443), 9)
    230.80098723
    """
    names = ("produced", "shipped_to_warehouse", "delivered", "weight_kg",
             "material_kgco2e_per_kg", "material_efficiency", "process_kgco2e_per_kg_of_part",
             "factory_leg_kgco2e_per_kg", "warehouse_leg_kgco2e_per_kg",
             "customer_leg_kgco2e_per_kg", "extra_kgco2e_per_part")
    given = (produced, shipped_to_warehouse, delivered, weight_kg, material_kgco2e_per_kg,
             material_efficiency, process_kgco2e_per_kg_of_part, factory_leg_kgco2e_per_kg,
             warehouse_leg_kgco2e_per_kg, customer_leg_kgco2e_per_kg, extra_kgco2e_per_part)
    return _impact(names, given)


#: The keyword names of :func:`amspares.core.environmental_impact`, in the order of ECOMPTS.
_IMPACT_ARGS = ("produced", "shipped_to_warehouse", "delivered", "weight_kg",
                "material_mpts_per_kg", "material_efficiency", "process_mpts_per_kg_of_part",
                "factory_leg_mpts_per_kg", "warehouse_leg_mpts_per_kg",
                "customer_leg_mpts_per_kg", "extra_mpts_per_part")


def _impact(names, given):
    """ECOMPTS / ECO2E: coerce the arguments (named as the function names them), one core call
    on the valid rows (the model is linear in the factors: one function for both indicators)."""
    call = _Call({n: _coerce(n, v, rule="(0, 1]" if n == "material_efficiency" else ">= 0",
                             default=_DEFAULTS.get(n, _REQUIRED))
                  for n, v in zip(names, given)})
    ok = call.ok
    res = np.zeros(0)
    if ok.any():
        taken = call.take(ok, *names)
        t = {core_name: taken[name] for core_name, name in zip(_IMPACT_ARGS, names)}
        imp = core.environmental_impact(t.pop("produced"), t.pop("shipped_to_warehouse"),
                                        t.pop("delivered"), **t)
        res = np.atleast_1d(imp.total)
    return call.finish([res], ok, "#NUM! impact is not a finite number")


@_guard
def accepted_q(total_demand, confidence=DEFAULT_CONFIDENCE):
    """``ACCEPTED_Q(total_demand, [confidence])``: thesis Eq. 31 via :func:`amspares.core.accepted_quantity`.

    Examples
    --------
    >>> accepted_q(60)                          # docs/model.md section 8
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
    # s >= -Q: the inventory position s + U is never negative (docs/model.md section 3.2)
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
def backorder_wait(S, rate, lead_days, waiting_time="exact", free_days=0.0):
    """``BACKORDER_WAIT(S, rate, lead_days, [waiting_time], [free_days])``: mean wait per
    demand beyond ``free_days``, in DAYS (the wait the downtime penalty is charged on).

    :func:`amspares.core.backorder_wait` (years) times 365 (a unit conversion).

    Examples
    --------
    >>> backorder_wait(0, 2, 86)                # S = 0: every demand waits the lead time
    86.0
    >>> backorder_wait(0, 2, 86, free_days=30)  # ... of which 30 days are free
    56.0
    """
    from amspares.core.basestock import DAYS_PER_YEAR

    wt = _waiting_time(waiting_time)
    call = _Call({"S": _coerce("S", S, integer=True), "rate": _coerce("rate", rate),
                  "lead_days": _coerce("lead_days", lead_days),
                  "free_days": _coerce("free_days", free_days, default=0.0)})
    ok = call.ok
    t = call.take(ok, "S", "rate", "lead_days", "free_days", integer=("S",))
    res = np.zeros(0)
    if ok.any():
        w = core.backorder_wait(t["S"], t["rate"], t["lead_days"] / DAYS_PER_YEAR, wt,
                                free_days=t["free_days"])
        res = np.atleast_1d(w) * DAYS_PER_YEAR              # years -> days (unit conversion)
    return call.finish([res], ok, _UNSTABLE)


@_guard
def breakeven_price(rate, years, price, lead_days, emergency_per_day, regular_per_demand,
                    inbound_share, outbound_per_part, holding_per_part_year,
                    mto_outbound_per_part, investment=0.0, benefit_per_part_year=0.0,
                    mto_investment=0.0, mto_benefit_per_part_year=0.0,
                    waiting_time="exact", free_days=0.0, mto_delivery_days=0.0,
                    order_wait="charged"):
    """``BREAKEVEN_PRICE(...)``: AM price at which make to order costs as much as optimal stock.

    The stock method's total at its optimal S* (:func:`amspares.core.optimal_base_stock`,
    one call) is the target of :func:`amspares.core.made_to_order_breakeven_price`. The
    make-to-order side shares ``rate``, ``years``, ``emergency_per_day``,
    ``regular_per_demand`` and ``free_days`` and has its own outbound transport,
    investment, benefit and delivery time ``mto_delivery_days`` (its wait charged unless
    ``order_wait = "free"``). Negative when no positive price makes printing competitive;
    an error text when there is no demand.

    Examples
    --------
    The case study with the thesis's switches (docs/model.md 5, ``am_price_breakeven``):

    >>> round(breakeven_price(2, 30, 15, 86, 100, 0, 0.08, 10, 0.45, 5, waiting_time="erlang_c"), 4)
    23.9284
    """
    wt = _waiting_time(waiting_time)
    ow = _order_wait(order_wait)
    values = dict(rate=rate, years=years, price=price, lead_days=lead_days,
                  emergency_per_day=emergency_per_day, regular_per_demand=regular_per_demand,
                  inbound_share=inbound_share, outbound_per_part=outbound_per_part,
                  holding_per_part_year=holding_per_part_year,
                  mto_outbound_per_part=mto_outbound_per_part, investment=investment,
                  benefit_per_part_year=benefit_per_part_year, mto_investment=mto_investment,
                  mto_benefit_per_part_year=mto_benefit_per_part_year, free_days=free_days,
                  mto_delivery_days=mto_delivery_days)
    call = _Call(_stock_args(values))
    ok = call.ok
    res = np.zeros(0)
    if ok.any():
        p = _stock_params(call, ok)
        target = core.optimal_base_stock(waiting_time=wt, **p).total_cost
        t = call.take(ok, "mto_outbound_per_part", "mto_investment", "mto_benefit_per_part_year",
                      "mto_delivery_days")
        res = np.atleast_1d(core.made_to_order_breakeven_price(
            target, rate=p["rate"], years=p["years"],
            regular_per_demand=p["regular_per_demand"],
            outbound_per_part=t["mto_outbound_per_part"], investment=t["mto_investment"],
            benefit_per_part_year=t["mto_benefit_per_part_year"],
            delivery_days=t["mto_delivery_days"], emergency_per_day=p["emergency_per_day"],
            free_days=p["free_days"], order_wait=ow))
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
def optimal_reorder_point(Q, u, holding_per_part_year, emergency_per_day, free_days=0.0,
                          lead_days=None):
    """``OPTIMAL_REORDER_POINT(Q, u, holding_per_part_year, emergency_per_day, [free_days],
    [lead_days])``: s* (Eq. 26).

    One call of :func:`amspares.core.optimal_reorder_point`. With ``free_days`` the downtime
    term charges only the wait beyond the window: E[BO] at the lead-time demand
    ``u_w = u (1 - free_days / lead_days)^+`` (docs/model.md 3.2), so ``lead_days`` is then
    needed.

    Examples
    --------
    >>> optimal_reorder_point(20, 2 * 86 / 365, 0.45, 100)   # the case study with Q = 20
    3

    80 of the 86 lead-time days are free: fewer demands wait beyond the window, s* drops to 1:

    >>> optimal_reorder_point(20, 2 * 86 / 365, 0.45, 100, 80, 86)
    1
    """
    call = _Call({"Q": _coerce("Q", Q, rule=">= 1", integer=True), "u": _coerce("u", u),
                  "holding_per_part_year": _coerce("holding_per_part_year", holding_per_part_year),
                  "emergency_per_day": _coerce("emergency_per_day", emergency_per_day),
                  "free_days": _coerce("free_days", free_days, default=0.0),
                  "lead_days": _coerce("lead_days", lead_days, rule="> 0", default=np.nan)})
    window = call["free_days"] > 0
    call.require("lead_days", window)
    ok = call.ok
    res = np.zeros(0, dtype=np.int64)
    if ok.any():
        t = call.take(ok, "Q", "u", "holding_per_part_year", "emergency_per_day", "free_days",
                      "lead_days", integer=("Q",))
        with np.errstate(invalid="ignore"):
            share = np.where(t["free_days"] > 0,
                             np.maximum(1.0 - t["free_days"] / t["lead_days"], 0.0), 1.0)
        res = np.atleast_1d(core.optimal_reorder_point(
            t["Q"], t["u"], t["holding_per_part_year"], t["emergency_per_day"],
            window_mean=t["u"] * share if window.any() else None))
    return call.finish([res], ok, "#NUM! no reorder point", integer=(True,))


@_guard
def mto_cost(rate, years, price, regular_per_demand, outbound_per_part, investment=0.0,
             benefit_per_part_year=0.0, delivery_days=0.0, emergency_per_day=0.0,
             free_days=0.0, order_wait="charged"):
    """``MTO_COST(...)``: make-to-order total (docs/model.md 3.3) via
    :func:`amspares.core.made_to_order_costs`; ``order_wait = "charged"`` (default) adds
    ``n ce (D_o - free_days)^+`` with ``D_o = delivery_days``.

    Examples
    --------
    >>> mto_cost(2, 30, 175, 0, 5)              # docs/model.md section 8 (no delivery time)
    10800.0
    >>> mto_cost(3, 15, 480, 0, 0, delivery_days=10, emergency_per_day=2000)   # the impeller
    921600.0
    """
    ow = _order_wait(order_wait)
    call = _Call(_stock_args(dict(rate=rate, years=years, price=price,
                                  regular_per_demand=regular_per_demand,
                                  outbound_per_part=outbound_per_part, investment=investment,
                                  benefit_per_part_year=benefit_per_part_year,
                                  delivery_days=delivery_days,
                                  emergency_per_day=emergency_per_day, free_days=free_days),
                             defaults={"emergency_per_day": 0.0}))
    ok = call.ok
    res = np.zeros(0)
    if ok.any():
        t = call.take(ok, "rate", "years", "price", "regular_per_demand", "outbound_per_part",
                      "investment", "benefit_per_part_year", "delivery_days",
                      "emergency_per_day", "free_days")
        res = np.atleast_1d(core.made_to_order_costs(order_wait=ow, **t).total)
    return call.finish([res], ok, "#NUM! cost is not a finite number")


# --------------------------------------------------------------------------- version 2

#: Columns spilled by :func:`policy` (and its header row).
POLICY_COLUMNS = ("policy", "S_or_s", "Q", "total_cost", "fill_rate", "on_time_rate",
                  "mean_wait_days")


def _rows(columns: list[list], errors: np.ndarray, header=None) -> list:
    """Rows of values (a column list per field), an error row repeating its text."""
    rows = []
    for i, err in enumerate(errors.tolist()):
        rows.append([err] * len(columns) if err is not None else [c[i] for c in columns])
    return ([list(header)] if header is not None else []) + rows


def _number(x, integer=False):
    """A result cell: NaN is an empty cell (None), whole-number fields are ints."""
    x = float(x)
    if not math.isfinite(x):
        return None
    return int(x) if integer else x


@_guard
def policy(rate, years, price, lead_days, emergency_per_day, regular_per_demand,
           inbound_share, outbound_per_part, holding_per_part_year, moq=1, investment=0.0,
           benefit_per_part_year=0.0, waiting_time="exact", free_days=0.0, service_target=None,
           accepted_q_confidence=DEFAULT_CONFIDENCE, header=False):
    """``POLICY(...)``: the cost-optimal stock policy for any minimum order quantity.

    moq = 1: base stock, :func:`amspares.core.optimal_base_stock` (one call); moq >= 2:
    :func:`amspares.core.sq_policy_costs` at ``Q = moq`` (one call): an (s,Q) policy with
    the optimal reorder point when ``moq <= n``, one order when ``moq > n``
    (docs/model.md 3.1-3.2). Every row spills ``policy`` (``base_stock``,
    ``reorder_point`` or ``one_order``), ``S_or_s`` (S, s, or blank for one order),
    ``Q``, ``total_cost``, ``fill_rate``, ``on_time_rate``, ``mean_wait_days``
    (docs/model.md 3.4); ``header = TRUE`` puts these names above. The inputs are a
    single cell or one column.

    Examples
    --------
    >>> policy(2, 30, 15, 86, 100, 0, 0.08, 10, 0.45, waiting_time="erlang_c")[0][:4]
    ['base_stock', 5, 1, 1735.7055282105157]

    One order of moq = 100 > n = 60: 85 shipped (accepted_q), 100 billed, E[OH] = 85 - 30;
    TC = 55 * 0.45 * 30 + 100 * 15 + (85 * 15 * 0.08 + 60 * 10) = 742.5 + 1500 + 702:

    >>> [round(x, 2) if isinstance(x, float) else x
    ...  for x in policy(2, 30, 15, 86, 100, 0, 0.08, 10, 0.45, 100)[0]]
    ['one_order', None, 100, 2944.5, 1.0, 1.0, 0.0]
    """
    wt = _waiting_time(waiting_time)
    target = _service_target(service_target)
    head = _flag("header", header)
    values = dict(rate=rate, years=years, price=price, lead_days=lead_days,
                  emergency_per_day=emergency_per_day, regular_per_demand=regular_per_demand,
                  inbound_share=inbound_share, outbound_per_part=outbound_per_part,
                  holding_per_part_year=holding_per_part_year, moq=moq, investment=investment,
                  benefit_per_part_year=benefit_per_part_year, free_days=free_days,
                  accepted_q_confidence=accepted_q_confidence)
    call = _Call(_stock_args(values))
    if call.shape and call.shape[1] != 1:
        raise _SettingError("#VALUE! POLICY needs the inputs in one column (one row per part)")
    ok = call.ok
    low = ok & (call["accepted_q_confidence"] < 0.5)
    if low.any():
        errs = np.full(call.size, None, dtype=object)
        for i in np.flatnonzero(low):
            errs[i] = (f"#NUM! accepted_q_confidence must be >= 0.5 and < 1 "
                       f"(got {_fmt(call['accepted_q_confidence'][i])})")
        call._add_errors(errs)
    ok = call.ok
    size = call.size
    kind = np.full(size, "", dtype=object)
    level = np.full(size, np.nan)
    q = np.full(size, np.nan)
    out = {k: np.full(size, np.nan) for k in ("total_cost", "fill_rate", "on_time_rate",
                                               "mean_wait_days")}
    moq_all = call["moq"]
    base = ok & (moq_all == 1)
    if base.any():
        pol = core.optimal_base_stock(waiting_time=wt, service_target=target,
                                      **_stock_params(call, base))
        kind[base] = "base_stock"
        level[base] = pol.S
        q[base] = 1
        for k, v in (("total_cost", pol.total_cost), ("fill_rate", pol.fill_rate),
                     ("on_time_rate", pol.on_time_rate), ("mean_wait_days", pol.mean_wait_days)):
            out[k][base] = v
    sq = ok & (moq_all > 1)
    if sq.any():
        p = _stock_params(call, sq)
        pol = core.sq_policy_costs(moq_all[sq], service_target=target,
                                   accepted_q_confidence=call["accepted_q_confidence"][sq], **p)
        n = p["rate"] * p["years"]
        kind[sq] = np.where(moq_all[sq] <= n, "reorder_point", "one_order")
        level[sq] = pol.s
        q[sq] = moq_all[sq]
        for k, v in (("total_cost", pol.total_cost), ("fill_rate", pol.fill_rate),
                     ("on_time_rate", pol.on_time_rate), ("mean_wait_days", pol.mean_wait_days)):
            out[k][sq] = v
    errors = call.errors.copy()
    bad = ok & ~np.isfinite(out["total_cost"])
    errors[bad] = _UNSTABLE
    columns = [kind.tolist(), [_number(x, True) for x in level], [_number(x, True) for x in q]]
    columns += [[_number(x) for x in out[k]] for k in POLICY_COLUMNS[3:]]
    return _rows(columns, errors, POLICY_COLUMNS if head else None)


def _rate_call(S, Q, extra: dict) -> tuple[_Call, np.ndarray]:
    """Coerce ``S`` (base stock, or the reorder point s where Q is given), ``Q`` and ``extra``."""
    call = _Call({"S": _coerce("S", S, rule="", integer=True),
                  "Q": _coerce("Q", Q, rule=">= 1", integer=True, default=np.nan), **extra})
    has_q = ~np.isnan(call["Q"])
    ok = call.ok
    errs = np.full(call.size, None, dtype=object)
    for i in np.flatnonzero(ok & ~has_q & (call["S"] < 0)):
        errs[i] = f"#NUM! S must be >= 0 (got {_fmt(call['S'][i])})"
    for i in np.flatnonzero(ok & has_q & (call["S"] < -np.where(has_q, call["Q"], 0))):
        errs[i] = (f"#NUM! S (the reorder point s) must be >= -Q "
                   f"(got s = {_fmt(call['S'][i])}, Q = {_fmt(call['Q'][i])})")
    call._add_errors(errs)
    return call, has_q


def _only_base_stock(waiting_time, call: _Call, has_q: np.ndarray) -> str:
    wt = _waiting_time(waiting_time)
    if wt == "erlang_c" and (call.ok & has_q).any():
        errs = np.where(has_q, '#VALUE! waiting_time "erlang_c" is for base stock only: '
                        'an (s,Q) policy (Q given) uses the exact model', None)
        call._add_errors(errs.astype(object))
    return wt


@_guard
def fill_rate(S, u, waiting_time="exact", Q=None):
    """``FILL_RATE(S, u, [waiting_time], [Q])``: share of demands served from stock at once.

    Base stock S (:func:`amspares.core.base_stock_service`): ``P(Poisson(u) <= S - 1)``
    (exact) or ``1 - Ec(S, u)`` (Erlang C); with ``Q`` an (s,Q) policy with reorder point
    ``s = S`` (:func:`amspares.core.sq_service`): the mean of ``P(Poisson(u) <= s + j - 1)``
    over ``j = 1..Q`` (docs/model.md 3.4). Only ``u`` matters, so the core is called with
    ``rate = u`` and a lead time of one year.

    Examples
    --------
    >>> round(fill_rate(5, 2 * 86 / 365), 6)          # P(Poisson(0.4712) <= 4)
    0.999869
    >>> round(fill_rate(5, 2 * 86 / 365, "erlang_c"), 12) == round(1 - erlangc(5, 2 * 86 / 365), 12)
    True
    >>> fill_rate(-1, 2.0, Q=1) == fill_rate(0, 2.0)  # s = -1, Q = 1 is S = 0
    True
    """
    call, has_q = _rate_call(S, Q, {"u": _coerce("u", u)})
    wt = _only_base_stock(waiting_time, call, has_q)
    ok = call.ok
    res = np.full(call.size, np.nan)
    base = ok & ~has_q
    if base.any():
        res[base] = core.base_stock_service(call["S"][base].astype(np.int64), rate=call["u"][base],
                                            lead_time_years=1.0, waiting_time=wt).fill_rate
    sq = ok & has_q
    if sq.any():
        res[sq] = core.sq_service(call["S"][sq], call["Q"][sq], rate=call["u"][sq],
                                  lead_time_years=1.0).fill_rate
    return call.finish([res[ok]], ok, "#NUM! fill rate is not a finite number")


@_guard
def on_time_rate(S, rate, lead_days, free_days, waiting_time="exact", Q=None):
    """``ON_TIME_RATE(S, rate, lead_days, free_days, [waiting_time], [Q])``: share of demands
    delivered within ``free_days`` (docs/model.md 3.4).

    Base stock (:func:`amspares.core.base_stock_service`): exact ``P(Poisson(u_w) <= S - 1)``
    with ``u_w = rate (lead_days - free_days)^+ / 365``, Erlang C
    ``1 - Ec exp(-(S/L - rate) w)``; with ``Q`` the (s,Q) policy with reorder point
    ``s = S`` (:func:`amspares.core.sq_service`). With ``free_days = 0`` it is the fill rate.

    Examples
    --------
    >>> on_time_rate(0, 2, 86, 90)                   # the window covers the lead time
    1.0
    >>> on_time_rate(5, 2, 86, 0) == fill_rate(5, 2 * 86 / 365)
    True
    """
    from amspares.core.basestock import DAYS_PER_YEAR

    call, has_q = _rate_call(S, Q, {"rate": _coerce("rate", rate),
                                    "lead_days": _coerce("lead_days", lead_days),
                                    "free_days": _coerce("free_days", free_days)})
    wt = _only_base_stock(waiting_time, call, has_q)
    ok = call.ok
    res = np.full(call.size, np.nan)
    for sel, fn in ((ok & ~has_q, "base"), (ok & has_q, "sq")):
        if not sel.any():
            continue
        kw = dict(rate=call["rate"][sel], lead_time_years=call["lead_days"][sel] / DAYS_PER_YEAR,
                  free_days=call["free_days"][sel])
        if fn == "base":
            res[sel] = core.base_stock_service(call["S"][sel].astype(np.int64), waiting_time=wt,
                                               **kw).on_time_rate
        else:
            res[sel] = core.sq_service(call["S"][sel], call["Q"][sel], **kw).on_time_rate
    return call.finish([res[ok]], ok, "#NUM! on-time rate is not a finite number")


#: Columns spilled by :func:`demand_rate` (and its header row).
DEMAND_COLUMNS = ("rate", "lower", "upper", "class")


@_guard
def demand_rate(history, periods_per_year=12.0, level=0.90, header=False):
    """``DEMAND_RATE(history, [periods_per_year], [level], [header])``: the Poisson rate per
    year of a demand history, its exact interval and the demand class.

    One row of ``history`` per part (periods across, oldest first); a single column is one
    part. Blank cells are periods not observed. One call of
    :func:`amspares.core.demand.poisson_rate_estimate` (maximum likelihood ``N / T`` and the
    exact Garwood interval at ``level``) and one of :func:`amspares.core.demand.demand_class`
    (Syntetos-Boylan-Croston: smooth, intermittent, erratic, lumpy, no demand) for all
    parts; each row spills ``rate, lower, upper, class``.

    Examples
    --------
    Ten years of monthly history with 20 parts demanded (the core's example: the interval
    is ``chi2.ppf(0.05, 40) / 20`` to ``chi2.ppf(0.95, 42) / 20``; sizes 2, 1, 17 vary a lot
    and come 40 months apart on average, so lumpy):

    >>> r = demand_rate([[2, 0, 0, 1] + [0] * 115 + [17]])
    >>> [round(x, 4) if isinstance(x, float) else x for x in r[0]]
    [2.0, 1.3255, 2.9062, 'lumpy']
    """
    from amspares.core import demand as dm

    flat, shape = _grid("history", history)
    if not shape or shape[0] == 1 or shape[1] == 1:
        shape = (1, len(flat))                              # one part: a row or a column
    ppy = _single("periods_per_year", periods_per_year, 12.0)
    lev = _single("level", level, 0.90)
    settings = _Call({"periods_per_year": _coerce("periods_per_year", ppy, rule="> 0"),
                      "level": _coerce("level", lev, rule="(0, 1)")})
    if not settings.ok.all():
        raise _SettingError(settings.errors[0])
    ppy, lev = float(settings["periods_per_year"][0]), float(settings["level"][0])
    head = _flag("header", header)
    cells = _coerce("history", flat, integer=True, default=np.nan)
    values = cells.values.reshape(shape)
    errors = np.full(shape[0], None, dtype=object)
    if cells.errors is not None:
        errs = cells.errors.reshape(shape)
        for r, c in zip(*np.nonzero(np.not_equal(errs, None))):
            if errors[r] is None:
                where = f" (row {r + 1}, period {c + 1})" if shape[0] > 1 else f" (period {c + 1})"
                errors[r] = errs[r, c].replace("history", "history" + where, 1)
    empty = np.isnan(values).all(axis=1)
    errors[np.equal(errors, None) & empty] = "#VALUE! history has no observed period (all blank)"
    ok = np.equal(errors, None)
    cols = [[None] * shape[0] for _ in DEMAND_COLUMNS]
    if ok.any():
        est = dm.poisson_rate_estimate(values[ok], ppy, lev)
        cls = dm.demand_class(values[ok])
        for j, i in enumerate(np.flatnonzero(ok).tolist()):
            cols[0][i] = float(np.atleast_1d(est.rate)[j])
            cols[1][i] = float(np.atleast_1d(est.lower)[j])
            cols[2][i] = float(np.atleast_1d(est.upper)[j])
            cols[3][i] = str(np.atleast_1d(cls.label)[j])
    return _rows(cols, errors, DEMAND_COLUMNS if head else None)


def _catalogue_cell(x) -> str:
    """A table cell as the text the portfolio reads (numbers round-trip through repr)."""
    if x is None:
        return ""
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if isinstance(x, Real):
        x = float(x)
        return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)
    if isinstance(x, (_dt.date, _dt.datetime, _dt.time)):
        return x.isoformat()
    return str(x)


@_guard
def catalogue(table, base_scenario_path=None, header=True):
    """``CATALOGUE(table, [base_scenario_path], [header])``: ``amspares portfolio`` inside Excel.

    The first row of ``table`` is the header (``sku`` and dotted scenario keys, as in a
    portfolio catalogue; :func:`amspares.portfolio.columns.plan_columns`); every other row
    is a part, whose cells override the base scenario (blank: the base value). All rows go
    through :func:`amspares.portfolio.chunks.evaluate_chunk` at once, the portfolio's own
    checks and its one vectorised evaluation, and each row spills the columns of
    :func:`amspares.portfolio.columns.output_header`: sku, the demand rate, per method S,
    s, Q, total cost and impact (mPts and kg CO2e), then cheapest, lowest impact (by each
    indicator), saving and the row's error
    text (empty when it was evaluated; the row's results are then blank). An Excel error
    value in a cell fails its row.

    Examples
    --------
    >>> out = catalogue([["sku", "demand.rate_per_year"], ["A", 2], ["B", -1]])
    >>> out[0][:4], out[0][-5:]
    (['sku', 'demand.rate_per_year', 'regular.S', 'regular.s'], ['cheapest', 'lowest_impact', 'lowest_impact_co2e', 'saving', 'error'])
    >>> out[1][:3], out[1][-5], out[1][-3], out[2][-1]
    (['A', 2.0, 5], 'regular', 'regular', 'row 3, demand.rate_per_year = -1: must be >= 0')
    """
    from amspares.portfolio.chunks import evaluate_chunk
    from amspares.portfolio.columns import (INTEGER_FIELDS, PortfolioInputError, output_header,
                                            plan_columns)
    from amspares.scenario import load_scenario

    head = _flag("header", header)
    path = _single("base_scenario_path", base_scenario_path, None)
    try:
        scenario = load_scenario(None if path is None else str(path).strip())
    except (ScenarioError, OSError, ValueError) as exc:
        raise _SettingError(f"#VALUE! base_scenario_path = {_fmt(path)}: "
                            + " ".join(str(exc).split())) from None
    flat, shape = _grid("table", table)
    if not shape or shape[0] < 2:
        raise _SettingError("#VALUE! table needs a header row and at least one row of parts")
    rows, width = shape
    names = [_catalogue_cell(excel_error_text(x) or x).strip() for x in flat[:width]]
    try:
        plan = plan_columns(names, scenario)
    except PortfolioInputError as exc:
        raise _SettingError(f"#VALUE! table: {exc}") from None
    body = flat[width:]
    row_numbers = list(range(2, rows + 1))
    by_column: list[list[str]] = [[] for _ in range(width)]
    problems: dict[int, list[str]] = {}
    for k, x in enumerate(body):
        i, j = divmod(k, width)
        text = _catalogue_cell(x)
        if text.strip().upper() in EXCEL_ERRORS:
            problems.setdefault(i, []).append(
                f"row {row_numbers[i]}, {names[j] or f'column {j + 1}'} = {text.strip().upper()}: "
                f"an Excel error value")
            text = ""
        by_column[j].append(text)
    res = evaluate_chunk(scenario, plan, by_column, row_numbers, problems)
    methods = list(scenario.methods)
    carried = dict(getattr(res, "carried", None) or {})
    out_names = output_header(scenario)
    if carried:
        out_names = out_names[:1] + list(carried) + out_names[1:]
    integer = {f"{m}.{f}" for m in methods for f in INTEGER_FIELDS}
    columns = []
    for name in out_names:
        if name == "sku":
            columns.append([str(v) for v in res.sku])
        elif name in carried:
            columns.append([str(v) for v in carried[name]])
        elif name == "demand.rate_per_year":
            columns.append([_number(v) for v in res.rate])
        elif name in ("cheapest", "lowest_impact", "lowest_impact_co2e"):
            idx = {"cheapest": res.cheapest, "lowest_impact": res.lowest_impact,
                   "lowest_impact_co2e": res.lowest_impact_co2e}[name]
            columns.append([methods[i] if i >= 0 else "" for i in np.asarray(idx).tolist()])
        elif name == "saving":
            columns.append([_number(v) for v in res.saving])
        elif name == "error":
            columns.append(list(res.errors))
        else:
            columns.append([_number(v, name in integer) for v in res.columns[name]])
    failed = ~np.asarray(res.ok)
    for c, name in zip(columns, out_names):
        if name not in ("sku", "error") and name not in carried:
            for i in np.flatnonzero(failed).tolist():
                c[i] = None
    body_rows = [list(r) for r in zip(*columns)]
    return ([list(out_names)] if head else []) + body_rows


#: Excel name -> the Python function behind it (same argument names and order).
FUNCTIONS = {
    "ERLANGC": erlangc, "TOTALCOST": totalcost, "OPTIMAL_S": optimal_s, "ECOMPTS": ecompts,
    "ECO2E": eco2e,
    "ACCEPTED_Q": accepted_q, "SQ_ONHAND": sq_onhand, "SQ_BACKORDERS": sq_backorders,
    "BACKORDER_WAIT": backorder_wait, "BREAKEVEN_PRICE": breakeven_price,
    "TRANSPORT_MPTS": transport_mpts, "OPTIMAL_REORDER_POINT": optimal_reorder_point,
    "MTO_COST": mto_cost, "POLICY": policy, "FILL_RATE": fill_rate,
    "ON_TIME_RATE": on_time_rate, "DEMAND_RATE": demand_rate, "CATALOGUE": catalogue,
}

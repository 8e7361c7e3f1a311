"""Excel worksheet functions (xlwings UDFs, spec section 7): ``=OPTIMAL_S(...)`` and friends.

Thin wrappers: each one hands its arguments to :mod:`amspares.excel.functions`, which
coerces them, makes ONE call into the pure model (:mod:`amspares.core`) and shapes the
result. Nothing is computed here.

Getting them into Excel: install the add-in (``amspares addin install``, see
``docs/install-windows.md``), set its UDF module to ``amspares.udfs`` and press
"Import Functions" on the xlwings ribbon tab. xlwings then writes one VBA wrapper per
function (category "AM Spares", with the description and the argument help shown by
the Function Wizard).

Every argument is read as a 2-D range (``ndim=2``) with cell errors as text
(``err_to_str=True``), so a single cell and a range go through the same code and an
``#N/A`` input is reported rather than read as a blank. Ranges in, dynamic arrays out:
a column of 10,000 rates spills 10,000 results from one vectorised model call.

Errors are returned as text starting with the Excel error code (``#NUM! S must be >= 0
(got -1)``): classic (COM) xlwings UDFs cannot return real Excel error values, so
``ISERROR()`` is FALSE for them; use ``ISTEXT()`` or ``LEFT(cell, 1) = "#"``. A blank
optional argument takes its default; a blank cell of a required argument gives
``#VALUE! <name> must not be blank`` for that element only. See
:mod:`amspares.excel.functions` for all conventions.

On a machine without Excel (Linux, tests) ``xw.func`` and ``xw.arg`` are no-ops and
these are ordinary Python functions.
"""

from __future__ import annotations

import inspect

import xlwings as xw

from amspares.excel import functions as fx

CATEGORY = fx.CATEGORY


def _described(f):
    """Give ``f`` its Function Wizard description and help for every argument.

    Every argument is read as a 2-D range with cell errors as text. The texts live in
    :data:`amspares.excel.functions.DESCRIPTIONS` and :data:`~amspares.excel.functions.HELP`.
    """
    f.__doc__ = fx.DESCRIPTIONS[f.__name__]
    for name in reversed(list(inspect.signature(f).parameters)):
        f = xw.arg(name, doc=fx.arg_help(f.__name__, name), ndim=2, err_to_str=True)(f)
    return f


#: Longest text a cell of a returned array can show (a longer one shows as a bare #VALUE!).
MAX_TEXT = 255


def _short_texts(result):
    """Cut every text of a result (a value or a 2-D list) to :data:`MAX_TEXT` characters."""
    if isinstance(result, str):
        return result if len(result) <= MAX_TEXT else result[: MAX_TEXT - 3] + "..."
    if isinstance(result, list):
        return [_short_texts(r) for r in result]
    return result


def _call(name, fn, *args):
    """Run one function; an unexpected exception becomes a one-line text, never a traceback."""
    try:
        return _short_texts(fn(*args))
    except Exception as exc:  # noqa: BLE001 - a cell must never show a traceback
        text = " ".join(str(exc).split())[:200]
        return _short_texts(f"#VALUE! {name} failed unexpectedly: {type(exc).__name__}: {text}")


@xw.func(category=CATEGORY)
@_described
def ERLANGC(S, u):
    return _call("ERLANGC", fx.erlangc, S, u)


@xw.func(category=CATEGORY)
@_described
def TOTALCOST(S, rate, years, price, lead_days, emergency_per_day, regular_per_demand,
              inbound_share, outbound_per_part, holding_per_part_year, investment=0.0,
              benefit_per_part_year=0.0, waiting_time="erlang_c"):
    return _call("TOTALCOST", fx.totalcost, S, rate, years, price, lead_days,
                 emergency_per_day, regular_per_demand, inbound_share, outbound_per_part,
                 holding_per_part_year, investment, benefit_per_part_year, waiting_time)


@xw.func(category=CATEGORY)
@_described
def OPTIMAL_S(rate, years, price, lead_days, emergency_per_day, regular_per_demand,
              inbound_share, outbound_per_part, holding_per_part_year, investment=0.0,
              benefit_per_part_year=0.0, waiting_time="erlang_c", with_cost=False):
    return _call("OPTIMAL_S", fx.optimal_s, rate, years, price, lead_days, emergency_per_day,
                 regular_per_demand, inbound_share, outbound_per_part, holding_per_part_year,
                 investment, benefit_per_part_year, waiting_time, with_cost)


@xw.func(category=CATEGORY)
@_described
def ECOMPTS(produced, shipped_to_warehouse, delivered, weight_kg, material_mpts_per_kg,
            material_efficiency, process_mpts_per_kg_of_part, factory_leg_mpts_per_kg,
            warehouse_leg_mpts_per_kg, customer_leg_mpts_per_kg, extra_mpts_per_part=0.0):
    return _call("ECOMPTS", fx.ecompts, produced, shipped_to_warehouse, delivered, weight_kg,
                 material_mpts_per_kg, material_efficiency, process_mpts_per_kg_of_part,
                 factory_leg_mpts_per_kg, warehouse_leg_mpts_per_kg, customer_leg_mpts_per_kg,
                 extra_mpts_per_part)


@xw.func(category=CATEGORY)
@_described
def ACCEPTED_Q(total_demand, confidence=fx.DEFAULT_CONFIDENCE):
    return _call("ACCEPTED_Q", fx.accepted_q, total_demand, confidence)


@xw.func(category=CATEGORY)
@_described
def SQ_ONHAND(s, Q, u):
    return _call("SQ_ONHAND", fx.sq_onhand, s, Q, u)


@xw.func(category=CATEGORY)
@_described
def SQ_BACKORDERS(s, Q, u):
    return _call("SQ_BACKORDERS", fx.sq_backorders, s, Q, u)


@xw.func(category=CATEGORY)
@_described
def BACKORDER_WAIT(S, rate, lead_days, waiting_time="erlang_c"):
    return _call("BACKORDER_WAIT", fx.backorder_wait, S, rate, lead_days, waiting_time)


@xw.func(category=CATEGORY)
@_described
def BREAKEVEN_PRICE(rate, years, price, lead_days, emergency_per_day, regular_per_demand,
                    inbound_share, outbound_per_part, holding_per_part_year,
                    mto_outbound_per_part, investment=0.0, benefit_per_part_year=0.0,
                    mto_investment=0.0, mto_benefit_per_part_year=0.0,
                    waiting_time="erlang_c"):
    return _call("BREAKEVEN_PRICE", fx.breakeven_price, rate, years, price, lead_days,
                 emergency_per_day, regular_per_demand, inbound_share, outbound_per_part,
                 holding_per_part_year, mto_outbound_per_part, investment,
                 benefit_per_part_year, mto_investment, mto_benefit_per_part_year,
                 waiting_time)


@xw.func(category=CATEGORY)
@_described
def TRANSPORT_MPTS(modes, kms):
    return _call("TRANSPORT_MPTS", fx.transport_mpts, modes, kms)


@xw.func(category=CATEGORY)
@_described
def OPTIMAL_REORDER_POINT(Q, u, holding_per_part_year, emergency_per_day):
    return _call("OPTIMAL_REORDER_POINT", fx.optimal_reorder_point, Q, u,
                 holding_per_part_year, emergency_per_day)


@xw.func(category=CATEGORY)
@_described
def MTO_COST(rate, years, price, regular_per_demand, outbound_per_part, investment=0.0,
             benefit_per_part_year=0.0):
    return _call("MTO_COST", fx.mto_cost, rate, years, price, regular_per_demand,
                 outbound_per_part, investment, benefit_per_part_year)


#: The Excel functions of this module, in the order of the README.
__all__ = ["ERLANGC", "TOTALCOST", "OPTIMAL_S", "ECOMPTS", "ACCEPTED_Q", "SQ_ONHAND",
           "SQ_BACKORDERS", "BACKORDER_WAIT", "BREAKEVEN_PRICE", "TRANSPORT_MPTS",
           "OPTIMAL_REORDER_POINT", "MTO_COST"]

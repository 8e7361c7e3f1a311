"""The pure model: numpy/scipy only, vectorised, no I/O, no xlwings/openpyxl.

Every public function names the thesis equation it implements (equation numbers are
the thesis's, see ``docs/model.md``).

The names below are exported lazily (PEP 562 module ``__getattr__``): ``from amspares.core
import erlang_c`` imports :mod:`amspares.core.erlang` (and scipy.special) only then, so that
``import amspares.core.impact`` or the command line's start-up do not pay for scipy.
"""

import importlib

#: Exported name -> the submodule that defines it.
_EXPORTS = {
    name: module
    for module, names in {
        "erlang": ("erlang_b", "erlang_c"),
        "poisson": ("accepted_quantity", "poisson_cdf", "poisson_left_second_loss", "poisson_loss",
                    "poisson_pmf", "poisson_second_loss", "poisson_survival"),
        "costs": ("CostBreakdown",),
        "basestock": ("WAITING_TIME_MODELS", "PRODUCTION_RULES", "backorder_wait", "base_stock_costs",
                      "optimal_base_stock", "BaseStockPolicy"),
        "sq": ("sq_expected_backorders", "sq_expected_on_hand", "optimal_reorder_point",
               "reorder_point_search_top", "sq_policy_costs", "optimal_sq_policy", "SQPolicy",
               "OrderQuantityAdvice", "ADVICE_MIN_SAVING"),
        "mto": ("ORDER_WAIT_RULES", "made_to_order_breakeven_price", "made_to_order_costs"),
        "service": ("ServiceLevels", "base_stock_service", "erlang_on_time", "made_to_order_service",
                    "minimum_base_stock", "minimum_reorder_point", "one_order_service",
                    "sq_in_stock_share", "sq_service"),
        "params": ("MethodParams", "ModelParams"),
        "impact": ("ImpactBreakdown", "environmental_impact", "material_per_part", "megajoules_to_kwh",
                   "process_factor", "transport_leg_factor"),
    }.items()
    for name in names
}

#: Submodules reachable as attributes (``amspares.core.basestock``) before anyone imported them.
_SUBMODULES = ("basestock", "breakeven", "casestudy", "costs", "demand", "erlang", "evaluate", "impact",
               "mto", "params", "poisson", "service", "sq")

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value          # next time a plain attribute
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS) | set(_SUBMODULES))

"""The pure model: numpy/scipy only, vectorised, no I/O, no xlwings/openpyxl.

Every public function names the thesis equation it implements (equation numbers are
the thesis's, see ``docs/model.md`` and the specification ``MODEL.md``).
"""

from amspares.core.erlang import erlang_b, erlang_c
from amspares.core.poisson import (
    accepted_quantity, poisson_cdf, poisson_loss, poisson_second_loss, poisson_survival,
)
from amspares.core.costs import CostBreakdown
from amspares.core.basestock import (
    WAITING_TIME_MODELS,
    PRODUCTION_RULES,
    backorder_wait,
    base_stock_costs,
    optimal_base_stock,
    BaseStockPolicy,
)
from amspares.core.sq import (
    sq_expected_backorders,
    sq_expected_on_hand,
    optimal_reorder_point,
    reorder_point_search_top,
    sq_policy_costs,
    optimal_sq_policy,
    SQPolicy,
)
from amspares.core.mto import made_to_order_breakeven_price, made_to_order_costs
from amspares.core.params import MethodParams, ModelParams
from amspares.core.impact import (
    ImpactBreakdown,
    environmental_impact,
    material_per_part,
    megajoules_to_kwh,
    process_factor,
    transport_leg_factor,
)

__all__ = [
    "erlang_b", "erlang_c", "poisson_cdf", "poisson_survival", "reorder_point_search_top", "poisson_loss", "poisson_second_loss", "accepted_quantity",
    "CostBreakdown", "WAITING_TIME_MODELS", "PRODUCTION_RULES", "backorder_wait",
    "base_stock_costs", "optimal_base_stock", "BaseStockPolicy", "sq_expected_backorders",
    "sq_expected_on_hand", "optimal_reorder_point", "sq_policy_costs", "optimal_sq_policy",
    "SQPolicy", "made_to_order_costs", "made_to_order_breakeven_price", "ImpactBreakdown", "environmental_impact",
    "material_per_part", "megajoules_to_kwh", "process_factor", "transport_leg_factor",
    "MethodParams", "ModelParams",
]

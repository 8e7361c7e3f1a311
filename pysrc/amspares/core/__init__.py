"""The pure model: numpy/scipy only, vectorised, no I/O, no xlwings/openpyxl.

Every public function names the thesis equation it implements (equation numbers are
the thesis's, see ``docs/model.md`` and the specification ``MODEL.md``).
"""

from amspares.core.erlang import erlang_b, erlang_c
from amspares.core.poisson import (
    accepted_quantity, poisson_cdf, poisson_left_second_loss, poisson_loss, poisson_pmf,
    poisson_second_loss, poisson_survival,
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
    OrderQuantityAdvice,
    ADVICE_MIN_SAVING,
)
from amspares.core.mto import ORDER_WAIT_RULES, made_to_order_breakeven_price, made_to_order_costs
from amspares.core.service import (
    ServiceLevels,
    base_stock_service,
    erlang_on_time,
    made_to_order_service,
    minimum_base_stock,
    minimum_reorder_point,
    one_order_service,
    sq_in_stock_share,
    sq_service,
)
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
    "poisson_pmf", "poisson_left_second_loss", "OrderQuantityAdvice",
    "ADVICE_MIN_SAVING", "ORDER_WAIT_RULES", "ServiceLevels", "base_stock_service",
    "erlang_on_time", "made_to_order_service", "minimum_base_stock", "minimum_reorder_point",
    "one_order_service", "sq_in_stock_share", "sq_service",
    "MethodParams", "ModelParams",
]

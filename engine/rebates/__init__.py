"""Channel settlements: dealer rebates by period and target, promotion rebates and price
protection; policies are rule documents whose conditions engine.rules evaluates, volumes are
aggregated in numpy over the order lines the store hands in."""

from engine.rebates.document import check_protection_document, check_rebate_document
from engine.rebates.eligibility import Eligibility, dealer_eligibility, products_in_scope
from engine.rebates.lines import OrderLines
from engine.rebates.periods import bounds, containing, end_date, last_year, periods_within, scope_key
from engine.rebates.settle import PolicyRun, settle_policy
from engine.rebates.tiers import Reward, measure_of, reward

__all__ = [
    "Eligibility",
    "OrderLines",
    "PolicyRun",
    "Reward",
    "bounds",
    "check_protection_document",
    "check_rebate_document",
    "containing",
    "dealer_eligibility",
    "end_date",
    "last_year",
    "measure_of",
    "periods_within",
    "products_in_scope",
    "reward",
    "scope_key",
    "settle_policy",
]

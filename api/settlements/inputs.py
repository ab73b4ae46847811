"""GraphQL inputs of settlements and dealers' reports."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry import UNSET

import api.enums  # noqa: F401  (registers the enums)
import api.settlements.enums  # noqa: F401  (registers the enums)
from api.scalars import Fen
from schemas.dealer_reports import SellOutBuyer
from schemas.enums import PeriodKind

_EXPECTED = "Refuse the change (CONFLICT) unless the object is still at this rowVersion."

# Global ids in the inputs, by field name, for api.inputs.input_data.
IDS = {"dealer_id": "Dealer", "dealer_ids": "Dealer", "order_id": "SalesOrder", "product_id": "Product",
       "rule_set_version_id": "RuleSetVersion", "price_change_id": "PriceChange"}


@strawberry.input(description="A calendar period in the brand's time zone.")
class SettlementPeriodInput:
    kind: PeriodKind
    start: date = strawberry.field(description="Its first day: the 1st of a month (of a quarter: Jan, Apr, Jul, Oct; "
                                   "of a year: Jan 1).")


@strawberry.input(description="Settle a period's dealer rebates under the published rebate policies.")
class RebateSettlementRunInput:
    period: SettlementPeriodInput
    dealer_ids: list[strawberry.ID] | None = strawberry.field(default=UNSET, description="Only these dealers "
                                                             "(default: every dealer).")
    as_of: datetime | None = strawberry.field(default=UNSET, description="Settle on the data as of this moment "
                                              "(default: now); before the period's end the statements are accruals.")


@strawberry.input(description="What comes with approving or issuing a statement (the statement is the `id` argument).")
class SettlementStatementTransitionInput:
    expected_version: int | None = strawberry.field(default=UNSET, description=_EXPECTED)
    note: str | None = strawberry.field(default=UNSET, description="1 to 500 characters.")


@strawberry.input(description="Publish a pricing draft (a new price-list version) and run price protection for the "
                  "dealer prices it cuts.")
class PriceChangePublishInput:
    rule_set_version_id: strawberry.ID = strawberry.field(description="A draft version of a PRICING rule set.")
    effective_at: datetime | None = strawberry.field(default=UNSET, description="Default: now, when it is published.")
    expected_version: int | None = strawberry.field(default=UNSET, description=_EXPECTED)


@strawberry.input(description="What comes with approving or rejecting a claim (the claim is the `id` argument).")
class PriceProtectionClaimDecisionInput:
    expected_version: int | None = strawberry.field(default=UNSET, description=_EXPECTED)
    note: str | None = strawberry.field(default=UNSET, description="1 to 500 characters.")


@strawberry.input(description="Put a price change's approved claims on credit statements, one per dealer and form.")
class PriceProtectionStatementsCreateInput:
    price_change_id: strawberry.ID


@strawberry.input(description="Money a dealer paid, against one of its orders or on account.")
class DealerPaymentRecordInput:
    dealer_id: strawberry.ID
    order_id: strawberry.ID | None = strawberry.field(default=UNSET, description="An order of that dealer, not "
                                                      "rejected or cancelled, still owing at least the amount.")
    amount_fen: Fen = strawberry.field(description="More than 0.")
    received_at: datetime = strawberry.field(description="Not in the future.")
    payment_no: str | None = strawberry.field(
        default=UNSET, description="The finance system's reference; generated when omitted: PM + the day received "
        "(brand time zone, YYYYMMDD) + a daily sequence of 5 digits. That form is reserved for generated numbers.")
    note: str | None = UNSET


@strawberry.input(description="Units of one model on hand.")
class StockRowInput:
    product_id: strawberry.ID
    on_hand: int = strawberry.field(description="0 or more.")


@strawberry.input(description="A dealer's stock on hand at the end of a day; a model reported again for the same day "
                  "replaces what was reported.")
class DealerStockReportInput:
    dealer_id: strawberry.ID
    as_of: date = strawberry.field(description="The day (brand time zone), not after today.")
    rows: list[StockRowInput] = strawberry.field(description="1 to 1000 rows, one per model.")


@strawberry.input(description="Units of one model sold on a day.")
class SellOutRowInput:
    product_id: strawberry.ID
    sold_on: date = strawberry.field(description="The day (brand time zone), not after today.")
    quantity: int = strawberry.field(description="1 to 100000.")
    buyer: SellOutBuyer
    store_code: str | None = strawberry.field(default=UNSET, description="One of the dealer's stores (the buyer, or "
                                              "where consumers bought).")


@strawberry.input(description="A dealer's sales to stores and consumers; every row is a new report.")
class DealerSellOutReportInput:
    dealer_id: strawberry.ID
    rows: list[SellOutRowInput] = strawberry.field(description="1 to 1000 rows.")


@strawberry.input(description="A breach of the price policy observed at a dealer.")
class PriceViolationRecordInput:
    dealer_id: strawberry.ID
    product_id: strawberry.ID | None = strawberry.field(default=UNSET, description="The model, if it was about one.")
    observed_at: datetime = strawberry.field(description="Not in the future.")
    note: str = strawberry.field(description="What was observed; 1 to 500 characters.")

"""Settlement mutations: run a period's rebates, approve and issue statements, publish a price change
with its price protection, decide claims; and record what dealers report and what finance records."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from api.errors import ClientError, MutationError
from api.inputs import input_data
from api.mutations import run_mutation
from api.permissions import requires
from api.relay import pk_of
from api.settlements.inputs import (
    IDS,
    DealerPaymentRecordInput,
    DealerSellOutReportInput,
    DealerStockReportInput,
    PriceChangePublishInput,
    PriceProtectionClaimDecisionInput,
    PriceProtectionStatementsCreateInput,
    PriceViolationRecordInput,
    RebateSettlementRunInput,
    SettlementStatementTransitionInput,
)
from api.settlements.types import (
    DealerPayment,
    PriceChange,
    PriceProtectionClaim,
    PriceViolation,
    SellOutReport,
    SettlementStatement,
    StockReport,
)
from engine.access.permissions import Permission as P
from engine.services import dealer_reports
from engine.services import price_protection as protection
from engine.services import settlements as service
from engine.services.settlements import SettlementRun
from engine.store import settlements as m
from schemas.enums import PeriodKind
from schemas.errors import ErrorCode
from schemas.rebates import StatementStage


@strawberry.type(description="A period as settled.")
class SettlementPeriod:
    kind: PeriodKind
    start: date = strawberry.field(description="Its first day (brand time zone).")


@strawberry.type(description="What a settlement run did.")
class RebateSettlementRun:
    period: SettlementPeriod
    as_of: datetime = strawberry.field(description="The moment whose data it settled.")
    stage: StatementStage = strawberry.field(description="ACCRUAL before the period's end, FINAL after it.")
    created: int = strawberry.field(description="Drafts written.")
    kept: int = strawberry.field(description="Statements already approved or issued, left as they are.")
    replaced: int = strawberry.field(description="Drafts of an earlier run, replaced by this run's.")
    _statements: strawberry.Private[list[m.SettlementStatement]]

    @strawberry.field(description="The drafts written, up to `first` (at most 100); list them all with "
                      "settlementStatements(where: {status: [DRAFT], …}).")
    def statements(self, info: Info, first: int = 20) -> list[SettlementStatement]:
        limit = info.context.settings.page_size_max
        if not 1 <= first <= limit:
            raise ClientError(f"first must be between 1 and {limit}", ErrorCode.OUT_OF_RANGE, "first")
        return self._statements[:first]  # type: ignore[return-value]

    @classmethod
    def of(cls, run: SettlementRun) -> RebateSettlementRun:
        return cls(period=SettlementPeriod(kind=run.period.kind, start=run.period.start), as_of=run.as_of,
                   stage=run.stage, created=run.created, kept=run.kept, replaced=run.replaced,
                   _statements=run.statements)


@strawberry.type
class RebateSettlementRunPayload:
    run: RebateSettlementRun | None
    errors: list[MutationError]


@strawberry.type
class SettlementStatementPayload:
    settlement_statement: SettlementStatement | None
    errors: list[MutationError]


@strawberry.type
class SettlementStatementsPayload:
    settlement_statements: list[SettlementStatement] | None
    errors: list[MutationError]


@strawberry.type
class PriceChangePayload:
    price_change: PriceChange | None
    errors: list[MutationError]


@strawberry.type
class PriceProtectionClaimPayload:
    price_protection_claim: PriceProtectionClaim | None
    errors: list[MutationError]


@strawberry.type
class DealerPaymentPayload:
    dealer_payment: DealerPayment | None
    errors: list[MutationError]


@strawberry.type
class DealerStockReportPayload:
    stock_reports: list[StockReport] | None = strawberry.field(description="The rows as stored, in the order sent.")
    errors: list[MutationError]


@strawberry.type
class DealerSellOutReportPayload:
    sell_out_reports: list[SellOutReport] | None = strawberry.field(
        description="The rows as stored, in the order sent.")
    errors: list[MutationError]


@strawberry.type
class PriceViolationPayload:
    price_violation: PriceViolation | None
    errors: list[MutationError]


def _actor(info: Info) -> str:
    return info.context.principal.audit_name  # type: ignore[no-any-return]


Change = Callable[[AsyncSession, int, dict[str, Any], str], Awaitable[Any]]


async def _change(info: Info, id: strawberry.ID, type_name: str, input: Any, change: Change) -> Any:
    """Run a status change of the object named by `id` with its input; (object, errors)."""
    actor = _actor(info)

    async def use_case(session: AsyncSession) -> Any:
        data = {} if input is None else input_data(input)
        return await change(session, pk_of(id, type_name, ("id",)), data, actor)

    return await run_mutation(info, use_case)


@strawberry.type
class SettlementMutations:
    @strawberry.mutation(permission_classes=requires(P.SETTLEMENTS_RUN),
                         description="Settle a period's dealer rebates (and the campaign rebates of campaigns that "
                         "ended in it) under the published REBATE policies, for every dealer or some, as of a moment. "
                         "Before the period's end the statements are accruals; after it, final statements with their "
                         "true-up. A re-run replaces the period's drafts and never duplicates an approved or issued "
                         "statement.")
    async def rebate_settlement_run(self, info: Info, input: RebateSettlementRunInput) -> RebateSettlementRunPayload:
        actor = _actor(info)
        run, errors = await run_mutation(info, lambda s: service.run_settlement(s, input_data(input, IDS), actor))
        return RebateSettlementRunPayload(run=None if run is None else RebateSettlementRun.of(run), errors=errors)

    @strawberry.mutation(permission_classes=requires(P.SETTLEMENTS_APPROVE),
                         description="Approve a draft statement: its amounts are agreed (an accrual is booked).")
    async def settlement_statement_approve(self, info: Info, id: strawberry.ID,
                                           input: SettlementStatementTransitionInput | None = None
                                           ) -> SettlementStatementPayload:
        statement, errors = await _change(info, id, "SettlementStatement", input, service.approve_statement)
        return SettlementStatementPayload(settlement_statement=statement, errors=errors)

    @strawberry.mutation(permission_classes=requires(P.SETTLEMENTS_APPROVE),
                         description="Issue an approved final statement: paid in cash, credited or shipped as goods. "
                         "An accrual is never issued (WRONG_STATUS).")
    async def settlement_statement_issue(self, info: Info, id: strawberry.ID,
                                         input: SettlementStatementTransitionInput | None = None
                                         ) -> SettlementStatementPayload:
        statement, errors = await _change(info, id, "SettlementStatement", input, service.issue_statement)
        return SettlementStatementPayload(settlement_statement=statement, errors=errors)

    @strawberry.mutation(permission_classes=requires(P.RULES_PUBLISH, P.SETTLEMENTS_RUN),
                         description="Publish a pricing draft (a new price-list version) effective at a moment and run "
                         "price protection for the dealer prices it cuts: a claim per dealer and model with eligible "
                         "stock, under the published PRICE_PROTECTION policies.")
    async def price_change_publish(self, info: Info, input: PriceChangePublishInput) -> PriceChangePayload:
        actor = _actor(info)
        change, errors = await run_mutation(
            info, lambda s: protection.publish_price_change(s, input_data(input, IDS), actor))
        return PriceChangePayload(price_change=change, errors=errors)

    @strawberry.mutation(permission_classes=requires(P.SETTLEMENTS_APPROVE),
                         description="Approve a submitted price-protection claim (by its deadline).")
    async def price_protection_claim_approve(self, info: Info, id: strawberry.ID,
                                             input: PriceProtectionClaimDecisionInput | None = None
                                             ) -> PriceProtectionClaimPayload:
        claim, errors = await _change(info, id, "PriceProtectionClaim", input, protection.approve_claim)
        return PriceProtectionClaimPayload(price_protection_claim=claim, errors=errors)

    @strawberry.mutation(permission_classes=requires(P.SETTLEMENTS_APPROVE),
                         description="Reject a submitted price-protection claim.")
    async def price_protection_claim_reject(self, info: Info, id: strawberry.ID,
                                            input: PriceProtectionClaimDecisionInput | None = None
                                            ) -> PriceProtectionClaimPayload:
        claim, errors = await _change(info, id, "PriceProtectionClaim", input, protection.reject_claim)
        return PriceProtectionClaimPayload(price_protection_claim=claim, errors=errors)

    @strawberry.mutation(permission_classes=requires(P.SETTLEMENTS_RUN),
                         description="Put a price change's approved claims on draft PRICE_PROTECTION statements, "
                         "one per dealer and settlement form; the claims become CREDITED.")
    async def price_protection_statements_create(self, info: Info, input: PriceProtectionStatementsCreateInput
                                                 ) -> SettlementStatementsPayload:
        actor = _actor(info)

        async def use_case(session: AsyncSession) -> list[m.SettlementStatement]:
            data = input_data(input, IDS)
            return await protection.create_credit_statements(session, data["price_change_id"], actor)

        statements, errors = await run_mutation(info, use_case)
        return SettlementStatementsPayload(settlement_statements=statements, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.DEALER_RECORDS_WRITE),
                         description="Record money a dealer paid, against one of its orders (up to what it still owes) "
                         "or on account. PAID_AMOUNT rebates count what was paid by an order's due date.")
    async def dealer_payment_record(self, info: Info, input: DealerPaymentRecordInput) -> DealerPaymentPayload:
        payment, errors = await run_mutation(info, lambda s: dealer_reports.record_payment(s, input_data(input, IDS)))
        return DealerPaymentPayload(dealer_payment=payment, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.DEALER_REPORTS_WRITE),
                         description="Report a dealer's stock on hand at the end of a day, per model; a model reported "
                         "again for the same day replaces what was reported. The whole batch or nothing is stored.")
    async def dealer_stock_report(self, info: Info, input: DealerStockReportInput) -> DealerStockReportPayload:
        reports, errors = await run_mutation(info, lambda s: dealer_reports.report_stock(s, input_data(input, IDS)))
        return DealerStockReportPayload(stock_reports=reports, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.DEALER_REPORTS_WRITE),
                         description="Report a dealer's sales to stores and consumers (each row a new report). The "
                         "whole batch or nothing is stored.")
    async def dealer_sell_out_report(self, info: Info, input: DealerSellOutReportInput) -> DealerSellOutReportPayload:
        reports, errors = await run_mutation(info, lambda s: dealer_reports.report_sell_out(s, input_data(input, IDS)))
        return DealerSellOutReportPayload(sell_out_reports=reports, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=requires(P.DEALER_RECORDS_WRITE),
                         description="Record a breach of the price policy observed at a dealer; rebate policies may "
                         "exclude dealers with such records in the period.")
    async def price_violation_record(self, info: Info, input: PriceViolationRecordInput) -> PriceViolationPayload:
        violation, errors = await run_mutation(
            info, lambda s: dealer_reports.record_price_violation(s, input_data(input, IDS)))
        return PriceViolationPayload(price_violation=violation, errors=errors)  # type: ignore[arg-type]

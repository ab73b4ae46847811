"""The settlement enums, registered with GraphQL names once, before any type uses them."""

import strawberry

from schemas import dealer_reports as r
from schemas import rebates as s

strawberry.enum(s.StatementKind, name="SettlementStatementKind",
                description="DEALER_REBATE (periodic policies), PROMOTION_REBATE (a campaign's sell-in) or "
                "PRICE_PROTECTION (credits for a price cut).")
strawberry.enum(s.StatementStage, name="SettlementStatementStage",
                description="ACCRUAL during the period (the rate reached so far), FINAL after it (with the true-up).")
strawberry.enum(s.StatementStatus, name="SettlementStatementStatus",
                description="DRAFT → APPROVED → ISSUED. A re-run of a period replaces its drafts and leaves the "
                "approved and issued statements as they are.")
strawberry.enum(s.ClaimStatus, name="PriceProtectionClaimStatus",
                description="SUBMITTED → APPROVED or REJECTED; CREDITED once on a price-protection statement.")
strawberry.enum(s.SettlementForm,
                description="How a statement is paid: CASH, CREDIT against future invoices, or GOODS.")
strawberry.enum(s.Basis, name="RebateBasis",
                description="What a dealer's volume is made of: PURCHASE_AMOUNT, PAID_AMOUNT (paid by the due date) "
                "or QUANTITY.")
strawberry.enum(s.MeasureKind, name="RebateMeasure",
                description="What tiers compare: the VOLUME, TARGET_PERCENT of the sales target, or GROWTH_PERCENT "
                "over the same period last year.")
strawberry.enum(r.SellOutBuyer, description="Who bought: a STORE or CONSUMERs.")

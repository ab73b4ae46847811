"""Operations and helpers shared by the settlement API tests: every row is made through the API."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQL, data_of

ERRORS = "errors { field message code }"

DEALER_CREATE = f"""
mutation Dealer($input: DealerCreateInput!) {{ dealerCreate(input: $input) {{ dealer {{ id code }} {ERRORS} }} }}
"""
PRODUCT_CREATE = f"""
mutation Product($input: ProductCreateInput!) {{ productCreate(input: $input) {{ product {{ id model }} {ERRORS} }} }}
"""
STORE_CREATE = f"""
mutation Store($input: StoreCreateInput!) {{ storeCreate(input: $input) {{ store {{ id code }} {ERRORS} }} }}
"""
ORDER_CREATE = f"""
mutation Order($input: SalesOrderCreateInput!) {{
  salesOrderCreate(input: $input) {{ salesOrder {{ id orderNo totalFen }} {ERRORS} }}
}}
"""
ORDER_APPROVE = f"""
mutation Approve($id: ID!) {{ salesOrderApprove(id: $id) {{ salesOrder {{ id status }} {ERRORS} }} }}
"""
RULE_SET_CREATE = f"""
mutation Policy($input: RuleSetCreateInput!) {{
  ruleSetCreate(input: $input) {{ ruleSet {{ id key kind versions {{ id status }} }} {ERRORS} }}
}}
"""
RULE_SET_PUBLISH = f"""
mutation Publish($id: ID!) {{ ruleSetVersionPublish(id: $id) {{ ruleSetVersion {{ id status }} {ERRORS} }} }}
"""

STATEMENT_FIELDS = """
  id statementNo kind stage status scopeKey periodKind periodStart periodEnd settlementForm amountFen accruedFen
  trueUpFen asOf computedBy approvedBy issuedBy note rowVersion
  dealer { code }
  items {
    itemNo ruleSet ruleSetVersion ruleId policyName basis measureKind volume measure tierIndex amountFen capped
    eligible reason detail
    lines { amountFen paidFen quantity order { orderNo } claim { claimNo } }
  }
"""
SETTLEMENT_RUN = f"""
mutation Run($input: RebateSettlementRunInput!) {{
  rebateSettlementRun(input: $input) {{
    run {{ period {{ kind start }} asOf stage created kept replaced statements(first: 100) {{ {STATEMENT_FIELDS} }} }}
    {ERRORS}
  }}
}}
"""
STATEMENT_APPROVE = f"""
mutation Approve($id: ID!, $input: SettlementStatementTransitionInput) {{
  settlementStatementApprove(id: $id, input: $input) {{ settlementStatement {{ {STATEMENT_FIELDS} }} {ERRORS} }}
}}
"""
STATEMENT_ISSUE = f"""
mutation Issue($id: ID!, $input: SettlementStatementTransitionInput) {{
  settlementStatementIssue(id: $id, input: $input) {{ settlementStatement {{ {STATEMENT_FIELDS} }} {ERRORS} }}
}}
"""
STATEMENTS = f"""
query Statements($where: SettlementStatementWhereInput, $after: String) {{
  settlementStatements(first: 100, after: $after, where: $where) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ {STATEMENT_FIELDS} }} }}
  }}
}}
"""
PAYMENT_RECORD = f"""
mutation Pay($input: DealerPaymentRecordInput!) {{
  dealerPaymentRecord(input: $input) {{
    dealerPayment {{ id paymentNo amountFen receivedAt note dealer {{ code }} order {{ orderNo }} }}
    {ERRORS}
  }}
}}
"""
STOCK_REPORT = f"""
mutation Stock($input: DealerStockReportInput!) {{
  dealerStockReport(input: $input) {{
    stockReports {{ id asOf onHand dealer {{ code }} product {{ model }} }}
    {ERRORS}
  }}
}}
"""
SELL_OUT_REPORT = f"""
mutation SellOut($input: DealerSellOutReportInput!) {{
  dealerSellOutReport(input: $input) {{
    sellOutReports {{ id soldOn quantity buyer dealer {{ code }} product {{ model }} store {{ code }} }}
    {ERRORS}
  }}
}}
"""
VIOLATION_RECORD = f"""
mutation Violation($input: PriceViolationRecordInput!) {{
  priceViolationRecord(input: $input) {{
    priceViolation {{ id observedAt note dealer {{ code }} product {{ model }} }}
    {ERRORS}
  }}
}}
"""


def payload(body: dict[str, Any]) -> dict[str, Any]:
    """The payload of the one mutation field of a response without top-level errors."""
    (only,) = data_of(body).values()
    return only  # type: ignore[no-any-return]


def created(gql: GraphQL, operation: str, returns: str, /, **input: Any) -> dict[str, Any]:
    """The object (`returns`) a create mutation made; the test fails on any payload error."""
    result = payload(gql(operation, {"input": input}))
    assert result["errors"] == [], result["errors"]
    return result[returns]  # type: ignore[no-any-return]


def dealer(gql: GraphQL, code: str, parent: str | None = None, terms_days: int = 30) -> str:
    return created(gql, DEALER_CREATE, "dealer", code=code, name=f"经销商 {code}", legalRepresentative="张伟",
                   channelType="AGENT", cooperationLevel="CITY_AGENT", parentId=parent,
                   paymentTermsDays=terms_days)["id"]


def product(gql: GraphQL, model: str, price_fen: int, category: str = "AIR_CONDITIONER") -> str:
    return created(gql, PRODUCT_CREATE, "product", model=model, name=f"产品 {model}", category=category, brand="Acme",
                   listPriceFen=price_fen, warrantyMonths=36)["id"]


def store(gql: GraphQL, code: str, dealer_id: str) -> str:
    return created(gql, STORE_CREATE, "store", code=code, name=f"门店 {code}", dealerId=dealer_id, regionCode="310115",
                   address="上海市浦东新区世纪大道 100 号", latitude=31.23, longitude=121.5, manager="李娜",
                   phone="021-5555-0101")["id"]


def approved_order(gql: GraphQL, dealer_id: str, lines: list[tuple[str, int]]) -> dict[str, Any]:
    """An order placed now and approved by the brand (so that it counts): lines of (product, quantity)."""
    order = created(gql, ORDER_CREATE, "salesOrder", dealerId=dealer_id,
                    lines=[{"productId": p, "quantity": q} for p, q in lines])
    approval = payload(gql(ORDER_APPROVE, {"id": order["id"]}))
    assert approval["errors"] == [], approval["errors"]
    return order


def published_policy(gql: GraphQL, key: str, kind: str, document: dict[str, Any]) -> str:
    """Author a rule set of this kind and publish its first version; the version's id."""
    rule_set = created(gql, RULE_SET_CREATE, "ruleSet", key=key, kind=kind, name=key, document=document)
    version_id = rule_set["versions"][0]["id"]
    published = payload(gql(RULE_SET_PUBLISH, {"id": version_id}))
    assert published["errors"] == [] and published["ruleSetVersion"]["status"] == "PUBLISHED", published
    return version_id  # type: ignore[no-any-return]


def codes(result: dict[str, Any]) -> list[tuple[str | None, str]]:
    """(field, code) of each payload error, in order."""
    return [(e["field"], e["code"]) for e in result["errors"]]

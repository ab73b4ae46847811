"""A small priced world: dealers of three levels, products, a member, published rule sets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from engine.store.catalogue import Product
from engine.store.channel import Dealer
from engine.store.consumer import Member
from schemas.enums import ChannelType, CooperationLevel, MemberTier, ProductCategory
from tests.api.rules.arrange import PUBLISH, create
from tests.conftest import GraphQL, data_of

QUOTE = """
query Quote($input: PriceQuoteInput!) {
  priceQuote(input: $input) {
    quote {
      at
      lines { lineNo model quantity kind listPriceFen tierPriceFen memberPriceFen finalAmountFen
              discounts { ruleSet ruleId stage amountFen } }
      totals { listAmountFen tierAmountFen lineDiscountFen orderDiscountFen couponDiscountFen giftAmountFen finalAmountFen pointsAward }
      couponsApplied
      trace { ruleSet version ruleId outcome reason lineNo amountFen detail hint failedConditions { fact op value } }
      versions { ruleSet version digest }
    }
    errors { field message code }
  }
}
"""

PLACE = """
mutation Place($input: PricedOrderPlaceInput!) {
  pricedOrderPlace(input: $input) {
    pricedOrder { id orderRef status finalAmountFen discountFen lines { lineNo kind model quantity returnedQuantity finalAmountFen } }
    errors { field message code }
  }
}
"""

ISSUE = """
mutation Issue($input: CouponCodesIssueInput!) {
  couponCodesIssue(input: $input) { couponCodes { code campaign usageLimit usedCount } errors { field message code } }
}
"""

CODES = "{ couponCodes(first: 50) { edges { node { code usedCount } } } }"


def arrange_world(db: Engine) -> None:
    with Session(db) as s, s.begin():
        for code, level, channel in (("D-CITY", CooperationLevel.CITY_AGENT, ChannelType.AGENT),
                                     ("D-PROV", CooperationLevel.PROVINCIAL_AGENT, ChannelType.AGENT),
                                     ("D-RET", CooperationLevel.RETAILER, ChannelType.DIRECT_RETAILER)):
            s.add(Dealer(code=code, name=f"经销商 {code}", legal_representative="张伟", channel_type=channel,
                         cooperation_level=level))
        for model, category, price in (("KFR-35GW/A1", ProductCategory.AIR_CONDITIONER, 3000_00),
                                       ("XQG100-B1", ProductCategory.WASHER, 5000_00),
                                       ("65U7", ProductCategory.TV, 1000_00)):
            s.add(Product(model=model, name=model, category=category, brand="华澜", list_price_fen=price,
                          warranty_months=36, needs_installation=False))
        s.add(Member(member_no="M0001", name="王小明", mobile="13800001111", region_code="310115", tier=MemberTier.NORMAL,
                     tags=["新房装修"]))


def publish(gql: GraphQL, key: str, rules: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    rule_set = create(gql, key, {"rules": rules}, **extra)
    version = rule_set["versions"][0]
    payload = data_of(gql(PUBLISH, {"id": version["id"], "input": {}}))["ruleSetVersionPublish"]
    assert payload["errors"] == [], payload["errors"]
    return payload["ruleSetVersion"]


def quote(gql: GraphQL, lines: list[tuple[str, int]], **context: Any) -> dict[str, Any]:
    body = gql(QUOTE, {"input": {"lines": [{"model": m, "quantity": q} for m, q in lines], "context": context}})
    return data_of(body)["priceQuote"]


def place(gql: GraphQL, ref: str, lines: list[tuple[str, int]], **context: Any) -> dict[str, Any]:
    request = {"lines": [{"model": m, "quantity": q} for m, q in lines], "context": context}
    return data_of(gql(PLACE, {"input": {"orderRef": ref, "request": request}}))["pricedOrderPlace"]


def cond(fact: str, op: str, value: Any) -> dict[str, Any]:
    return {"fact": fact, "op": op, "value": value}

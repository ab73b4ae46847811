"""Worlds for the scope tests, inserted as ORM rows: what a caller may see means something only
beside rows it must not see. Two dealer trees (A and B), and two service networks (N and M).
Also a client acting with one key, and a snapshot of tables to prove a refusal changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from api.relay import global_id
from engine.store.base import Base
from engine.store.catalogue import Product
from engine.store.channel import Dealer, Store
from engine.store.consumer import Member, ProductRegistration
from engine.store.sales import SalesOrder, SalesOrderEvent, SalesOrderLine, SalesTarget
from schemas.enums import (
    ChannelType,
    CooperationLevel,
    DisplayStatus,
    MemberTier,
    PeriodKind,
    ProductCategory,
    SalesOrderStatus,
    StoreGrade,
    TargetOwner,
    WorkOrderStatus,
)
from tests.api.service.arrange import add_network, add_technician, add_work_orders, pk_of

PLACED_AT = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
PRICE_FEN = 2_999_00

# Dealer code -> parent code. Tree A is three levels deep, tree B two.
PARENTS: dict[str, str | None] = {"A": None, "A1": "A", "A11": "A1", "B": None, "B1": "B"}
TREE_A = ("A", "A1", "A11")
TREE_B = ("B", "B1")


@dataclass(frozen=True)
class DealerTrees:
    """Global ids by name. Each dealer X runs store S-X, has a placed order SO-X-P (for S-X), a
    delivered order SO-X-D, a dealer target T-X and a target T-S-X for its store."""

    dealers: dict[str, str]
    stores: dict[str, str]
    orders: dict[str, str]
    targets: dict[str, str]
    product: str

    def of_tree(self, tree: tuple[str, ...]) -> dict[str, list[str]]:
        """The global ids of a tree's objects, by kind."""
        return {
            "dealers": [self.dealers[d] for d in tree],
            "stores": [self.stores[f"S-{d}"] for d in tree],
            "orders": [self.orders[f"SO-{d}-{s}"] for d in tree for s in "PD"],
            "targets": [self.targets[t] for d in tree for t in (f"T-{d}", f"T-S-{d}")],
        }


def seed_dealer_trees(db: Engine) -> DealerTrees:
    with Session(db) as session, session.begin():
        product = Product(model="KFR-35GW", name="空调 KFR-35GW", category=ProductCategory.AIR_CONDITIONER,
                          brand="Acme", list_price_fen=PRICE_FEN, warranty_months=36, needs_installation=False)
        session.add(product)
        dealers: dict[str, Dealer] = {}
        for code, parent in PARENTS.items():  # parents come first
            dealers[code] = Dealer(code=code, name=f"经销商 {code}", legal_representative="张伟",
                                   channel_type=ChannelType.AGENT, cooperation_level=CooperationLevel.CITY_AGENT,
                                   parent_id=None if parent is None else dealers[parent].id)
            session.add(dealers[code])
            session.flush()
        stores = {f"S-{code}": _store(session, f"S-{code}", dealer) for code, dealer in dealers.items()}
        session.flush()
        orders: dict[str, SalesOrder] = {}
        for code, dealer in dealers.items():
            store = stores[f"S-{code}"]
            orders[f"SO-{code}-P"] = _order(session, f"SO-{code}-P", dealer, store, product, SalesOrderStatus.PLACED)
            orders[f"SO-{code}-D"] = _order(session, f"SO-{code}-D", dealer, None, product, SalesOrderStatus.DELIVERED)
        targets: dict[str, SalesTarget] = {}
        for code, dealer in dealers.items():
            targets[f"T-{code}"] = SalesTarget(owner_kind=TargetOwner.DEALER, dealer_id=dealer.id, **_PERIOD)
            targets[f"T-S-{code}"] = SalesTarget(owner_kind=TargetOwner.STORE, store_id=stores[f"S-{code}"].id, **_PERIOD)
        session.add_all(targets.values())
        session.flush()
        return DealerTrees(
            dealers={k: global_id("Dealer", v.id) for k, v in dealers.items()},
            stores={k: global_id("Store", v.id) for k, v in stores.items()},
            orders={k: global_id("SalesOrder", v.id) for k, v in orders.items()},
            targets={k: global_id("SalesTarget", v.id) for k, v in targets.items()},
            product=global_id("Product", product.id),
        )


_PERIOD: dict[str, Any] = {"period_kind": PeriodKind.MONTH, "period_start": date(2025, 3, 1), "amount_fen": 100_000_00}


def _store(session: Session, code: str, dealer: Dealer) -> Store:
    store = Store(code=code, name=f"门店 {code}", dealer_id=dealer.id, region_code="310115",
                  address="上海市浦东新区世纪大道 100 号", latitude=31.23, longitude=121.5, manager="李娜",
                  phone="021-5555-0101", grade=StoreGrade.A, display_status=DisplayStatus.FULL)
    session.add(store)
    return store


def _order(session: Session, order_no: str, dealer: Dealer, store: Store | None, product: Product,
           status: SalesOrderStatus) -> SalesOrder:
    order = SalesOrder(order_no=order_no, dealer_id=dealer.id, store_id=None if store is None else store.id,
                       status=status, placed_at=PLACED_AT, total_fen=PRICE_FEN,
                       lines=[SalesOrderLine(line_no=1, product_id=product.id, quantity=1,
                                             unit_price_fen=PRICE_FEN, amount_fen=PRICE_FEN)])
    session.add(order)
    session.flush()
    session.add(SalesOrderEvent(order_id=order.id, from_status=None, to_status=status, at=PLACED_AT))
    return order


@dataclass(frozen=True)
class ServiceWorld:
    """Global ids by name. Network N serves region 310101, network M region 320101.
    Members: N-resident (lives in 310101, no order), served (lives in 330101, an order in N),
    M-resident (320101, an order in M), elsewhere (440101, no order); each registered one unit.
    Work orders, all assigned: WO-N1 (served, technician N-T1), WO-N2 (N-resident, N-T2),
    WO-M1 (M-resident, M-T1)."""

    networks: dict[str, str]
    technicians: dict[str, str]
    members: dict[str, str]
    registrations: dict[str, str]
    work_orders: dict[str, str]


MEMBER_REGIONS = {"N-resident": "310101", "served": "330101", "M-resident": "320101", "elsewhere": "440101"}


def seed_service_world(db: Engine) -> ServiceWorld:
    networks = {"N": add_network(db, "N", ["310101"]), "M": add_network(db, "M", ["320101"])}
    technicians = {
        "N-T1": add_technician(db, networks["N"], "N-T1"),
        "N-T2": add_technician(db, networks["N"], "N-T2"),
        "M-T1": add_technician(db, networks["M"], "M-T1"),
    }
    with Session(db) as session, session.begin():
        product = Product(model="XQG100", name="洗衣机 XQG100", category=ProductCategory.WASHER, brand="Acme",
                          list_price_fen=PRICE_FEN, warranty_months=36, needs_installation=True)
        members = {
            name: Member(member_no=f"M-{name}", name=f"会员 {name}", mobile=f"1390000{index:04d}", region_code=region,
                         address=f"{region} 路 {index} 号", tier=MemberTier.NORMAL)
            for index, (name, region) in enumerate(MEMBER_REGIONS.items())
        }
        session.add_all([product, *members.values()])
        session.flush()
        registrations = {
            name: ProductRegistration(member_id=member.id, product_id=product.id, serial_number=f"SN-{name}",
                                      purchase_date=date(2025, 1, 10), warranty_end=date(2028, 1, 10))
            for name, member in members.items()
        }
        session.add_all(registrations.values())
        session.flush()
        member_ids = {name: m.id for name, m in members.items()}
        registration_gids = {name: global_id("ProductRegistration", r.id) for name, r in registrations.items()}
    orders = {"WO-N1": ("N", "served", "N-T1"), "WO-N2": ("N", "N-resident", "N-T2"), "WO-M1": ("M", "M-resident", "M-T1")}
    ids = add_work_orders(db, [
        {"order_no": no, "network_id": pk_of(networks[net]), "member_id": member_ids[member],
         "technician_id": pk_of(technicians[tech]), "status": WorkOrderStatus.ASSIGNED}
        for no, (net, member, tech) in orders.items()
    ])
    return ServiceWorld(
        networks=networks,
        technicians=technicians,
        members={name: global_id("Member", pk) for name, pk in member_ids.items()},
        registrations=registration_gids,
        work_orders={no: global_id("WorkOrder", pk) for no, pk in zip(orders, ids, strict=True)},
    )


Post = Callable[..., dict[str, Any]]


def acting_as(client: TestClient, key: str) -> Post:
    """Post one operation with this API key; return the whole response body."""

    def post(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = client.post("/graphql", json={"query": query, "variables": variables or {}},
                               headers={"X-API-Key": key})
        assert response.status_code == 200, response.text
        return response.json()

    return post


def snapshot(db: Engine, *models: type[Base]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of these tables, in primary-key order: equal snapshots mean nothing changed."""
    with db.connect() as c:
        return {
            m.__tablename__: [tuple(r) for r in c.execute(select(m.__table__).order_by(*m.__table__.primary_key.columns))]
            for m in models
        }

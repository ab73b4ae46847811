"""Every role against every operation: a real request with a key of that role, refused with
FORBIDDEN exactly where the table below says so, never failing with an internal error.

The table is written by hand from the roles of the access issue, not derived from
ROLE_PERMISSIONS: it is the independent expectation that mapping is checked against. Every root
Query and Mutation field must have a row, so an operation added without one fails the suite."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from api.app import create_app
from engine.access import tokens
from engine.access.passwords import hash_password
from engine.access.permissions import Role
from engine.settings import Settings
from engine.store import Base
from engine.store.access import User
from engine.store.channel import Dealer
from engine.store.session import make_sync_engine
from graphql import GraphQLSchema
from schemas.enums import ChannelType, CooperationLevel
from tests.api.access.documents import minimal_document, served_schema
from tests.api.service.arrange import add_network, add_technician, pk_of
from tests.conftest import TEST_DATABASE_URL, make_api_key

COLUMNS = (Role.ADMIN, Role.OPS_PLANNER, Role.CHANNEL_MANAGER, Role.DEALER, Role.SERVICE_AGENT, Role.TECHNICIAN,
           Role.ANALYST)

# X = allowed, . = refused (FORBIDDEN).
QUERIES = """
                         admin  ops  channel  dealer  agent  tech  analyst
# Any caller may look objects up by id and ask who it is; the row scope decides what it finds.
node                       X     X      X       X       X     X      X
nodes                      X     X      X       X       X     X      X
me                         X     X      X       X       X     X      X
# Dealers and stores: the channel side and the planners; an analyst reads everything but people.
dealers                    X     X      X       X       .     .      X
stores                     X     X      X       X       .     .      X
# The catalogue is public knowledge to every role.
products                   X     X      X       X       X     X      X
# Members and their units are personal data: planners and the service side only.
members                    X     X      .       .       X     X      .
productRegistrations       X     X      .       .       X     X      .
# Dealers' orders and targets: the channel side and analysts.
salesOrders                X     .      X       X       .     .      X
salesTargets               X     .      X       X       .     .      X
# Service networks, technicians and work orders: planners, the service side and analysts.
serviceNetworks            X     X      .       .       X     X      X
technicians                X     X      .       .       X     X      X
workOrders                 X     X      .       .       X     X      X
# Access management and the audit trail: admins only.
users                      X     .      .       .       .     .      .
apiKeys                    X     .      .       .       .     .      .
auditEvents                X     .      .       .       .     .      .
# A member's data, all of it, on the member's request: admins only.
memberExport               X     .      .       .       .     .      .
# Members' points: the service side, which serves the members.
pointsLedger               X     .      .       .       X     .      .
pointsBalance              X     .      .       .       X     .      .
# Rule sets: authored by the channel side; analysts read them.
ruleSets                   X     .      X       .       .     .      X
ruleSetVersions            X     .      X       .       .     .      X
ruleDocumentSchema         X     .      X       .       .     .      X
# Quotes: planners, the channel side and dealers (their own tree); what-if is for rule authors.
priceQuote                 X     X      X       X       .     .      .
ruleSetSimulate            X     .      X       .       .     .      .
pricedOrders               X     .      X       X       .     .      .
couponCodes                X     .      X       .       .     .      X
# Dispatch: planners and the service side (their networks) plan and read; analysts read (a
# recommendation too, it changes nothing); the stateless engine call is for planners and services.
dispatchRecommend          X     X      .       .       X     .      X
dispatchPlans              X     X      .       .       X     .      X
dispatchSolve              X     X      .       .       .     .      .
# Settlements: the channel side and analysts read everything; a dealer reads its own statements,
# claims, payments, reports and violation records (its tree).
settlementStatements       X     .      X       X       .     .      X
priceChanges               X     .      X       X       .     .      X
priceProtectionClaims      X     .      X       X       .     .      X
dealerPayments             X     .      X       X       .     .      X
stockReports               X     .      X       X       .     .      X
sellOutReports             X     .      X       X       .     .      X
priceViolations            X     .      X       X       .     .      X
"""

MUTATIONS = """
                         admin  ops  channel  dealer  agent  tech  analyst
# The distribution tree is the channel manager's; a dealer manages only its own stores.
dealerCreate               X     .      X       .       .     .      .
dealerUpdate               X     .      X       .       .     .      .
storeCreate                X     .      X       X       .     .      .
storeUpdate                X     .      X       X       .     .      .
productCreate              X     .      X       .       .     .      .
productUpdate              X     .      X       .       .     .      .
# Members are registered and changed by service agents; export and erasure are for admins.
memberCreate               X     .      .       .       X     .      .
memberUpdate               X     .      .       .       X     .      .
memberConsentSet           X     .      .       .       X     .      .
memberErase                X     .      .       .       .     .      .
productRegistrationCreate  X     .      .       .       X     .      .
productRegistrationUpdate  X     .      .       .       X     .      .
# A dealer places, edits, cancels and signs for its orders; the brand approves and ships them.
salesOrderCreate           X     .      X       X       .     .      .
salesOrderUpdate           X     .      X       X       .     .      .
salesOrderCancel           X     .      X       X       .     .      .
salesOrderSign             X     .      X       X       .     .      .
salesOrderApprove          X     .      X       .       .     .      .
salesOrderReject           X     .      X       .       .     .      .
salesOrderShip             X     .      X       .       .     .      .
salesOrderDeliver          X     .      X       .       .     .      .
salesTargetCreate          X     .      X       .       .     .      .
salesTargetUpdate          X     .      X       .       .     .      .
# Planners run the workforce; planners and service agents run work orders; technicians work them.
serviceNetworkCreate       X     X      .       .       .     .      .
serviceNetworkUpdate       X     X      .       .       .     .      .
technicianCreate           X     X      .       .       .     .      .
technicianUpdate           X     X      .       .       .     .      .
workOrderCreate            X     X      .       .       X     .      .
workOrderUpdate            X     X      .       .       X     .      .
workOrderAssign            X     X      .       .       X     .      .
workOrderCancel            X     X      .       .       X     .      .
workOrderRate              X     X      .       .       X     .      .
workOrderAccept            X     .      .       .       .     X      .
workOrderStartTravel       X     .      .       .       .     X      .
workOrderCheckIn           X     .      .       .       .     X      .
workOrderComplete          X     .      .       .       .     X      .
# Accounts and keys: admins only.
userCreate                 X     .      .       .       .     .      .
userUpdate                 X     .      .       .       .     .      .
userPasswordSet            X     .      .       .       .     .      .
apiKeyCreate               X     .      .       .       .     .      .
apiKeyRevoke               X     .      .       .       .     .      .
# Rule sets: the channel side authors, publishes and retires them.
ruleSetCreate              X     .      X       .       .     .      .
ruleSetVersionCreate       X     .      X       .       .     .      .
ruleSetVersionUpdate       X     .      X       .       .     .      .
ruleSetVersionPublish      X     .      X       .       .     .      .
ruleSetVersionRetire       X     .      X       .       .     .      .
# Orders at the engine's price: the channel side and dealers; coupon codes by rule authors.
pricedOrderPlace           X     .      X       X       .     .      .
pricedOrderReturn          X     .      X       X       .     .      .
pricedOrderCancel          X     .      X       X       .     .      .
couponCodesIssue           X     .      X       .       .     .      .
# Members' points: the service side redeems, awards activities and runs expiry.
pointsRedeem               X     .      .       .       X     .      .
pointsActivityAward        X     .      .       .       X     .      .
pointsExpire               X     .      .       .       X     .      .
# Anyone signed in may change their own password.
viewerPasswordChange       X     X      X       X       X     X      X
# Dispatch plans: planners and the service side, for their networks.
dispatchPlanCreate         X     X      .       .       X     .      .
dispatchPlanApply          X     X      .       .       X     .      .
# Settlements: the channel side runs, approves and issues them, and publishes price changes;
# dealers report their own stock and sell-out; payments and price violations are the brand's records.
rebateSettlementRun        X     .      X       .       .     .      .
settlementStatementApprove X     .      X       .       .     .      .
settlementStatementIssue   X     .      X       .       .     .      .
priceChangePublish         X     .      X       .       .     .      .
priceProtectionClaimApprove X    .      X       .       .     .      .
priceProtectionClaimReject X     .      X       .       .     .      .
priceProtectionStatementsCreate X .     X       .       .     .      .
dealerPaymentRecord        X     .      X       .       .     .      .
dealerStockReport          X     .      X       X       .     .      .
dealerSellOutReport        X     .      X       X       .     .      .
priceViolationRecord       X     .      X       .       .     .      .
"""


def parse_table(table: str) -> dict[str, frozenset[Role]]:
    """Operation -> the roles allowed, from a table of X (allowed) and . (refused) marks."""
    rows: dict[str, frozenset[Role]] = {}
    header, *lines = [line.split() for line in table.strip().splitlines() if not line.lstrip().startswith("#")]
    assert header == ["admin", "ops", "channel", "dealer", "agent", "tech", "analyst"]
    for operation, *marks in lines:
        assert len(marks) == len(COLUMNS) and set(marks) <= {"X", "."}, f"bad row for {operation}"
        assert operation not in rows, f"two rows for {operation}"
        rows[operation] = frozenset(role for role, mark in zip(COLUMNS, marks, strict=True) if mark == "X")
    return rows


EXPECTED = {"query": parse_table(QUERIES), "mutation": parse_table(MUTATIONS)}
# Operations on the caller's own account, which only a person has: sent with a login token of a
# user holding the role. Every other operation is sent with an API key of the role.
FOR_PEOPLE = {"viewerPasswordChange"}
CELLS = [(kind, operation, role) for kind, table in EXPECTED.items() for operation in table for role in COLUMNS]


@pytest.fixture(scope="module")
def database(_migrated: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One database for the whole module: the requests name rows that do not exist, and what the
    few that succeed create (an admin's dealerCreate) no other cell depends on."""
    if TEST_DATABASE_URL:
        url = _migrated
        engine = make_sync_engine(url)
        with engine.begin() as c:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            c.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    else:
        path = Path(tmp_path_factory.mktemp("matrix")) / "matrix.db"
        shutil.copy(_migrated, path)
        engine = make_sync_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def settings(database: Engine) -> Settings:
    return Settings(database_url=database.url.render_as_string(hide_password=False), crm_env="test")


@pytest.fixture(scope="module")
def app_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def credentials(app_client: TestClient, database: Engine, settings: Settings) -> dict[Role, dict[str, dict[str, str]]]:
    """Per role, the headers of an API key and of a logged-in user holding it; the scoped
    roles over a real dealer, network and technician."""
    with Session(database) as session, session.begin():
        dealer = Dealer(code="D1", name="经销商 D1", legal_representative="张伟", channel_type=ChannelType.AGENT,
                        cooperation_level=CooperationLevel.CITY_AGENT)
        session.add(dealer)
        session.flush()
        dealer_id = dealer.id
    network = add_network(database, "N1")
    technician = add_technician(database, network, "T1")
    scope: dict[Role, dict[str, Any]] = {
        Role.DEALER: {"dealer_id": dealer_id},
        Role.SERVICE_AGENT: {"network_ids": [pk_of(network)]},
        Role.TECHNICIAN: {"technician_id": pk_of(technician)},
    }
    found: dict[Role, dict[str, dict[str, str]]] = {}
    for role in COLUMNS:
        key = make_api_key(database, [role], name=f"matrix-{role.value}", **scope.get(role, {}))
        with Session(database) as session, session.begin():
            user = User(username=f"matrix-{role.value}", display_name=role.value, password_hash=hash_password("matrix-pass-1"),
                        tokens_valid_after=datetime.now(UTC) - timedelta(minutes=1), roles=[role.value], **scope.get(role, {}))
            session.add(user)
            session.flush()
            token, _ = tokens.issue(settings, user.id)
        found[role] = {"key": {"X-API-Key": key}, "person": {"Authorization": f"Bearer {token}"}}
    return found


@pytest.fixture(scope="module")
def schema(app_client: TestClient) -> GraphQLSchema:
    return served_schema(app_client.app)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["query", "mutation"])
def test_the_table_has_a_row_for_every_operation_of_the_schema(schema: GraphQLSchema, kind: str) -> None:
    # given the root fields the app serves
    root = schema.query_type if kind == "query" else schema.mutation_type
    assert root is not None

    # then the table names exactly those: none missing, none that does not exist
    served, written = set(root.fields), set(EXPECTED[kind])
    assert (sorted(served - written), sorted(written - served)) == ([], [])


@pytest.mark.parametrize(("kind", "operation", "role"), CELLS, ids=[f"{o}-{r.value}" for _, o, r in CELLS])
def test_a_role_is_refused_exactly_the_operations_it_is_not_allowed(
    app_client: TestClient, credentials: dict[Role, dict[str, dict[str, str]]], schema: GraphQLSchema, kind: str,
    operation: str, role: Role,
) -> None:
    # given a minimal valid request for the operation, with credentials of the role
    document = minimal_document(schema, kind, operation)
    headers = credentials[role]["person" if operation in FOR_PEOPLE else "key"]

    # when the role sends it
    response = app_client.post("/graphql", json={"query": document}, headers=headers)

    # then it is refused with FORBIDDEN on that field iff the table refuses it; an allowed one may
    # find nothing or report payload errors, but never FORBIDDEN nor an internal error
    assert response.status_code == 200, response.text
    errors = response.json().get("errors", [])
    codes = [e.get("extensions", {}).get("code") for e in errors]
    if role in EXPECTED[kind][operation]:
        assert not {"FORBIDDEN", "INTERNAL_ERROR"} & set(codes), errors
    else:
        assert [(e["path"], code) for e, code in zip(errors, codes, strict=True)] == [([operation], "FORBIDDEN")]

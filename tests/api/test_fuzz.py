"""Every Query and Mutation field fuzzed with schemathesis on the real app and database, as an
admin: whatever the input, the answer is data or a coded client error, never a server error."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from graphql import NameNode, ObjectFieldNode
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.graphql import nodes
from sqlalchemy import text
from starlette.testclient import TestClient

from api.app import create_app
from api.relay import NODE_MODELS, global_id
from api.sdl import schema_sdl
from engine.access.permissions import Role
from engine.demo.generate import DemoData
from engine.demo.load import load
from engine.settings import Settings
from engine.store import Base
from engine.store.session import make_sync_engine
from schemas.errors import ErrorCode
from tests.conftest import TEST_DATABASE_URL, make_api_key

pytestmark = pytest.mark.fuzz

# Examples per field: 58 fields at this count run in well under a minute on our 2-core machine.
EXAMPLES_PER_FIELD = 12
# The fuzzing admin's key is the first stored (id 1): ids the fuzzer may send skip it, so that an
# `apiKeyRevoke` cannot lock the fuzz out halfway; two more keys are there to be revoked.
ADMIN_KEY_ID = 1
KNOWN_PKS = range(1, 4)

# Global ids of rows that exist (the small demo data's first rows of every type, the two spare
# keys) beside arbitrary text, so that some inputs reach the resolvers' real work.
_EXISTING_IDS = [
    global_id(type_name, pk)
    for type_name in sorted(NODE_MODELS)
    for pk in KNOWN_PKS
    if (type_name, pk) != ("ApiKey", ADMIN_KEY_ID)
]
schemathesis.graphql.scalar("ID", st.one_of(st.sampled_from(_EXISTING_IDS), st.text(max_size=40)).map(nodes.String))
# Page sizes and other counts mostly within the bounds a client would send, extremes sometimes.
schemathesis.graphql.scalar("Int", st.one_of(st.integers(1, 100), st.integers(-(2**31), 2**31 - 1)).map(nodes.Int))
schemathesis.graphql.scalar("Fen", st.integers(min_value=-(2**70), max_value=2**70).map(nodes.Int))


def _json_literal(value: Any) -> Any:
    """A JSON value as a GraphQL literal (object keys are GraphQL names)."""
    if isinstance(value, dict):
        return nodes.Object([ObjectFieldNode(name=NameNode(value=k), value=_json_literal(v)) for k, v in value.items()])
    if isinstance(value, list):
        return nodes.List([_json_literal(v) for v in value])
    if value is None:
        return nodes.Null
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, float):
        return nodes.Float(value)
    return nodes.String(value)


# JSON arguments (a dispatch problem, a rule document): arbitrary JSON, and sometimes a small valid
# dispatch problem, so that the engine itself runs.
_SMALL_PROBLEM = {
    "travel": {"kind": "euclidean"}, "options": {"time_limit_seconds": 1},
    "technicians": [{"id": "a", "start": {"x": 0, "y": 0}, "skills": {"washer": 3}, "shifts": [{"start": 0, "end": 600}]}],
    "orders": [{"id": "o", "location": {"x": 5, "y": 0}, "skill": "washer", "duration": 30}],
    "recommend_order": "o",
}
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), inner, max_size=4),
    max_leaves=20,
)
schemathesis.graphql.scalar("JSON", st.one_of(st.just(_SMALL_PROBLEM), _JSON).map(_json_literal))

# The schema the app serves, as the SDL printer sees it (the drift test keeps it committed).
# NUL and lone surrogates are refused before validation (tests/api/test_hostile_inputs.py); left
# in, one of them in any string argument would stop most generated operations there.
CONFIG = SchemathesisConfig.from_dict({"generation": {"allow-x00": False, "codec": "utf-8"}})
SCHEMA = schemathesis.graphql.from_file(schema_sdl(), config=CONFIG)

CLIENT_CODES = frozenset(ErrorCode) - {ErrorCode.INTERNAL_ERROR}
# Answers with data per field, so the last test can tell that the fuzz reached the resolvers.
ANSWERED: Counter[str] = Counter()
SENT: Counter[str] = Counter()


@pytest.fixture(scope="module")
def fuzz_database(_migrated: str, tmp_path_factory: pytest.TempPathFactory, small: DemoData) -> str:
    """A migrated database for this module, with the small demo data."""
    if TEST_DATABASE_URL:
        url = _migrated
        engine = make_sync_engine(url)
        with engine.begin() as c:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            c.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    else:
        path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
        shutil.copy(_migrated, path)
        url = f"sqlite:///{path}"
        engine = make_sync_engine(url)
    load(engine, small)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def fuzz_client(fuzz_database: str) -> Iterator[TestClient]:
    """The real app, authenticated as an admin API key (header), on the fuzz database."""
    db = make_sync_engine(fuzz_database)
    keys = [make_api_key(db, [Role.ADMIN], name=f"fuzz-admin-{n}") for n in range(3)]
    with db.connect() as c:
        assert c.execute(text("SELECT id FROM api_keys WHERE name = 'fuzz-admin-0'")).scalar_one() == ADMIN_KEY_ID
    db.dispose()
    # The fuzz sends hundreds of requests a minute: the key's rate limit is not what is tested.
    settings = Settings(database_url=fuzz_database, crm_env="test", rate_limit_key_per_minute=1_000_000)
    with TestClient(create_app(settings), headers={"X-API-Key": keys[0]}, raise_server_exceptions=False) as client:
        yield client


def server_errors(status: int, body: Any) -> list[Any]:
    """What counts as a server error: a 5xx, a body that is not a GraphQL answer, an error
    without a client code (INTERNAL_ERROR is the masked unexpected exception), or a payload
    error coded INTERNAL_ERROR."""
    if status >= 500 or not isinstance(body, dict) or not ({"data", "errors"} & body.keys()):
        return [f"HTTP {status}: {body!r:.500}"]
    found = [e for e in body.get("errors") or [] if (e.get("extensions") or {}).get("code") not in CLIENT_CODES]
    return found + list(_internal_payload_errors(body.get("data")))


def _internal_payload_errors(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        if value.get("code") == ErrorCode.INTERNAL_ERROR.value:
            yield value
        for item in value.values():
            yield from _internal_payload_errors(item)
    elif isinstance(value, list):
        for item in value:
            yield from _internal_payload_errors(item)


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES_PER_FIELD,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_field_answers_any_input_with_a_server_error(case: Any, fuzz_client: TestClient) -> None:
    # given: a generated operation on one root field, with generated arguments
    document = case.as_transport_kwargs()["json"]

    # when: it is posted as the admin key
    response = fuzz_client.post("/graphql", json=document)
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else response.text

    # then: the answer is data or coded client errors; the key still works
    SENT[case.operation.label] += 1
    if isinstance(body, dict) and body.get("data") and not body.get("errors"):
        ANSWERED[case.operation.label] += 1
    assert response.status_code not in (401, 429), f"the fuzz lost its credentials: {body!r:.300}"
    assert server_errors(response.status_code, body) == [], f"{document['query']}\n-> {body!r:.2000}"


def test_the_fuzz_reached_the_resolvers_of_most_fields() -> None:
    # given: the fuzz above, run before this test in the same session (the module's order)
    assert SENT, "the fuzz sent nothing: run this test together with the fuzz tests of its module"

    # then: most fields answered some generated input with data (not only with refusals)
    answered = [label for label in SENT if ANSWERED[label]]
    assert len(answered) >= 0.5 * len(SENT), sorted(set(SENT) - set(answered))

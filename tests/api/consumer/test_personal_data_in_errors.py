"""Personal data stays out of error messages and logs: a refused duplicate mobile, an invalid
one, and a statement the database rejects, even with SQL logging on."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from sqlalchemy.exc import IntegrityError

from engine.store import Member
from engine.store.session import make_async_engine, make_sessionmaker, transaction
from schemas.enums import MemberTier
from tests.api.consumer.personal import (
    ADDRESS,
    CREATE_MEMBER,
    ID_NUMBER,
    MOBILE,
    create_member,
    member_input,
)
from tests.conftest import GraphQL


def test_a_duplicate_mobile_is_refused_without_the_number_in_the_response_or_the_logs(
    gql: GraphQL, caplog: pytest.LogCaptureFixture
) -> None:
    create_member(gql)
    caplog.set_level(logging.DEBUG)

    body = gql(CREATE_MEMBER, {"input": member_input(name="另一个人", memberNo="OTHER")})

    assert [(e["field"], e["code"]) for e in body["data"]["memberCreate"]["errors"]] == [("input.mobile", "DUPLICATE")]
    assert MOBILE not in json.dumps(body, ensure_ascii=False)
    assert MOBILE not in caplog.text and ID_NUMBER not in caplog.text


@pytest.mark.parametrize("mobile", ["1381234567", "23812345678", "138123456789"])
def test_an_invalid_mobile_is_refused_without_echoing_it(gql: GraphQL, caplog: pytest.LogCaptureFixture, mobile: str) -> None:
    caplog.set_level(logging.DEBUG)

    body = gql(CREATE_MEMBER, {"input": member_input(mobile=mobile)})

    assert [e["code"] for e in body["data"]["memberCreate"]["errors"]] == ["INVALID"]
    assert mobile not in json.dumps(body) and mobile not in caplog.text


def test_a_statement_the_database_rejects_leaves_no_personal_data_in_the_error_or_the_sql_log(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # echo=True logs every statement (at INFO) with its parameters, unless they are hidden
    engine = make_async_engine(database_url, echo=True)
    sessions = make_sessionmaker(engine)  # as the service makes them

    def member(no: str) -> Member:
        return Member(member_no=no, name="王小明", mobile=MOBILE, region_code="310115", address=ADDRESS,
                      id_number=ID_NUMBER, tier=MemberTier.NORMAL)

    async def insert(no: str) -> None:
        async with transaction(sessions) as session:
            session.add(member(no))

    async def scenario() -> IntegrityError:
        await insert("A1")
        try:
            await insert("A2")  # the same mobile's lookup hash: the unique index refuses it
        except IntegrityError as exc:
            return exc
        finally:
            await engine.dispose()
        raise AssertionError("the duplicate lookup hash was accepted")

    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    refused = asyncio.run(scenario())

    assert "members" in str(refused)
    assert "INSERT INTO members" in caplog.text  # the log did record the statements
    for secret in (MOBILE, ADDRESS, ID_NUMBER):
        assert secret not in str(refused) and secret not in caplog.text

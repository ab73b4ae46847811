"""Publishing a new version while quotes run: every quote is priced by exactly one version of
each rule set (v1 or v2, never a mix), and says which in `versions`."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine

from engine.services import quotes
from engine.services import rule_sets as service
from engine.store.rules import RuleSetVersion
from engine.store.session import make_async_engine, make_sessionmaker, transaction
from schemas.pricing import Quote
from tests.api.pricing.arrange import arrange_world

ACTOR = "tests"
REQUEST = {"lines": [{"model": "65U7", "quantity": 2}, {"model": "XQG100-B1", "quantity": 1}], "context": {"dealer_code": "D-CITY"}}


def promotion(percent: int) -> dict:  # type: ignore[type-arg]
    return {"rules": [
        {"id": "tv", "name": "TV", "stage": "promotion", "action": {"kind": "percent_off", "percent": str(percent)},
         "conditions": [{"fact": "category", "op": "eq", "value": "tv"}]},
        {"id": "washer", "name": "washer", "stage": "promotion", "action": {"kind": "percent_off", "percent": str(percent)},
         "conditions": [{"fact": "category", "op": "eq", "value": "washer"}]},
    ]}


def test_quotes_during_a_publication_use_one_version_each(db: Engine, database_url: str) -> None:
    arrange_world(db)

    async def scenario() -> list[Quote]:
        engine = make_async_engine(database_url)
        sessions = make_sessionmaker(engine)
        try:
            async with transaction(sessions) as s:
                rule_set = await service.create_rule_set(s, {"key": "promo", "kind": "pricing", "name": "促销",
                                                             "document": promotion(10)}, ACTOR)
            async with transaction(sessions) as s:
                first = await s.get(RuleSetVersion, 1)
                await service.publish_version(s, first.id, {}, ACTOR)  # type: ignore[union-attr]
            async with transaction(sessions) as s:
                draft = await service.create_version(s, {"rule_set_id": rule_set.id, "document": promotion(20)}, ACTOR)

            results: list[Quote] = []

            async def quoting() -> None:
                for _ in range(120):
                    async with sessions() as s:
                        results.append(await quotes.quote(s, REQUEST))
                    await asyncio.sleep(0)

            async def publishing() -> None:
                await asyncio.sleep(0.05)
                async with transaction(sessions) as s:
                    await service.publish_version(s, draft.id, {}, ACTOR)

            await asyncio.gather(quoting(), quoting(), publishing())
            return results
        finally:
            await engine.dispose()

    results = asyncio.run(scenario())

    by_version = {}
    for q in results:
        assert [(v.rule_set, v.version) for v in q.versions] in ([("promo", 1)], [("promo", 2)])
        version = q.versions[0].version
        finals = [line.final_amount_fen for line in q.lines]
        assert by_version.setdefault(version, finals) == finals  # one price per version, never a mix
        assert {t.version for t in q.trace} == {version}
    assert set(by_version) == {1, 2}, "the publication landed before or after every quote: no overlap tested"
    assert by_version[1] != by_version[2]

"""The migrations build exactly the schema the ORM models describe, and can be undone and redone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from engine.store import Base
from engine.store.migrate import alembic_config, upgrade
from engine.store.session import make_sync_engine


def schema_differences(engine: Engine) -> list[Any]:
    """What autogenerate would write to bring the database to the models (empty when in step)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "compare_server_default": False, "render_as_batch": engine.dialect.name == "sqlite"},
        )
        return list(compare_metadata(context, Base.metadata))


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def test_a_database_migrated_to_head_matches_the_models(db: Engine) -> None:
    # given: the test database, migrated from empty to head by the fixtures

    # when: autogenerate compares it with the models
    differences = schema_differences(db)

    # then
    assert differences == []
    assert current_revision(db) == head_revision(str(db.url))


def test_every_model_table_exists_after_the_migrations(db: Engine) -> None:
    tables = set(inspect(db).get_table_names())

    assert set(Base.metadata.tables) <= tables


def test_downgrade_to_base_then_upgrade_to_head_restores_the_schema(tmp_path: Path) -> None:
    # given: a throw-away SQLite database at head
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    upgrade(url)
    engine = make_sync_engine(url)
    try:
        # when: every migration is undone
        command.downgrade(alembic_config(url), "base")
        after_downgrade = set(inspect(engine).get_table_names()) - {"alembic_version"}
        revision_at_base = current_revision(engine)

        # and: redone
        upgrade(url)

        # then
        assert after_downgrade == set()
        assert revision_at_base is None
        assert current_revision(engine) == head_revision(url)
        assert schema_differences(engine) == []
    finally:
        engine.dispose()

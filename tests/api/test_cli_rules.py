"""`crm-engine rules`: check a YAML or JSON document, import it as a draft (publishing it on
request), export the documents' JSON Schemas."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from api.cli import app
from engine.settings import get_settings
from engine.store.rules import RuleSetVersion

DOCUMENT = """
rules:
  - id: ac-10
    name: 空调 9 折
    stage: promotion
    conditions:
      - {fact: category, op: eq, value: air_conditioner}
    action: {kind: percent_off, percent: 10}
"""
BROKEN = """
rules:
  - id: ac-10
    name: 空调
    stage: tier
    conditions:
      - {fact: colour, op: eq, value: red}
    action: {kind: percent_off, percent: 10}
"""
REBATE_DOCUMENT = """
policies:
  - id: quarterly-purchase
    name: 季度进货返利
    period: quarter
    tiers:
      - {at_least: 2000000, percent: 1}
      - {at_least: 10000000, percent: 2}
    eligibility:
      - {fact: overdue_fen, op: lte, value: 0}
    scope:
      - {fact: category, op: eq, value: air_conditioner}
"""
REBATE_BROKEN = """
policies:
  - id: quarterly-purchase
    name: 季度进货返利
    period: quarter
    tiers:
      - {at_least: 10000000, percent: 2}
      - {at_least: 2000000, percent: 1}
    eligibility:
      - {fact: colour, op: eq, value: red}
"""
REBATE_MISSHAPEN = """
policies:
  - id: quarterly-purchase
    period: quarter
    tiers:
      - {at_least: 0, percent: 1, amount_fen: 100}
"""
PROTECTION_DOCUMENT = """
policies:
  - id: protect-30d
    name: 调价保护
    window_days: 30
    claim_days: 30
    cap_fen: 20000000
    scope:
      - {fact: category, op: eq, value: air_conditioner}
"""
PROTECTION_BROKEN = """
policies:
  - id: protect-30d
    name: 调价保护
    window_days: 30
    eligibility:
      - {fact: colour, op: eq, value: red}
    scope:
      - {fact: model, op: has, value: KFR-35}
"""
PROTECTION_MISSHAPEN = """
policies:
  - id: protect-30d
    name: 调价保护
    window_days: 0
"""


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_check_accepts_a_valid_yaml_document(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["rules", "check", str(write(tmp_path, "ok.yaml", DOCUMENT)), "--kind", "pricing"])

    assert result.exit_code == 0, result.output
    assert "a valid pricing document" in result.stdout


def test_check_lists_every_problem_with_its_path(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["rules", "check", str(write(tmp_path, "bad.yaml", BROKEN)), "--kind", "pricing"])

    assert result.exit_code == 1
    assert "document.rules.0.action.kind" in result.stderr and "document.rules.0.conditions.0.fact" in result.stderr


@pytest.mark.parametrize(("kind", "document"), [
    ("rebate", REBATE_DOCUMENT),
    ("price_protection", PROTECTION_DOCUMENT),
])
def test_check_accepts_a_valid_settlement_policy_document(tmp_path: Path, kind: str, document: str) -> None:
    result = CliRunner().invoke(app, ["rules", "check", str(write(tmp_path, "ok.yaml", document)), "--kind", kind])

    assert result.exit_code == 0, result.output
    assert f"a valid {kind} document" in result.stdout


@pytest.mark.parametrize(("kind", "document", "paths"), [
    ("rebate", REBATE_BROKEN, ["document.policies.0.tiers.1.at_least", "document.policies.0.eligibility.0.fact"]),
    ("rebate", REBATE_MISSHAPEN, ["document.policies.0.name", "document.policies.0.tiers.0"]),
    ("price_protection", PROTECTION_BROKEN,
     ["document.policies.0.eligibility.0.fact", "document.policies.0.scope.0.op"]),
    ("price_protection", PROTECTION_MISSHAPEN, ["document.policies.0.window_days"]),
])
def test_check_refuses_a_broken_settlement_policy_document_on_its_paths(
    tmp_path: Path, kind: str, document: str, paths: list[str]
) -> None:
    result = CliRunner().invoke(app, ["rules", "check", str(write(tmp_path, "bad.yaml", document)), "--kind", kind])

    assert result.exit_code == 1
    for path in paths:
        assert f"error: {path}:" in result.stderr, result.stderr


def test_import_stores_a_draft_then_a_published_next_version(tmp_path: Path, db: Engine, environment: None) -> None:
    path = write(tmp_path, "promo.json", json.dumps({"rules": [{"id": "tv-5", "name": "TV", "stage": "promotion",
                                                                "action": {"kind": "percent_off", "percent": 5}}]}))

    first = CliRunner().invoke(app, ["rules", "import", str(path), "--key", "promo", "--kind", "pricing"])
    second = CliRunner().invoke(app, ["rules", "import", str(path), "--key", "promo", "--kind", "pricing", "--publish"])

    assert first.exit_code == 0 and "promo version 1: draft" in first.stdout, first.output
    assert second.exit_code == 0 and "promo version 2: published" in second.stdout, second.output
    with db.connect() as c:
        assert [(v.version, v.status.value) for v in c.execute(select(RuleSetVersion).order_by(RuleSetVersion.version))] == [
            (1, "draft"), (2, "published")]


def test_export_schema_writes_schemas_that_validate_documents(tmp_path: Path) -> None:
    import yaml

    result = CliRunner().invoke(app, ["rules", "export-schema", "--output", str(tmp_path)])

    assert result.exit_code == 0, result.output
    schema = json.loads((tmp_path / "pricing.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(yaml.safe_load(DOCUMENT), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"rules": [{"id": "x"}]}, schema)
    assert (tmp_path / "loyalty.schema.json").exists()

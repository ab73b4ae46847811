"""Settings read once from the environment, with safe defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Service configuration; every field maps to an upper-case environment variable."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'crm.db'}"
    crm_env: Literal["development", "production", "test"] = "development"
    # The brand's calendar: business dates (purchase, warranty end, "today") are dates here.
    brand_time_zone: str = "Asia/Shanghai"
    host: str = "127.0.0.1"
    port: int = 8000
    # GraphQL limits: generous for planners' queries, tight enough to stop abuse.
    max_query_depth: int = 12
    max_query_tokens: int = 2000
    max_query_aliases: int = 30
    page_size_max: int = 100

    @property
    def production(self) -> bool:
        return self.crm_env == "production"


@lru_cache
def get_settings() -> Settings:
    return Settings()

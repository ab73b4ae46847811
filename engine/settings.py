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
    # Cost of one operation: each field 1, a connection's selection multiplied by its page size.
    max_query_cost: int = 100_000
    # The cyclic collector's young threshold (CPython's default is 700): engine.heap says why.
    gc_gen0_threshold: int = 10_000

    # Secrets. Data keys: "kid:base64 of 32 bytes" entries separated by commas; the active one
    # (data_key_id, default the first) encrypts, every listed one decrypts, so keys can rotate.
    # Unset in development and test: fixed development keys are used (never in production).
    crm_data_keys: str | None = None
    crm_data_key_id: str | None = None
    crm_index_key: str | None = None  # base64 of 32 bytes: keyed hash for exact mobile lookup
    crm_token_secret: str | None = None  # signs login tokens (HS256)
    token_ttl_minutes: int = 30
    # Requests per minute; an API key may carry its own figure.
    rate_limit_user_per_minute: int = 600
    rate_limit_key_per_minute: int = 1200
    login_attempts_per_minute: int = 10

    @property
    def production(self) -> bool:
        return self.crm_env == "production"

    def require_secrets(self) -> None:
        """Production refuses to start on development keys."""
        missing = [n for n in ("crm_data_keys", "crm_index_key", "crm_token_secret") if not getattr(self, n)]
        if self.production and missing:
            raise RuntimeError(f"production needs {', '.join(n.upper() for n in missing)} in the environment")


@lru_cache
def get_settings() -> Settings:
    return Settings()

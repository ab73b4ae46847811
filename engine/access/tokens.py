"""Short-lived signed login tokens (JWT, HS256) for people; services use API keys."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from engine.settings import Settings

ALGORITHM = "HS256"
AUDIENCE = "crm-engine"


class TokenError(Exception):
    """Expired, tampered or malformed; the message is safe to show."""


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    issued_at: datetime
    expires_at: datetime


def _secret(settings: Settings) -> str:
    settings.require_secrets()
    # Outside production a fixed development secret: tokens survive a restart of `make run`.
    return settings.crm_token_secret or hashlib.sha256(b"crm-engine development token").hexdigest()


def issue(settings: Settings, user_id: int, now: datetime | None = None) -> tuple[str, datetime]:
    issued = now or datetime.now(UTC)
    expires = (issued + timedelta(minutes=settings.token_ttl_minutes)).replace(microsecond=0)
    # `iat` is whole seconds (RFC 7519); `iat_us` keeps the instant exactly, so a password change
    # ends the tokens issued before it even within the same second, and not the next login's.
    micros = int(issued.timestamp()) * 1_000_000 + issued.microsecond
    claims = {"sub": str(user_id), "iat": issued.replace(microsecond=0), "iat_us": micros, "exp": expires,
              "aud": AUDIENCE, "typ": "access"}
    return jwt.encode(claims, _secret(settings), algorithm=ALGORITHM), expires


def verify(settings: Settings, token: str) -> TokenClaims:
    try:
        claims = jwt.decode(
            token, _secret(settings), algorithms=[ALGORITHM], audience=AUDIENCE,
            options={"require": ["sub", "iat", "exp", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("the token has expired; log in again") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("the token is not valid") from exc
    micros = claims.get("iat_us")
    if claims.get("typ") != "access" or not str(claims["sub"]).isdigit() or not isinstance(micros, int):
        raise TokenError("the token is not valid")
    return TokenClaims(
        user_id=int(claims["sub"]),
        issued_at=datetime.fromtimestamp(micros // 1_000_000, UTC).replace(microsecond=micros % 1_000_000),
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
    )

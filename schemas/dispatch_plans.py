"""Contracts of the stored dispatch plans: what a planner asks for when making one."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PlanRequest(BaseModel):
    """A batch plan for one service network's day (the day in the network's time zone)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    network: int = Field(description="the service network's primary key")
    date: date
    mode: Literal["assign", "route"] = "route"
    time_limit: float = Field(default=10.0, gt=0, le=600, description="seconds")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)

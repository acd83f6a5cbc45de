"""A shop's insight settings, read from `tenant.settings`.

* `settings["insights"]["sample_share"]` — the share of customer questions copied (redacted)
  into the review inbox, 0 to 1 (default 0.10). Questions the bot did not understand or answered
  with low confidence are always copied, unless the share is 0 (the sample is off).
* `settings["retention"]["sample_days"]` — days a sample item is kept (default 90).
* `settings["retention"]["statistics_months"]` — months statistics events are kept (default 25).

The retention keys are the ones the admin's retention settings page writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from samtale.model import Tenant

DEFAULT_SAMPLE_SHARE = 0.10
DEFAULT_SAMPLE_DAYS = 90
DEFAULT_STATISTICS_MONTHS = 25


class SampleSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sample_share: float = Field(default=DEFAULT_SAMPLE_SHARE, ge=0.0, le=1.0)


class InsightRetention(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sample_days: int = Field(default=DEFAULT_SAMPLE_DAYS, ge=1, le=3650)
    statistics_months: int = Field(default=DEFAULT_STATISTICS_MONTHS, ge=1, le=120)


@dataclass(frozen=True)
class InsightSettings:
    sample_share: float = DEFAULT_SAMPLE_SHARE
    sample_days: int = DEFAULT_SAMPLE_DAYS
    statistics_months: int = DEFAULT_STATISTICS_MONTHS


def _section(tenant: Tenant, key: str) -> dict[str, Any]:
    value = (tenant.settings or {}).get(key)
    return value if isinstance(value, dict) else {}


def insight_settings(tenant: Tenant) -> InsightSettings:
    """The tenant's settings; a broken section falls back to the defaults."""
    try:
        sample = SampleSettings.model_validate(_section(tenant, "insights"))
    except ValidationError:
        sample = SampleSettings()
    try:
        retention = InsightRetention.model_validate(_section(tenant, "retention"))
    except ValidationError:
        retention = InsightRetention()
    return InsightSettings(sample.sample_share, retention.sample_days, retention.statistics_months)


def tenant_zone(tenant: Tenant) -> ZoneInfo:
    try:
        return ZoneInfo(tenant.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")

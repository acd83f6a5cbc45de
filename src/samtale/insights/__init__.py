"""Insights without personal data: statistics events and figures, the improvement sample and its
review inbox, and the bot's evaluation across versions."""

from samtale.insights.events import Event, record
from samtale.insights.service import InsightsService
from samtale.insights.stats import Figures, Stats

__all__ = ["Event", "Figures", "InsightsService", "Stats", "record"]

"""Plugging the features together for a real server: the bot registry with the shop's actions,
the turn hooks of privacy and statistics, background jobs. The one module that knows them all;
`server.py`, the `samtale` command and end-to-end tests build runtimes through it."""

from __future__ import annotations

from typing import Any

from samtale.bot.actions import ActionRegistry
from samtale.bot.registry import BotRegistry
from samtale.clock import Clock, IdSource
from samtale.config import Settings
from samtale.runtime import Runtime


def bot_services(runtime: Runtime) -> dict[str, Any]:
    """What actions may use: the database, clock, rate limiter, settings; and the handoff, which
    answers "talk to a person" with the pre-chat form (or, when nobody is there, when the team is
    back and the offline-message form)."""
    from samtale.live.service import LiveService

    return {
        "db": runtime.db,
        "clock": runtime.clock,
        "limiter": runtime.limiter,
        "settings": runtime.settings,
        "hub": runtime.hub,
        "handoff": LiveService.of(runtime).offer,
    }


def action_registry(runtime: Runtime, services: dict[str, Any]) -> ActionRegistry:
    registry = ActionRegistry()
    try:
        from samtale.shop.wiring import register_shop_actions
    except ImportError:  # the shop integration is optional for a bot
        return registry
    register_shop_actions(registry, runtime, services)
    return registry


def bot_registry(runtime: Runtime) -> BotRegistry:
    services = bot_services(runtime)
    return BotRegistry(
        runtime.db,
        runtime.settings.data_dir / "models",
        actions=action_registry(runtime, services),
        services=services,
    )


def build_runtime(
    settings: Settings, *, clock: Clock | None = None, ids: IdSource | None = None, **kwargs: Any
) -> Runtime:
    """A runtime with every feature plugged in."""
    from samtale.insights.service import InsightsService

    runtime = Runtime.build(settings, clock=clock, ids=ids, responders=bot_registry, **kwargs)
    # Statistics events and the improvement sample (turn hooks, the live chat's events).
    InsightsService.of(runtime)
    return runtime

"""Talking to a person: the handoff from the bot, the pre-chat form, the queue, presence,
claims, the live chat, transfer, close and rating, the idle close and the requeue of chats whose
agent's connection is gone, a customer ending their conversation to start a new one (`Ending`),
the staff's internal notes (`StaffNotes`), and messages left while nobody is available.

Design choices:

* **The database decides.** A claim is one conditional `UPDATE handoffs … WHERE status =
  'queued'` (after a row lock on the agent's presence, so their capacity holds): of two agents
  clicking at once — on one instance or on two — exactly one changes the row; the other gets
  `AlreadyClaimed` with the winner's name. Leaving, closing, transferring and requeueing are
  conditional updates the same way, so a background sweep running on every instance at once
  does each thing once.
* **Everything live goes through the hub.** After each committed change the conversation's
  channel (`conv:<id>`: messages, `state`, `queue` position and wait) and the tenant's channel
  (`tenant:<id>`: `queue`, `assigned`, `released`, `presence`, `offline_message`) hear of it,
  in-process or through Redis.
* **Presence is a heartbeat.** Consoles beat every 20 seconds; an agent unheard of for a minute
  counts as offline for routing, and after the tenant's grace period their live chats go back to
  the front of the queue.
* **The customer's words stay with the case.** Pre-chat answers and offline messages are stored
  in their own columns only, indexed for deletion requests as keyed hashes, shown in the
  customer's transcript (a section provider), and audited whenever an agent views them.
* **Time is injected.** Opening hours, waits, the idle close and the requeue read `clock`; tests
  drive `sweep()` with a manual clock.
"""

from __future__ import annotations

from samtale.live.base import Agent, Availability, HandoffStatus, SweepReport, VisitorActivity
from samtale.live.customers import CustomerSide
from samtale.live.ending import Ending
from samtale.live.notes import StaffNotes
from samtale.live.sweep import Sweeper
from samtale.live.views import ConsoleViews

__all__ = [
    "Agent",
    "Availability",
    "HandoffStatus",
    "LiveService",
    "SweepReport",
    "VisitorActivity",
]


class LiveService(Sweeper, Ending, CustomerSide, ConsoleViews, StaffNotes):
    """The live chat of one instance: the customer's side, the agents' side, the console's
    views, the staff's internal notes and the sweep, over one database and hub."""

"""The customer ends their conversation to start a new one ("New conversation" in the widget's
gear menu), politely: a request waiting in the queue leaves it, and a live chat is closed with
a line that tells the agent why the customer is gone (outcome `no_response`, as when a
customer goes quiet: the agent did not get to decide). The conversation itself stays as it is,
kept and deleted by the shop's retention rules like any other.
"""

from __future__ import annotations

import uuid

from samtale.live import queries
from samtale.live.agents import AgentSide
from samtale.live.customers import CustomerSide
from samtale.live.errors import WrongState
from samtale.live.texts import text


class Ending(CustomerSide, AgentSide):
    async def end_by_customer(self, tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
        """Leave the queue or close the live chat, whichever applies; nothing otherwise."""
        async with self.db.session() as session:
            await self._conversation(session, tenant_id, conversation_id)
            h = await queries.current(session, tenant_id, conversation_id)
        if h is None:
            return
        if h.status == "queued":
            try:
                await self.leave(tenant_id, conversation_id)
            except WrongState:  # taken or left meanwhile: look again
                await self.end_by_customer(tenant_id, conversation_id)
        elif h.status == "live":
            await self._close(tenant_id, h, "no_response", text("ended_by_customer", h.language))

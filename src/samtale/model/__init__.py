"""SQLAlchemy tables, one module per aggregate. Importing this package registers them all."""

from samtale.model.admin import AccountToken, BotPublishJob
from samtale.model.attachment import Attachment, AttachmentBlob
from samtale.model.audit import AuditEntry
from samtale.model.auth import UserSession
from samtale.model.base import Base, table_of
from samtale.model.bot import BotContentVersion
from samtale.model.conversation import Conversation, Message
from samtale.model.insights import InsightDaily, InsightEvent, InsightHourly, SampleItem
from samtale.model.knowledge import KnowledgePage, KnowledgePassage, KnowledgeSource
from samtale.model.live import AgentPresence, ConversationNote, Handoff, OfflineMessage
from samtale.model.privacy import ConversationIdentifier
from samtale.model.shop import ShopCatalogue, ShopDemoSeed, ShopOrder, ShopProduct, ShopShipment
from samtale.model.tenant import Tenant
from samtale.model.user import User

__all__ = [
    "AccountToken",
    "AgentPresence",
    "Attachment",
    "AttachmentBlob",
    "AuditEntry",
    "Base",
    "BotContentVersion",
    "BotPublishJob",
    "Conversation",
    "ConversationIdentifier",
    "ConversationNote",
    "Handoff",
    "InsightDaily",
    "InsightEvent",
    "InsightHourly",
    "KnowledgePage",
    "KnowledgePassage",
    "KnowledgeSource",
    "Message",
    "OfflineMessage",
    "SampleItem",
    "ShopCatalogue",
    "ShopDemoSeed",
    "ShopOrder",
    "ShopProduct",
    "ShopShipment",
    "Tenant",
    "User",
    "UserSession",
    "table_of",
]

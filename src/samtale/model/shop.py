"""The shops' data in Samtale's own tables: the built-in demo shop's products, orders and
shipments, and the catalogues synced from connected platforms (Shopify, WooCommerce, Magento),
per tenant.

Orders and shipments are the demo shop's only (a real shop answers them from its own system).
Products are the demo's, or a connected platform's synced catalogue; `ShopCatalogue` records
each tenant's last sync (the marker that tells the product index to rebuild, and the newest
change seen, from which the next incremental sync starts). Each row keeps the connector's model as JSON (`data`, the
same shape `shop.models` validates) beside the columns it is looked up by. Deleting a tenant
deletes its shop; deleting an order deletes its shipments (database cascades).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from samtale.model.base import Base, JSONType


class ShopProduct(Base):
    __tablename__ = "shop_products"
    __table_args__ = (UniqueConstraint("tenant_id", "sku"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)


class ShopOrder(Base):
    __tablename__ = "shop_orders"
    __table_args__ = (UniqueConstraint("tenant_id", "order_number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    order_number: Mapped[str] = mapped_column(String(64))
    # Trimmed and lower-cased; compared in constant time after the look-up by order number.
    email: Mapped[str] = mapped_column(String(320))
    placed_at: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)


class ShopShipment(Base):
    __tablename__ = "shop_shipments"
    __table_args__ = (UniqueConstraint("tenant_id", "tracking_number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shop_orders.id", ondelete="CASCADE"), index=True
    )
    tracking_number: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)


class ShopDemoSeed(Base):
    """Which generation of the demo data a tenant holds, so seeding runs once per version."""

    __tablename__ = "shop_demo_seeds"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    seed: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(32))
    products: Mapped[int] = mapped_column(Integer)
    orders: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class ShopCatalogue(Base):
    """A connected shop's synced catalogue: when it was last synced and what changed last."""

    __tablename__ = "shop_catalogues"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    platform: Mapped[str] = mapped_column(String(32))
    products: Mapped[int] = mapped_column(Integer)
    # The newest `updated_at` of a product seen; the next incremental sync asks from here.
    last_updated_at: Mapped[datetime | None]
    synced_at: Mapped[datetime]
    full_synced_at: Mapped[datetime | None]

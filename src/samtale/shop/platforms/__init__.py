"""Native connectors for shop platforms (Shopify, WooCommerce, Magento) behind `ShopConnector`."""

from samtale.shop.platforms.common import ShopCheck
from samtale.shop.platforms.magento import MagentoConfig, MagentoConnector
from samtale.shop.platforms.shopify import ShopifyConfig, ShopifyConnector
from samtale.shop.platforms.woocommerce import WooCommerceConfig, WooCommerceConnector

__all__ = [
    "MagentoConfig",
    "MagentoConnector",
    "ShopCheck",
    "ShopifyConfig",
    "ShopifyConnector",
    "WooCommerceConfig",
    "WooCommerceConnector",
]

"""Native connectors for shop platforms (Shopify, WooCommerce, Magento) behind `ShopConnector`."""

from samtale.shop.platforms.shopify import ShopifyConfig, ShopifyConnector

__all__ = ["ShopifyConfig", "ShopifyConnector"]

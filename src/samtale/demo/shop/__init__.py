"""The built-in demo shop, Nordhjem: generated catalogue and orders, stored per tenant."""

"""Shop integration: the connector protocol, the built-in demo shop, the HTTP connector."""

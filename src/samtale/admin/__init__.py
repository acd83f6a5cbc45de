"""The admin pages' services: the bot builder's drafts, publishing, the try-it chat, settings,
the team, and the operator's tenants."""

"""Conversations: starting them, storing messages as written, asking the responder for replies,
and publishing every change to the hub."""

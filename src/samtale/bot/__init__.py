"""The bot: language detection, intent classification, dialogue and flows, content."""

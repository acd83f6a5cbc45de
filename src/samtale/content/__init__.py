"""Built-in bot content: `demo/` is the demo shop's intents, flows and system messages (YAML)."""

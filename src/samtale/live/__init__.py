"""Live chat: the real-time hub; later the handoff, queue, presence and routing."""

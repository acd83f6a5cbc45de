"""Where the demo shop's bot content lives: YAML files in `demo/content/`, merged in name order."""

from pathlib import Path

DEMO_CONTENT_DIR = Path(__file__).resolve().parent / "content"

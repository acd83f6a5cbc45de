"""The bot's evaluation across versions: what the admin's publishing records for each version
(cross-validated accuracy and macro-F1 per language, F1 per intent, confused pairs, and the
accuracy on examples that came from reviewed customer questions), put in order, with the
intents whose F1 dropped against the version before flagged.

Reviewed questions are real questions the bot had not trained on before they were reviewed; in
the cross-validation each is predicted by a model that did not see it, so their accuracy says how
well the bot handles real wording, not just the examples a shop wrote.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

# A drop of at least this much F1 is flagged.
DROP = 0.05


class IntentDrop(BaseModel):
    intent: str
    before: float
    after: float
    change: float


class VersionEvaluation(BaseModel):
    version: int
    status: str
    published_at: datetime | None
    accuracy: float
    macro_f1: float
    examples: int
    languages: dict[str, dict[str, float]]
    intents: dict[str, float]
    confused: list[dict[str, Any]]
    reviewed: dict[str, float] | None = Field(
        description="accuracy and rows on the examples that came from reviewed questions"
    )
    dropped: list[IntentDrop] = Field(
        description="intents whose F1 dropped against the version before"
    )


class EvaluationHistory(BaseModel):
    versions: list[VersionEvaluation] = Field(description="oldest first")
    reviewed_right: int = Field(description="reviewed questions the live bot had guessed right")
    reviewed_total: int


def dropped(before: dict[str, float], after: dict[str, float]) -> list[IntentDrop]:
    out = [
        IntentDrop(
            intent=name,
            before=before[name],
            after=f1,
            change=round(f1 - before[name], 4),
        )
        for name, f1 in after.items()
        if name in before and before[name] - f1 >= DROP
    ]
    return sorted(out, key=lambda d: (d.change, d.intent))


def history(rows: list[tuple[Any, dict[str, Any]]]) -> list[VersionEvaluation]:
    """(content version row, evaluation) pairs, oldest first, as the history."""
    out: list[VersionEvaluation] = []
    previous: dict[str, float] | None = None
    for row, ev in rows:
        intents = {str(k): float(v) for k, v in (ev.get("intents") or {}).items()}
        reviewed = (ev.get("subsets") or {}).get("reviewed")
        out.append(
            VersionEvaluation(
                version=row.version,
                status=row.status,
                published_at=row.published_at,
                accuracy=float(ev.get("accuracy", 0.0)),
                macro_f1=float(ev.get("macro_f1", 0.0)),
                examples=int(ev.get("rows", 0)),
                languages=ev.get("languages") or {},
                intents=intents,
                confused=list(ev.get("confused") or []),
                reviewed=dict(reviewed) if reviewed else None,
                dropped=dropped(previous, intents) if previous is not None else [],
            )
        )
        previous = intents
    return out

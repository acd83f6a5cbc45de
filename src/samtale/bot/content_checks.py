"""Checks of a bot's content beyond its schema: missing answers and prompts per language, too
few examples, one example in two intents. The content command, the bot builder and publishing
all use them."""

from __future__ import annotations

from samtale.bot.content import Content


def content_problems(content: Content) -> tuple[list[str], list[str]]:
    """(errors, warnings) beyond what the schema checks."""
    errors: list[str] = []
    warnings: list[str] = []
    seen: dict[str, str] = {}
    for intent in content.intents:
        for lang in content.languages:
            from_data = bool(intent.action) and intent.answer_from != "text"
            if not intent.answers.get(lang) and not from_data and not intent.flow:
                errors.append(f"intent {intent.name}: no answer in {lang}")
            elif not intent.answers.get(lang):
                warnings.append(
                    f"intent {intent.name}: no answer in {lang} (used when the action is unavailable)"
                )
            if len(intent.examples.get(lang, [])) < 5:
                warnings.append(
                    f"intent {intent.name}: only {len(intent.examples.get(lang, []))} examples in {lang}"
                )
        for lang, texts in intent.examples.items():
            for text in texts:
                key = " ".join(text.lower().split())
                if key in seen and seen[key] != intent.name:
                    errors.append(
                        f"example {text!r} ({lang}) is in both {seen[key]} and {intent.name}"
                    )
                seen[key] = intent.name
    for flow in content.flows:
        for slot in flow.slots:
            for lang in content.languages:
                if lang not in slot.prompt or lang not in slot.reprompt:
                    errors.append(
                        f"flow {flow.name}, slot {slot.name}: no prompt or re-prompt in {lang}"
                    )
    for key in (
        "fallback_rephrase",
        "fallback_offer_person",
        "flow_cancelled",
        "action_unavailable",
    ):
        for lang in content.languages:
            if lang not in content.messages.get(key, {}):
                warnings.append(f"message {key}: missing in {lang}")
    return errors, warnings

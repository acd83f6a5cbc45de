"""The dialogue engine: from a customer's message to the bot's replies.

One turn:
1. decide the language (`language.py`: short messages never flip it);
2. inside a flow, try the message as the value of the slot being asked for; "stop"/"annuller"
   ends the flow; a message that is clearly about something else switches topic; anything else
   gets the slot's re-prompt, and after too many the flow gives up and offers a person;
3. otherwise classify: a quick-reply intent wins outright, a bare order or tracking number starts
   its flow, the classifier's intent is answered (fixed answers, a flow, or an action with live
   data), and a message the classifier rejects is a fallback — the first asks to rephrase and
   suggests the closest topics, the second in a row offers a person. Before the classifier, an
   action that answered a few turns ago may take the message as a follow-up to its answer
   ("hvad koster den?" after product cards: `FollowsUp`); after it, an action may recognise a
   message the classifier rejected by the shop's own data ("har I Plaid Rauma?": `ClaimsMessage`).

All state lives in `conversation.bot_state` (a JSON dict the conversation service stores with
the turn), so a page reload or another server instance continues the same dialogue. Answer
variants are chosen by a generator seeded with the conversation id and turn number: varied for
customers, reproducible in tests. Each turn leaves `notes` (intent, confidence band,
outcome, flow, and `flow_started` / `abandoned_flow` when a flow begins or is given up) for
statistics — never the text.
"""

from __future__ import annotations

import asyncio
import random
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Protocol

from samtale.bot import entities
from samtale.bot.actions import ActionContext, ActionRegistry, ActionResult, HandoffOffer
from samtale.bot.content import HANDOFF_ACTION, Button, Content, Flow, Intent, Slot, localized
from samtale.bot.feelings import sounds_dissatisfied
from samtale.bot.knowledge import KnowledgeAnswerer, KnowledgeReply, QueryVector
from samtale.bot.language import decide_language, word_count
from samtale.bot.profile import ShopProfile
from samtale.conversations.responder import ConversationContext, IncomingMessage, Reply
from samtale.kernel.i18n import catalogue
from samtale.kernel.logs import get_logger
from samtale.kernel.patterns import PatternError, compile_pattern

log = get_logger(__name__)

CANCEL_WORDS = frozenset(
    "stop stopp cancel annuller annullér afbryd fortryd avbryt avbryt peruuta lopeta keskeytä quit exit".split()
)
CANCEL_PHRASES = (
    "glem det",
    "glöm det",
    "glem det",
    "unohda",
    "forget it",
    "ikke mere",
    "never mind",
)

# A message inside a flow that fails the slot's validator switches topic only when the classifier
# is sure it is about something else: a calibrated confidence of at least this, and an in-scope
# score this far above the rejection threshold (a clear match, not a lucky word — "ikke en mail"
# in the e-mail slot is not a question about the newsletter). Small talk never interrupts a flow.
# Short answers, read against the bot's last yes/no question (`bot_state["question"]`, the intent
# a "yes" leads to). Without a question, an "ok" or a bare "ja" is acknowledged, not thanked.
YES_WORDS = frozenset(
    "ja jo jep jepper jaa yes yeah yep yup sure kyllä kylla joo juu gerne gjerne gärna garna please "
    "ja_tak ja_takk ja_tack ja_gerne ja_gjerne ja_gärna ja_tack_gärna yes_please kyllä_kiitos "
    "joo_kiitos gerne_tak tak takk tack kiitos ja_please ok_tak ok_takk ok_tack ja_okay ja_ok "
    "ok okay okej oki okey okei selvä".split()
)
NO_WORDS = frozenset(
    "nej nei no nope nah nä nää ei nej_tak nei_takk nej_tack no_thanks no_thank_you ei_kiitos "
    "nej_tak_ellers_tak ellers_tak ikke_nu ikke_nå inte_nu not_now ei_nyt nej_det_er_fint "
    "nei_det_går_fint nej_det_är_bra ei_tarvitse".split()
)
ACK_WORDS = frozenset(
    "ok okay okej oki okey okei selvä jaha jahaa aha alright fint fino fair_enough i_see "
    "forstået skjønner förstår ymmärrän ok_så okay_så ok_då okay_then ja ja_ok jo yes yeah kyllä "
    "joo juu nej nei no ei greit greit_nok".split()
)

# A follow-up refers to what an action answered at most this many turns ago.
FOLLOW_UP_TURNS = 4
SWITCH_CONFIDENCE = 0.6
SWITCH_MARGIN = 0.35
SUGGESTION_FLOOR = 0.05
# An intent the classifier names with less confidence than this does not keep the shop's pages
# from answering: the knowledge base is asked first, and the intent answers only when the pages
# have nothing good enough. Greetings, goodbyes and asking for a person always win.
KNOWLEDGE_OVER_INTENT = 0.8
KNOWLEDGE_MARGIN = 0.4
_ALWAYS_WINS = ("handoff", "greeting", "goodbye")


class Classifier(Protocol):
    def predict(self, text: str) -> Any: ...


def confidence_band(confidence: float) -> str:
    return "high" if confidence >= 0.8 else "medium" if confidence >= 0.5 else "low"


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().strip()
    return re.sub(r"[\s!.?,;:]+", " ", text).strip()


def is_cancel(text: str) -> bool:
    norm = _norm(text)
    words = norm.split()
    if not words or len(words) > 4:
        return False
    return (
        words[0] in CANCEL_WORDS
        or norm in CANCEL_WORDS
        or any(norm.startswith(p) for p in CANCEL_PHRASES)
    )


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

# Danish "I" (you, plural) after the verb of a question; "i" after other words is "in".
_DA_PRONOUN = re.compile(
    r"\b(har|kan|tager|sender|leverer|tilbyder|sælger|bruger|accepterer|giver|ringer|svarer|åbner|"
    r"lukker|skal|vil|må|gør|ville|kunne|havde|laver|modtager|tjekker|hvis|når|om|at) i\b"
    r"(?! (?:stykker|dag|går|morgen|aften|weekenden|kurven|kassen|stand|tide|orden|alt)\b)",
    re.IGNORECASE,
)
_QUESTION_STARTS = frozenset(
    "hvor hvad hvordan hvornår hvilke hvilken hvem hvorfor kan har er må skal vil tager sender "
    "leverer var vad hur när vilka vilken vem varför kan har är får ska tar skickar hva når "
    "hvilke hvem går får tar mitä missä miten milloin mikä mitkä kuinka paljonko where what how "
    "when which who why can do does is are will could may".split()
)


def sentence(text: str, language: str) -> str:
    """A customer's example as a button: a capital first letter, Danish "I" for "you", and a
    question mark on a question."""
    text = text.strip()
    if language == "da":
        text = _DA_PRONOUN.sub(lambda m: f"{m.group(1)} I", text)
    words = text.split()
    first = words[0].casefold() if words else ""
    question = first in _QUESTION_STARTS or (language == "fi" and first.endswith(("ko", "kö")))
    if question and text[-1:] not in "?!.":
        text += "?"
    return text[:1].upper() + text[1:]


@dataclass
class TurnResult:
    replies: list[Reply]
    intent: str | None = None
    confidence: float = 0.0
    outcome: str = "answered"


class Bot:
    """A tenant's bot: its content, its trained classifier, the actions it may call."""

    def __init__(
        self,
        content: Content,
        classifier: Classifier,
        profile: ShopProfile,
        actions: ActionRegistry | None = None,
        handoff: HandoffOffer | None = None,
        version: str = "",
        knowledge: KnowledgeAnswerer | None = None,
    ) -> None:
        self.content = content
        self.classifier = classifier
        self.profile = profile
        self.actions = actions or ActionRegistry()
        self.handoff = handoff
        self.version = version
        self.knowledge = knowledge
        self._handoff_intent = next((i.name for i in content.intents if i.kind == "handoff"), None)
        self._flow_intent = {i.flow: i.name for i in content.intents if i.flow}

    # -- helpers ---------------------------------------------------------------------------

    def _rng(self, conv: ConversationContext) -> random.Random:
        turn = int(conv.bot_state.get("turns", 0))
        return random.Random(f"{conv.id}:{turn}")

    def _fill(self, text: str) -> str:
        facts = self.profile.facts()
        return _PLACEHOLDER.sub(lambda m: facts.get(m.group(1), m.group(0)), text)

    def message(self, key: str, language: str) -> str:
        return self._fill(self.content.message(key, language))

    def _unknown(self, language: str) -> str:
        """ "I don't know that" (content written before the knowledge base has no such text)."""
        key = "knowledge_unknown" if "knowledge_unknown" in self.content.messages else None
        return self.message(key or "fallback_offer_person", language)

    def _answer(self, intent: Intent, language: str, rng: random.Random) -> str | None:
        variants = localized(intent.answers, language, self.content.default_language)
        if not variants:
            return None
        return self._fill(rng.choice(variants))

    def _buttons(self, intent: Intent, language: str) -> list[dict[str, Any]]:
        # Buttons are worded per language: none is better than another language's.
        buttons: list[Button] = [
            b for lang, group in intent.buttons.items() if lang == language for b in group
        ]
        return [b.model_dump(exclude_none=True) for b in buttons]

    def _person_button(self, language: str) -> dict[str, Any] | None:
        if not self._handoff_intent:
            return None
        return {"label": self.message("person_button", language), "intent": self._handoff_intent}

    def intent_label(self, name: str, language: str) -> str:
        intent = self.content.intent(name)
        if intent is None:
            return name
        examples = localized(intent.examples, language, self.content.default_language) or []
        label = (intent.description if not examples else examples[0])[:80]
        # The first example is written the way customers type it ("hvor lang returret har i");
        # as a button it reads as a sentence ("Hvor lang returret har I?").
        return sentence(label, language)

    def _reply(
        self,
        text: str,
        buttons: list[dict[str, Any]] | None = None,
        payload: dict[str, Any] | None = None,
    ) -> Reply:
        body = dict(payload or {})
        if buttons:
            body["buttons"] = buttons
        return Reply(text, body or None)

    async def _predict(self, memo: dict[str, Any], text: str) -> Any:
        """The classifier's prediction for this turn's message, computed once per turn (`memo`
        lives for one turn) and in a worker thread: embedding a new message takes 10–40 ms of
        CPU, which the event loop spends serving other requests meanwhile (the embedding
        engine releases the GIL)."""
        if text not in memo:
            memo[text] = await asyncio.to_thread(self.classifier.predict, text)
        return memo[text]

    async def _classify(
        self, memo: dict[str, Any], text: str
    ) -> tuple[str | None, float, list[tuple[str, float]]]:
        p = await self._predict(memo, text)
        return p.label, float(p.confidence), list(p.ranking)

    # -- the turn --------------------------------------------------------------------------

    async def respond(self, conv: ConversationContext, message: IncomingMessage) -> list[Reply]:
        state = conv.bot_state
        before = conv.language
        conv.language = decide_language(
            message.text,
            conv.language,
            self.profile.languages,
            conv.page_language,
            settled=bool(state.get("language_settled")),
        )
        if conv.language != before or word_count(message.text) >= 3:
            state["language_settled"] = True
        rng = self._rng(conv)
        state["turns"] = int(state.get("turns", 0)) + 1
        result = await self._turn(conv, message, rng)
        notes = conv.notes
        notes.intent = result.intent
        notes.confidence = round(result.confidence, 3)
        notes.confidence_band = confidence_band(result.confidence) if result.intent else None
        notes.outcome = result.outcome
        notes.language = conv.language
        notes.flow = (state.get("flow") or {}).get("name") or notes.flow
        return result.replies

    async def _turn(
        self, conv: ConversationContext, message: IncomingMessage, rng: random.Random
    ) -> TurnResult:
        state = conv.bot_state
        lang = conv.language
        memo: dict[str, Any] = {}  # this turn's predictions, by text
        pending = state.pop("question", None)
        chosen = self.content.intent(message.intent) if message.intent else None
        if chosen is not None:
            state.pop("flow", None)
            return await self._handle_intent(conv, chosen, 1.0, message, rng)
        if state.get("flow"):
            result = await self._in_flow(conv, message, rng, memo)
            if result is not None:
                return result
        if message.attachments and not message.text.strip():
            return self._file_received(conv)
        short = await self._short_answer(conv, message, pending, rng)
        if short is not None:
            return short
        shortcut = self._shortcut(message.text)
        if shortcut is not None:
            return await self._handle_intent(conv, shortcut, 1.0, message, rng)
        follow = self._follow_up(conv, message.text)
        if follow is not None:
            return await self._handle_intent(conv, follow, 1.0, message, rng)
        label, confidence, ranking = await self._classify(memo, message.text)
        intent = self.content.intent(label) if label else None
        if (complaint := self._complaint_net(intent, confidence, message.text, lang)) is not None:
            return self._offer_person(conv, complaint, confidence, rng)
        if intent is None and self._gives_phone(None, message.text, lang):
            return self._offer_person(conv, None, confidence, rng)
        if intent is None and (claimed := await self._claimed(conv, message.text)) is not None:
            return await self._handle_intent(conv, claimed, confidence, message, rng)
        known: KnowledgeReply | None = None
        if intent is None or (
            intent.kind not in _ALWAYS_WINS
            and intent.answer_from != "knowledge"
            and not await self._sure(memo, message.text, confidence)
        ):
            known = await self._ask_knowledge(conv, message.text, memo)
            if known is not None and known.answered:
                return self._knowledge_result(conv, known, intent, confidence)
        if intent is None:
            return self._fallback(conv, ranking, lang, known)
        return await self._handle_intent(conv, intent, confidence, message, rng)

    # -- follow-ups ------------------------------------------------------------------------

    def _follow_up(self, conv: ConversationContext, text: str) -> Intent | None:
        """The intent whose action answered a few turns ago, when that action takes `text` for
        a question about its answer ("hvad koster den?" after product cards)."""
        state = conv.bot_state
        last = state.get("follow_up")
        if not isinstance(last, dict):
            return None
        if int(state.get("turns", 0)) - int(last.get("turn", 0)) > FOLLOW_UP_TURNS:
            state.pop("follow_up", None)
            return None
        intent = self.content.intent(str(last.get("intent", "")))
        if intent is None or not intent.action or intent.answer_from == "text":
            return None
        probe = getattr(self.actions.get(intent.action), "follows_up", None)
        remembered = (state.get("context") or {}).get(intent.action) or {}
        if probe is None or not remembered:
            return None
        try:
            return intent if probe(text, conv.language, remembered) else None
        except Exception:
            log.exception("follow_up_failed", action=intent.action)
            return None

    async def _claimed(self, conv: ConversationContext, text: str) -> Intent | None:
        """An intent whose action recognises `text` by the shop's data (a product's name)."""
        for intent in self.content.intents:
            if not intent.action or intent.answer_from or intent.kind != "normal":
                continue
            claims = getattr(self.actions.get(intent.action), "claims", None)
            if claims is None:
                continue
            ctx = ActionContext(
                tenant_id=conv.tenant_id,
                conversation_id=conv.id,
                language=conv.language,
                country=self.profile.country_for(conv.language),
                text=text,
            )
            try:
                if await claims(ctx):
                    return intent
            except Exception:
                log.exception("claim_failed", action=intent.action)
        return None

    # -- knowledge -------------------------------------------------------------------------

    async def _sure(self, memo: dict[str, Any], text: str, confidence: float) -> bool:
        """A confident intent: a calibrated confidence of at least `KNOWLEDGE_OVER_INTENT` and
        an in-scope score well above the rejection threshold. With few intents (the starter
        content) the confidence alone is high for almost anything; the score is not."""
        prediction = await self._predict(memo, text)
        score = float(getattr(prediction, "score", confidence))
        threshold = float(getattr(self.classifier, "threshold", 0.0))
        return confidence >= KNOWLEDGE_OVER_INTENT and score >= threshold + KNOWLEDGE_MARGIN

    async def _ask_knowledge(
        self, conv: ConversationContext, text: str, memo: dict[str, Any] | None = None
    ) -> KnowledgeReply | None:
        if self.knowledge is None or not text.strip():
            return None
        # The classifier's embedding of this turn's message, when it made one: not again.
        prediction = (memo or {}).get(text)
        vector = getattr(prediction, "vector", None)
        identity = getattr(prediction, "embedding_identity", None)
        query = QueryVector(vector, identity) if vector is not None and identity else None
        try:
            return await self.knowledge(conv.tenant_id, text, conv.language, query)
        except Exception:
            log.exception("knowledge_failed", tenant_id=str(conv.tenant_id))
            return None

    def _knowledge_result(
        self,
        conv: ConversationContext,
        known: KnowledgeReply,
        intent: Intent | None,
        confidence: float,
    ) -> TurnResult:
        """The pages' answer: the quote with a card naming the page, and "did this help?"."""
        conv.bot_state["fallbacks"] = 0
        conv.notes.knowledge_url = known.url
        payload = {
            "cards": [{"type": "page", "title": known.title or known.url, "url": known.url}],
            "knowledge": {"url": known.url, "language": known.language},
            "feedback": True,
        }
        name = intent.name if intent is not None else None
        return TurnResult([self._reply(known.text, None, payload)], name, confidence, "knowledge")

    def _shortcut(self, text: str) -> Intent | None:
        """A message that is little more than an order or tracking number starts its flow."""
        if len(text.split()) > 4:
            return None
        for validator, patterns in (
            ("tracking_number", self.profile.tracking_number_patterns),
            ("order_number", self.profile.order_number_patterns),
        ):
            if patterns and entities.find_pattern(text, patterns):
                for flow in self.content.flows:
                    if flow.slots[0].validator.type == validator and flow.name in self._flow_intent:
                        return self.content.intent(self._flow_intent[flow.name])
        return None

    def _fallback(
        self,
        conv: ConversationContext,
        ranking: list[tuple[str, float]],
        lang: str,
        known: KnowledgeReply | None = None,
    ) -> TurnResult:
        state = conv.bot_state
        state["fallbacks"] = int(state.get("fallbacks", 0)) + 1
        if state["fallbacks"] >= 2:
            state["fallbacks"] = 0
            button = self._person_button(lang)
            self._ask_handoff(state)
            return TurnResult(
                [
                    self._reply(
                        self.message("fallback_offer_person", lang), [button] if button else None
                    )
                ],
                outcome="handoff_offered",
            )
        skip = {
            i.name
            for i in self.content.intents
            if i.kind in ("smalltalk", "greeting", "goodbye", "handoff")
        }
        suggestions = [name for name, p in ranking if p >= SUGGESTION_FLOOR and name not in skip][
            :3
        ]
        buttons = [{"label": self.intent_label(n, lang), "intent": n} for n in suggestions]
        person = self._person_button(lang)
        if person:
            buttons.append(person)
        # The shop's pages were searched and hold nothing good enough: say so, not "rephrase".
        weak = known is not None and known.reason == "weak_match"
        text = self._unknown(lang) if weak else self.message("fallback_rephrase", lang)
        return TurnResult([self._reply(text, buttons)], outcome="fallback")

    async def _handle_intent(
        self,
        conv: ConversationContext,
        intent: Intent,
        confidence: float,
        message: IncomingMessage,
        rng: random.Random,
    ) -> TurnResult:
        state = conv.bot_state
        lang = conv.language
        state["fallbacks"] = 0
        state["last_intent"] = intent.name
        if intent.answer_from == "knowledge":
            known = await self._ask_knowledge(conv, message.text)
            if known is not None and known.answered:
                return self._knowledge_result(conv, known, intent, confidence)
            if not intent.answers:
                person = self._person_button(lang)
                return TurnResult(
                    [self._reply(self._unknown(lang), [person] if person else None)],
                    intent.name,
                    confidence,
                    "fallback",
                )
        if intent.kind == "handoff":
            state.pop("flow", None)
            return TurnResult(
                await self._handoff(conv, intent, rng), intent.name, confidence, "handoff_requested"
            )
        if intent.kind == "complaint" or self._gives_phone(intent, message.text, lang):
            return self._offer_person(conv, intent, confidence, rng)
        if intent.flow:
            flow = self.content.flow(intent.flow)
            if flow is not None:
                state["flow"] = {"name": flow.name, "values": {}, "attempts": 0}
                conv.notes.flow_started = flow.name
                self._prefill(flow, state["flow"]["values"], message.text, lang)
                if message.attachments:
                    # "The vase arrived broken" with the photo already attached.
                    ids = ",".join(str(a["id"]) for a in message.attachments)
                    for slot in flow.slots:
                        if slot.validator.type == "attachment":
                            state["flow"]["values"][slot.name] = ids
                replies = await self._advance(conv, flow, rng)
                outcome = "flow_completed" if "flow" not in state else "flow_started"
                return TurnResult(replies, intent.name, confidence, outcome)
        if intent.action and intent.answer_from != "text":
            result = await self._run_action(conv, intent.action, {}, message.text)
            if result is not None:
                if result.context:
                    # Remembered for a follow-up ("hvad koster den?"), never for statistics.
                    state["context"] = {**state.get("context", {}), intent.action: result.context}
                    state["follow_up"] = {"intent": intent.name, "turn": state.get("turns", 0)}
                replies = result.replies
                if result.offer_person and (person := self._person_button(lang)):
                    replies = self._with_button(replies, person)
                if not replies:
                    replies = [
                        self._reply(
                            self._answer(intent, lang, rng) or "", self._buttons(intent, lang)
                        )
                    ]
                return TurnResult(
                    replies,
                    intent.name,
                    confidence,
                    "answered" if result.outcome == "answered" else result.outcome,
                )
        text = self._answer(intent, lang, rng) or self.message("fallback_rephrase", lang)
        return TurnResult(
            [self._reply(text, self._buttons(intent, lang))], intent.name, confidence, "answered"
        )

    async def _handoff(
        self, conv: ConversationContext, intent: Intent, rng: random.Random
    ) -> list[Reply]:
        """Until live chat is configured, the request is acknowledged in words."""
        if self.handoff is not None:
            return await self.handoff(conv, self)
        text = self._answer(intent, conv.language, rng) or self.message(
            "handoff_requested", conv.language
        )
        return [self._reply(text)]

    @staticmethod
    def _with_button(replies: list[Reply], button: dict[str, Any]) -> list[Reply]:
        if not replies:
            return replies
        last = replies[-1]
        payload = dict(last.payload or {})
        payload["buttons"] = [*payload.get("buttons", []), button]
        return [*replies[:-1], Reply(last.text, payload, last.author)]

    # -- flows -----------------------------------------------------------------------------

    def _validate(self, slot: Slot, text: str, lang: str) -> str | None:
        """The slot's value found in `text`, or None."""
        v = slot.validator
        if v.type == "email":
            found = entities.find_emails(text)
            return found[0] if found else None
        if v.type == "order_number":
            found = entities.find_pattern(
                text, self.profile.order_number_patterns or (r"\b\d{4,12}\b",)
            )
            return found[0] if found else None
        if v.type == "tracking_number":
            found = entities.find_pattern(
                text, self.profile.tracking_number_patterns or (r"\b[A-Z0-9]{8,30}\b",)
            )
            return found[0] if found else None
        if v.type == "number":
            number = entities.find_number(text)
            if (
                number is None
                or (v.min is not None and number < v.min)
                or (v.max is not None and number > v.max)
            ):
                return None
            return f"{number:g}"
        if v.type == "regex":
            try:
                m = compile_pattern(v.pattern or "").search(text)
            except PatternError:
                return None
            return m.group(0) if m else None
        if v.type == "choice":
            choices = localized(v.choices or {}, lang) or []
            return entities.match_choice(text, choices)
        value = text.strip()
        return value or None

    def _prefill(self, flow: Flow, values: dict[str, str], text: str, lang: str) -> None:
        for slot in flow.slots:
            if slot.validator.type in ("email", "order_number", "tracking_number"):
                value = self._validate(slot, text, lang)
                if value:
                    values[slot.name] = value

    async def _advance(
        self, conv: ConversationContext, flow: Flow, rng: random.Random
    ) -> list[Reply]:
        """Ask for the next missing slot, or run the flow's action when all are filled."""
        state = conv.bot_state
        lang = conv.language
        values: dict[str, str] = state["flow"]["values"]
        for slot in flow.slots:
            if slot.name not in values:
                state["flow"]["slot"] = slot.name
                state["flow"]["attempts"] = 0
                return [self._reply(self._fill(localized(slot.prompt, lang) or ""))]
        state.pop("flow", None)
        conv.notes.flow = flow.name
        if flow.action == HANDOFF_ACTION:
            return await self._hand_on(conv, flow, values, rng)
        result = await self._run_action(conv, flow.action, values, "")
        if result is None:
            return []
        replies = result.replies
        if result.context:
            state["context"] = {**state.get("context", {}), flow.name: result.context}
        if result.offer_person and (person := self._person_button(lang)):
            replies = self._with_button(replies, person)
        return replies

    async def _hand_on(
        self, conv: ConversationContext, flow: Flow, values: dict[str, str], rng: random.Random
    ) -> list[Reply]:
        """A flow that ends with a person (a damaged item with its photo): what it collected
        goes to the bot's findings, which the agent who takes over sees beside the transcript
        (where the photo is); the customer hears that the photo arrived, in their language,
        then gets the handoff."""
        state = conv.bot_state
        lang = conv.language
        found: dict[str, Any] = {}
        for slot in flow.slots:
            if slot.name in values:
                value = values[slot.name]
                found[slot.name] = (
                    value.split(",") if slot.validator.type == "attachment" else value
                )
        state["context"] = {**state.get("context", {}), flow.name: found}
        replies = [self._reply(self._text("photo_received", lang))]
        target = self.content.intent(self._handoff_intent) if self._handoff_intent else None
        if target is not None:
            replies += await self._handoff(conv, target, rng)
        else:
            replies.append(self._reply(self.message("handoff_requested", lang)))
        return replies

    def _file_received(self, conv: ConversationContext) -> TurnResult:
        """A file with no words, outside a flow that asked for one: the bot cannot look at it,
        so it says it arrived and offers a person who can."""
        lang = conv.language
        conv.bot_state["fallbacks"] = 0
        button = self._person_button(lang)
        self._ask_handoff(conv.bot_state)
        return TurnResult(
            [self._reply(self._text("attachment_received", lang), [button] if button else None)],
            None,
            0.0,
            "attachment",
        )

    async def _run_action(
        self, conv: ConversationContext, name: str, slots: dict[str, str], text: str
    ) -> ActionResult | None:
        action = self.actions.get(name)
        lang = conv.language
        if action is None:
            # The shop's systems are not connected: say so and offer a person, rather than guess.
            if slots:
                person = self._person_button(lang)
                return ActionResult(
                    [
                        self._reply(
                            self.message("action_unavailable", lang), [person] if person else None
                        )
                    ],
                    "unavailable",
                    True,
                )
            return None
        ctx = ActionContext(
            tenant_id=conv.tenant_id,
            conversation_id=conv.id,
            language=lang,
            country=self.profile.country_for(lang),
            text=text,
            slots=dict(slots),
            client_key=conv.notes.client_key,
        )
        if not slots:
            ctx.remembered = dict((conv.bot_state.get("context") or {}).get(name) or {})
        try:
            return await action(ctx)
        except Exception:
            log.exception("action_failed", action=name, tenant_id=str(conv.tenant_id))
            person = self._person_button(lang)
            return ActionResult(
                [
                    self._reply(
                        self.message("action_unavailable", lang), [person] if person else None
                    )
                ],
                "unavailable",
                True,
            )

    async def _in_flow(
        self,
        conv: ConversationContext,
        message: IncomingMessage,
        rng: random.Random,
        memo: dict[str, Any],
    ) -> TurnResult | None:
        """Handle a message while a flow waits for a slot; None means: treat it as a new topic."""
        state = conv.bot_state
        lang = conv.language
        fstate = state["flow"]
        flow = self.content.flow(fstate.get("name", ""))
        slot = next((s for s in flow.slots if s.name == fstate.get("slot")), None) if flow else None
        if flow is None or slot is None:
            state.pop("flow", None)
            return None
        intent_name = self._flow_intent.get(flow.name)
        if is_cancel(message.text):
            state.pop("flow", None)
            conv.notes.abandoned_flow = flow.name
            return TurnResult(
                [self._reply(self.message("flow_cancelled", lang))],
                intent_name,
                1.0,
                "flow_abandoned",
            )
        if slot.validator.type == "attachment":
            # Filled by the files the message sends (their ids); text alone does not fill it.
            value = ",".join(str(a["id"]) for a in message.attachments) or None
        else:
            value = self._validate(slot, message.text, lang)
        if value is not None:
            fstate["values"][slot.name] = value
            # A message may carry more than the slot asked for (an e-mail with the order number).
            self._prefill(flow, fstate["values"], message.text, lang)
            replies = await self._advance(conv, flow, rng)
            outcome = "flow_completed" if "flow" not in state else "flow_step"
            return TurnResult(replies, intent_name, 1.0, outcome)
        if not message.text.strip():
            prediction = None  # a file alone, in another slot: ask again
            switch = False
        else:
            prediction = await self._predict(memo, message.text)
            switch = self._switches_topic(prediction, intent_name)
        full = getattr(self.classifier, "predict_full", None)
        if (
            switch
            and prediction is not None
            and getattr(prediction, "path", "e5") == "fast"
            and full is not None
        ):
            # Leaving a flow rests on the whole model, not on the fast path alone: "ikke en
            # mail" in the e-mail slot is an answer that failed, not a question about e-mail.
            switch = self._switches_topic(await asyncio.to_thread(full, message.text), intent_name)
        if switch:
            state.pop("flow", None)
            conv.notes.abandoned_flow = flow.name
            return None
        fstate["attempts"] = int(fstate.get("attempts", 0)) + 1
        if fstate["attempts"] > flow.max_reprompts:
            state.pop("flow", None)
            conv.notes.abandoned_flow = flow.name
            person = self._person_button(lang)
            self._ask_handoff(state)
            return TurnResult(
                [
                    self._reply(
                        self.message("flow_too_many_attempts", lang), [person] if person else None
                    )
                ],
                intent_name,
                1.0,
                "flow_abandoned",
            )
        reprompt = localized(slot.reprompt, lang) or ""
        return TurnResult([self._reply(self._fill(reprompt))], intent_name, 1.0, "flow_reprompt")

    # -- short answers and the offer of a person ---------------------------------------------

    def _text(self, key: str, language: str) -> str:
        """The shop's own message for `key`, else the service's (`kernel/texts/system.yaml`)."""
        if key in self.content.messages:
            return self.message(key, language)
        return catalogue("system").text(key, language)

    def _ask_handoff(self, state: dict[str, Any]) -> None:
        """The reply asks "would you like to talk to a person?": a "yes" next leads there."""
        if self._handoff_intent:
            state["question"] = self._handoff_intent

    async def _short_answer(
        self,
        conv: ConversationContext,
        message: IncomingMessage,
        pending: str | None,
        rng: random.Random,
    ) -> TurnResult | None:
        """ "ja", "nej", "ok", "tak": the answer to the bot's last question, or an acknowledgement
        when there was none ("ok" is not thanks). Anything longer is a message of its own."""
        key = "_".join(_norm(message.text).split())
        if len(key) > 40:
            return None
        if pending and key in YES_WORDS:
            target = self.content.intent(pending)
            if target is not None:
                return await self._handle_intent(conv, target, 1.0, message, rng)
        if (pending and key in NO_WORDS) or key in ACK_WORDS:
            conv.bot_state["fallbacks"] = 0
            return TurnResult([self._reply(self._text("anything_else", conv.language))])
        return None

    def _switches_topic(self, prediction: Any, intent_name: str | None) -> bool:
        """A prediction clear enough to leave the current flow for another intent."""
        label, confidence = prediction.label, float(prediction.confidence)
        score = float(getattr(prediction, "score", confidence))
        # The threshold of the model that answered (the fast path's or e5's).
        threshold = float(
            getattr(prediction, "threshold", getattr(self.classifier, "threshold", 0.0))
        )
        target = self.content.intent(label) if label else None
        return (
            target is not None
            and target.name != intent_name
            and target.kind not in ("greeting", "goodbye", "smalltalk")
            and confidence >= SWITCH_CONFIDENCE
            and score >= threshold + SWITCH_MARGIN
        )

    def _complaint_net(
        self, intent: Intent | None, confidence: float, text: str, lang: str
    ) -> Intent | None:
        """The complaint intent, for a message the classifier missed or took for small talk that
        has a word of dissatisfaction ("uselt, helt uselt"); else None."""
        social = intent is None or intent.kind in ("smalltalk", "greeting", "goodbye")
        if (
            intent is not None
            and not social
            and (confidence >= 0.5 or intent.flow or intent.action)
        ):
            return None
        complaint = next((i for i in self.content.intents if i.kind == "complaint"), None)
        if complaint is None or complaint is intent or not sounds_dissatisfied(text, lang):
            return None
        return complaint

    def _gives_phone(self, intent: Intent | None, text: str, lang: str) -> bool:
        """ "My phone number is 20 30 40 50" gives a number; it does not ask for ours."""
        if intent is not None and (intent.flow or intent.action or intent.kind != "normal"):
            return False
        if len(text.split()) > 14 or self._shortcut(text) is not None:
            return False
        return bool(entities.find_phones(text, lang))

    def _offer_person(
        self,
        conv: ConversationContext,
        intent: Intent | None,
        confidence: float,
        rng: random.Random,
    ) -> TurnResult:
        """A complaint (or a phone number given): a short apology and the offer of a person."""
        lang = conv.language
        conv.bot_state["fallbacks"] = 0
        if intent is not None and intent.kind == "complaint":
            text = self._answer(intent, lang, rng) or self._text("complaint_offer", lang)
            outcome = "complaint"
        else:
            text, outcome = self._text("phone_offer", lang), "answered"
        button = self._person_button(lang)
        self._ask_handoff(conv.bot_state)
        return TurnResult(
            [self._reply(text, [button] if button else None)],
            intent.name if intent else None,
            confidence if intent else 0.0,
            outcome,
        )

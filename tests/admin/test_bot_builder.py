"""The bot builder's pages: intents and flows in forms (errors next to fields, nothing typed is
lost), the YAML view that round-trips, import and export, and publishing from the pages."""

from __future__ import annotations

import re

import yaml

from samtale.bot.content import load_content
from samtale.bot.drafts import content_from_yaml, content_to_yaml, starter_content
from samtale.demo.content_dir import DEMO_CONTENT_DIR
from tests.admin.conftest import AdminEnv, csrf_of


def test_yaml_round_trips_to_the_same_model() -> None:
    for content in (load_content(DEMO_CONTENT_DIR), starter_content(["da", "en"], "da")):
        assert content_from_yaml(content_to_yaml(content)) == content


async def test_intent_form_creates_an_intent_in_the_draft(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    page = await client.get("/admin/bot/intents/new", headers={"accept-language": "en"})
    assert page.status_code == 200 and 'name="examples.da"' in page.text
    form = {
        "csrf": csrf_of(client),
        "name": "gift_cards",
        "description": "Gift cards",
        "kind": "normal",
        "title.da": "Gavekort",
        "title.en": "Gift cards",
        "descriptions.da": "Køb og brug af gavekort",
        "examples.da": "sælger I gavekort\ngavekort",
        "answers.da": "Ja, vi sælger gavekort.\n\nGavekort fås i butikken.",
        "examples.en": "do you sell gift cards",
        "answers.en": "Yes, we do.",
        "buttons.da.count": "2",
        "buttons.da.0.label": "Tal med en person",
        "buttons.da.0.intent": "talk_to_person",
        "buttons.en.count": "0",
    }
    r = await client.post("/admin/bot/intents/new", data=form)
    assert r.status_code == 303 and r.headers["location"].startswith(
        "/admin/bot/intents/gift_cards"
    )
    draft = (await client.get("/api/v1/admin/bot/draft")).json()
    intent = next(i for i in draft["content"]["intents"] if i["name"] == "gift_cards")
    assert intent["answers"]["da"] == ["Ja, vi sælger gavekort.", "Gavekort fås i butikken."]
    button = intent["buttons"]["da"][0]
    assert button["label"] == "Tal med en person" and button["intent"] == "talk_to_person"
    assert draft["is_draft"] and draft["published_version"] is None
    listing = await client.get("/admin/bot", headers={"accept-language": "en"})
    assert "gift_cards" in listing.text
    # The staff's name for the topic, per language; the id only in links and the YAML.
    assert intent["title"] == {"da": "Gavekort", "en": "Gift cards"}
    assert intent["descriptions"] == {"da": "Køb og brug af gavekort"}
    listing = await client.get("/admin/bot", headers={"accept-language": "da"})
    assert ">Gavekort</a>" in listing.text and "Køb og brug af gavekort" in listing.text
    assert ">gift_cards<" not in listing.text
    page = await client.get("/admin/bot/intents/gift_cards", headers={"accept-language": "da"})
    assert 'name="title.da" type="text" value="Gavekort"' in page.text


async def test_invalid_intent_keeps_what_was_typed_and_marks_the_fields(
    admin_env: AdminEnv,
) -> None:
    client = await admin_env.login("admin")
    long_answer = "x" * 2001
    form = {
        "csrf": csrf_of(client),
        "name": "Gift Cards!",
        "examples.da": "sælger I gavekort <b>",
        "answers.da": long_answer,
        "buttons.da.count": "0",
        "buttons.en.count": "0",
    }
    r = await client.post("/admin/bot/intents/new", data=form, headers={"accept-language": "en"})
    assert r.status_code == 422
    assert 'id="f-name-error"' in r.text and 'aria-invalid="true"' in r.text
    assert 'value="Gift Cards!"' in r.text and "sælger I gavekort &lt;b&gt;" in r.text
    assert 'id="f-answers-da-error"' in r.text and "At most 2000 characters." in r.text
    # Danish errors in Danish
    r = await client.post("/admin/bot/intents/new", data=form, headers={"accept-language": "da"})
    assert "Højst 2000 tegn." in r.text
    # a duplicate name
    form = {**form, "name": "greeting", "answers.da": "hej"}
    r = await client.post("/admin/bot/intents/new", data=form, headers={"accept-language": "en"})
    assert r.status_code == 422 and "An intent with that name exists." in r.text


async def test_missing_languages_are_highlighted(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    r = await client.get("/admin/bot/intents/greeting", headers={"accept-language": "en"})
    assert r.status_code == 200 and "lang-column missing" not in r.text
    r = await client.get("/admin/bot/intents/new", headers={"accept-language": "en"})
    assert r.text.count("lang-column missing") == r.text.count('<section class="lang-column') == 2


async def test_forms_need_the_csrf_token(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    r = await client.post("/admin/bot/intents/new", data={"name": "x", "csrf": "wrong"})
    assert r.status_code == 403


async def test_delete_confirms_and_names_what_goes(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    r = await client.get("/admin/bot/intents/goodbye/delete", headers={"accept-language": "en"})
    assert r.status_code == 200 and "Delete the intent Goodbye?" in r.text  # by its name
    assert re.search(r"\d+ examples", r.text)
    r = await client.post("/admin/bot/intents/goodbye/delete", data={"csrf": csrf_of(client)})
    assert r.status_code == 303
    names = [
        i["name"]
        for i in (await client.get("/api/v1/admin/bot/draft")).json()["content"]["intents"]
    ]
    assert "goodbye" not in names


async def test_flow_form_adds_slots_and_validates(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    base = {
        "csrf": csrf_of(client),
        "name": "book_visit",
        "action": "track_order",
        "max_reprompts": "2",
        "slots.count": "1",
        "slots.0.name": "email",
        "slots.0.type": "email",
        "slots.0.prompt.da": "Din e-mail?",
        "slots.0.reprompt.da": "Det ligner ikke en e-mail.",
        "slots.0.prompt.en": "Your e-mail?",
    }
    r = await client.post("/admin/bot/flows/new", data={**base, "add_slot": "1"})
    assert r.status_code == 200 and 'name="slots.1.name"' in r.text and "Din e-mail?" in r.text
    r = await client.post("/admin/bot/flows/new", data=base, headers={"accept-language": "en"})
    assert r.status_code == 422 and 'id="f-slots-0-reprompt-en-error"' in r.text
    r = await client.post("/admin/bot/flows/new", data={**base, "slots.0.reprompt.en": "Again?"})
    assert r.status_code == 303
    flows = (await client.get("/api/v1/admin/bot/draft")).json()["content"]["flows"]
    [added] = [f for f in flows if f["name"] == "book_visit"]
    assert added["slots"][0]["validator"]["type"] == "email"


async def test_yaml_view_saves_and_reports_errors(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    page = await client.get("/admin/bot/yaml")
    text = re.search(r'<textarea id="f-yaml"[^>]*>(.*?)</textarea>', page.text, re.S).group(1)  # type: ignore[union-attr]
    import html

    data = yaml.safe_load(html.unescape(text))
    data["intents"][0]["description"] = "Changed in YAML"
    r = await client.post(
        "/admin/bot/yaml",
        data={"csrf": csrf_of(client), "yaml": yaml.safe_dump(data, allow_unicode=True)},
    )
    assert r.status_code == 303
    draft = (await client.get("/api/v1/admin/bot/draft")).json()
    assert draft["content"]["intents"][0]["description"] == "Changed in YAML"
    broken = "intents:\n  - name: Bad Name\n"
    r = await client.post("/admin/bot/yaml", data={"csrf": csrf_of(client), "yaml": broken})
    assert r.status_code == 422 and "intents.0.name" in r.text and "Bad Name" in r.text
    r = await client.post("/admin/bot/yaml", data={"csrf": csrf_of(client), "yaml": "a: [1"})
    assert r.status_code == 422 and "line" in r.text


async def test_import_and_export(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    content = starter_content(["da", "en"], "en")
    r = await client.post(
        "/admin/bot/import",
        data={"csrf": csrf_of(client)},
        files={"file": ("bot.yaml", content_to_yaml(content).encode(), "application/yaml")},
    )
    assert r.status_code == 303
    r = await client.get("/admin/bot/export.yaml")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert content_from_yaml(r.text) == content


async def test_another_shops_admin_sees_only_their_own_draft(admin_env: AdminEnv) -> None:
    mine = await admin_env.login("admin")
    await mine.put(
        "/api/v1/admin/bot/draft", json=starter_content(["da"], "da").model_dump(mode="json")
    )
    theirs = await admin_env.login("other-admin")
    draft = (await theirs.get("/api/v1/admin/bot/draft")).json()
    assert draft["version"] is None


async def test_an_answer_from_data_says_so_and_takes_a_text_of_the_shops_own(
    admin_env: AdminEnv,
) -> None:
    """An intent with an action shows where its answer comes from (the shop's data), and the
    shop can answer with its own text instead — saved, not silently ignored."""
    client = await admin_env.login("admin")
    form = {
        "csrf": csrf_of(client),
        "name": "payment",
        "description": "Payment",
        "kind": "normal",
        "action": "payment_methods",
        "examples.da": "hvordan kan jeg betale\nbetalingsmåder",
        "answers.da": "Vi tager imod kort.",
        "examples.en": "how can i pay",
        "answers.en": "We take cards.",
        "buttons.da.count": "0",
        "buttons.en.count": "0",
    }
    r = await client.post("/admin/bot/intents/new", data=form)
    assert r.status_code == 303
    page = await client.get("/admin/bot/intents/payment", headers={"accept-language": "en"})
    assert "Where the answer comes from" in page.text
    assert "the payment methods from the shop&#39;s settings or shop system" in page.text
    assert re.search(r'name="answer_from" value=""\s+checked', page.text)
    listing = await client.get("/admin/bot", headers={"accept-language": "en"})
    assert 'data-hook="source-data"' in listing.text

    # Our own text instead of the data.
    r = await client.post(
        "/admin/bot/intents/payment",
        data={**form, "csrf": csrf_of(client), "answers.da": "Kun faktura.", "answer_from": "text"},
    )
    assert r.status_code == 303
    draft = (await client.get("/api/v1/admin/bot/draft")).json()
    intent = next(i for i in draft["content"]["intents"] if i["name"] == "payment")
    assert intent["answer_from"] == "text" and intent["answers"]["da"] == ["Kun faktura."]
    page = await client.get("/admin/bot/intents/payment", headers={"accept-language": "en"})
    assert re.search(r'name="answer_from" value="text"\s+checked', page.text)
    listing = await client.get("/admin/bot", headers={"accept-language": "en"})
    assert 'data-hook="source-text"' in listing.text

    # Back to the data: the text stays, as the answer when the data cannot be fetched.
    r = await client.post(
        "/admin/bot/intents/payment",
        data={**form, "csrf": csrf_of(client), "answers.da": "Kun faktura.", "answer_from": ""},
    )
    assert r.status_code == 303
    draft = (await client.get("/api/v1/admin/bot/draft")).json()
    intent = next(i for i in draft["content"]["intents"] if i["name"] == "payment")
    assert intent.get("answer_from") is None and intent["answers"]["da"] == ["Kun faktura."]

    # A value the model does not know is an error next to the field, nothing saved.
    r = await client.post(
        "/admin/bot/intents/payment",
        data={**form, "csrf": csrf_of(client), "answer_from": "guess"},
    )
    assert r.status_code == 422

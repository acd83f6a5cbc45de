"""Extraction keeps the main text under its headings and leaves the chrome out."""

from __future__ import annotations

from samtale.knowledge.extraction import extract, extract_markdown
from samtale.knowledge.passages import split
from tests.knowledge.site import CARE_PDF, build_pages


def test_html_keeps_the_text_under_its_headings_and_drops_the_chrome() -> None:
    doc = extract(build_pages()["/help/shipping"][1], "html")
    assert doc.title == "Shipping" and doc.language == "en"
    text = doc.text
    assert "Orders over 1,500 NOK ship for free" in text
    for chrome in ("cookies", "Newsletter", "Copyright", "Tindeveien"):
        assert chrome not in text
    headings = {b.headings for b in doc.blocks}
    assert ("Shipping", "Prices") in headings and ("Shipping", "How long it takes") in headings
    passages = split(doc)
    assert any(p.indexed_text.startswith("Shipping › Prices: Standard shipping") for p in passages)


def test_faq_jsonld_becomes_question_and_answer_pairs() -> None:
    doc = extract(build_pages()["/faq"][1], "html")
    faq = [b for b in doc.blocks if b.kind == "faq"]
    assert [b.headings[-1] for b in faq] == ["Can I rent a tent?", "Do you sell gift cards?"]
    assert faq[1].text.startswith("Gift cards from 200 to 5,000 NOK")
    # The same answers in the visible markup are not indexed twice.
    assert sum("250 NOK per weekend" in b.text for b in doc.blocks) == 1


def test_pdf_markdown_and_language_detection() -> None:
    pdf = extract(CARE_PDF, "pdf")
    assert pdf.title == "Caring for your tent" and pdf.language == "en"
    assert "never with detergent" in pdf.text
    md = extract_markdown(
        "# Levering\n\nVi sender alle pakker med PostNord.\n\n## Priser\n\n"
        "Det koster 39 kr at få pakken leveret til en pakkeshop.\n"
    )
    assert md.language == "da"
    assert md.blocks[-1].headings == ("Levering", "Priser")

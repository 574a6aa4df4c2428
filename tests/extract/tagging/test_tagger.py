"""The shipped tagger on hard descriptions: abbreviations, negations, two cues, OCR damage, entities."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import pytest

from extract.tagging import Tagger, tag_ledger, tag_statement, tag_texts
from models import Entity, Form, Ledger, LedgerEntry, NormalizedStatement, Source, StatementLine

HARD_DESCRIPTIONS: list[tuple[str, list[str]]] = [
    # ledger abbreviations
    ("Frt chg inv 10023", ["freight"]),
    ("PROMO ALLOW Q3", ["promotion"]),
    ("Ret. RMA-5567 dmgd", ["damaged", "return"]),
    ("Int. on overdue", ["interest_penalty"]),
    ("DN-88 late payment interest", ["debit_note", "interest_penalty"]),
    ("CN 2231 promo allowance", ["credit_note", "promotion"]),
    ("Chq 001234", ["payment"]),
    ("Balance b/f", ["opening_balance"]),
    ("Adj - small balance w/o", ["adjustment", "write_off"]),
    # negations
    ("freight included - no charge", []),
    ("Invoice 4471 - freight included - no charge", ["invoice"]),
    ("FRT INCL", []),
    ("Discount not taken", []),
    ("free shipping", []),
    ("not damaged", []),
    # two cues in one line, and a cue beside a document type
    ("short pd - disputed", ["dispute", "short_payment"]),
    ("Installation - no PO", ["no_po", "service"]),
    ("PMT RCVD - SHORT PAID INV 12345", ["payment", "short_payment"]),
    ("Credit note for damaged goods RMA 5567", ["credit_note", "damaged", "return"]),
    ("Consulting services - not approved", ["no_po", "service"]),
    ("Payment in transit", ["in_transit", "payment"]),
    # OCR damage and upper case
    ("Fre1ght", ["freight"]),
    ("RETURNEO GOODS", ["return"]),
    ("DARNAGED", ["damaged"]),
    # look-alikes that are not cues
    ("Tax invoice 5567", ["invoice"]),
    ("Returned cheque", ["payment"]),
    ("shipped 12/09", []),
    ("Withholding tax 5%", ["tax"]),
    # other languages and goods lines
    ("Virement VIR-1480", ["payment"]),
    ("Rechnung 103006", ["invoice"]),
    ("24 x Grease EP2 18kg pail", ["invoice"]),
]


@pytest.mark.parametrize(("text", "tags"), HARD_DESCRIPTIONS)
def test_hard_descriptions(tagger: Tagger, text: str, tags: list[str]) -> None:
    assert list(tagger.tag_texts([text])[0].tags) == tags


ENTITIES: list[tuple[str, list[tuple[str, str]]]] = [
    ("short paid inv 12345", [("INVOICE_REF", "12345")]),
    ("Frt chg inv#10023", [("INVOICE_REF", "10023")]),
    ("Ret. RMA-5567 dmgd", [("RMA", "RMA-5567")]),
    ("PO# 4500012345 no po", [("PO", "4500012345")]),
    (
        "CN-2231 promo 2% 03/09/2026",
        [("CREDIT_NOTE_REF", "CN-2231"), ("PERCENT", "2%"), ("DATE", "03/09/2026")],
    ),
    ("Credit note CN 2231 for INV-0012345", [("CREDIT_NOTE_REF", "2231"), ("INVOICE_REF", "INV-0012345")]),
    ("Payment chq 001234 $1,234.56", [("PAYMENT_REF", "001234"), ("AMOUNT", "$1,234.56")]),
    (
        "inv 12345, 12346 & 12347",
        [("INVOICE_REF", "12345"), ("INVOICE_REF", "12346"), ("INVOICE_REF", "12347")],
    ),
    (
        "Invoice 1OO23 dated Sep 3, 2026 EUR 1.234,56",
        [("INVOICE_REF", "10023"), ("DATE", "Sep 3, 2026"), ("AMOUNT", "EUR 1.234,56")],
    ),
    ("Debit memo DM-443 re PO 77812", [("DEBIT_NOTE_REF", "DM-443"), ("PO", "77812")]),
    ("short pd 45.00 on invoice no. 88812", [("AMOUNT", "45.00"), ("INVOICE_REF", "88812")]),
    ("inventory 123 check", []),
    ("Promo allowance Q3", []),
]


@pytest.mark.parametrize(("text", "entities"), ENTITIES)
def test_entities(tagger: Tagger, text: str, entities: list[tuple[str, str]]) -> None:
    found = tagger.tag_texts([text])[0].entities
    assert [(e.label, e.text) for e in found] == entities


def test_each_distinct_text_is_tagged_once_and_order_is_kept(tagger: Tagger) -> None:
    fresh = Tagger(tagger.nlp)
    texts = ["Invoice 10023", "Freight", "Invoice 10024", "Freight", "Invoice 10023"]
    results = fresh.tag_texts(texts)
    assert [r.text for r in results] == texts
    assert [r.tags for r in results] == [("invoice",), ("freight",), ("invoice",), ("freight",), ("invoice",)]
    assert [e.text for e in results[2].entities] == ["10024"]
    # "Invoice 10023" and "Invoice 10024" share one canonical form: two forms tagged, not five texts.
    assert len(fresh._tags) == 2


def test_prediction_without_docs_equals_the_pipeline_on_docs(tagger: Tagger) -> None:
    # tag_texts skips Doc construction; nlp.pipe on Docs (rules component + textcat) must agree.
    from extract.tagging.corpus import DEFAULT_CORPUS_DIR, HELDOUT, read_descriptions
    from extract.tagging.normalize import text_to_words

    texts = [r.text for r in read_descriptions(DEFAULT_CORPUS_DIR / HELDOUT)]
    docs = tagger.nlp.pipe(" ".join(text_to_words(t)) for t in texts)
    assert [r.tags for r in Tagger(tagger.nlp).tag_texts(texts)] == [tagger.doc_to_tags(d) for d in docs]


def test_statement_and_ledger_get_new_values_with_tags(tagger: Tagger) -> None:
    source = Source(filename="s.csv", form=Form.csv, sha256="0" * 64)
    line = StatementLine(
        date=dt.date(2026, 9, 3), reference="X1", description="Short paid inv 12345", amount=Decimal("-10.00")
    )
    statement = NormalizedStatement(source=source, lines=[line])
    tagged = tag_statement(statement, tagger)
    assert tagged.lines[0].tags == ["short_payment"]
    assert tagged.lines[0].entities == [Entity(label="INVOICE_REF", text="12345")]
    assert statement.lines[0].tags == []  # the input is left as it was
    entry = LedgerEntry(
        date=None, reference="INV-1", description="Frt chg inv 10023", amount=Decimal("12.50")
    )
    ledger = tag_ledger(Ledger(entries=[entry, entry]), tagger)
    assert [e.tags for e in ledger.entries] == [["freight"], ["freight"]]
    assert tag_texts([]) == []


def test_importing_the_package_does_not_import_spacy() -> None:
    import subprocess

    code = "import sys, extract.tagging, extract.statement; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"

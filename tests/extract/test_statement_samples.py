"""End to end: every digital / spreadsheet sample extracts exactly to its expected JSON.

Samples are selected by their expected JSON's ``source.form`` (scanned ones belong to the OCR
tests), so a new sample is picked up without touching this file. A line is (date, reference,
amount); line F1 must be 1.0, and description, balance, other_references and the header fields
must be equal too (bbox, confidence, tags, entities, field_confidence, warnings are not compared).
Our own company's name is configured (``company_names``), as the service does per client: a
statement printed by us and returned by the customer names us at the top, not the customer.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from extract import ExtractOptions, statement_from_bytes

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
FORMS = {"digital_pdf", "xlsx", "csv"}
OUR_COMPANY = "Northwind Components Ltd"  # the samples' supplier (samples/documents.py SUPPLIER)


def _samples() -> list[Path]:
    found = []
    for expected in sorted(SAMPLES.glob("*.expected.json")):
        truth = json.loads(expected.read_text())
        if "source" in truth and truth["source"].get("form") in FORMS:
            document = expected.with_name(truth["source"]["filename"])
            found.append(document)
    return found


def _key(line: dict[str, Any]) -> tuple[Any, ...]:
    return (line["date"], line["reference"], line["amount"])


def _detail(line: dict[str, Any]) -> tuple[Any, ...]:
    return (*_key(line), line["description"], line["balance"], tuple(line["other_references"]))


def line_f1(got: list[dict[str, Any]], expected: list[dict[str, Any]]) -> float:
    """F1 of lines as multisets of (date, reference, amount)."""
    if not got and not expected:
        return 1.0
    hits = sum((Counter(map(_key, got)) & Counter(map(_key, expected))).values())
    if hits == 0:
        return 0.0
    precision, recall = hits / len(got), hits / len(expected)
    return 2 * precision * recall / (precision + recall)


@pytest.fixture(scope="module")
def options() -> ExtractOptions:
    """Options of the end-to-end run: our company's name as configured (the samples' supplier), no tags."""
    return ExtractOptions(tag=False, company_names=(OUR_COMPANY,))


def test_samples_are_found() -> None:
    assert len(_samples()) >= 1, f"no digital/spreadsheet samples with expected JSON under {SAMPLES}"


@pytest.mark.parametrize("document", _samples(), ids=lambda p: p.name)
def test_sample_extracts_exactly(document: Path, options: ExtractOptions) -> None:
    expected = json.loads(document.with_name(document.name.rsplit(".", 1)[0] + ".expected.json").read_text())
    got = json.loads(statement_from_bytes(document.read_bytes(), document.name, options).model_dump_json())
    expected_lines = expected["lines"]
    assert line_f1(got["lines"], expected_lines) == 1.0, [
        (g, e) for g, e in zip(map(_key, got["lines"]), map(_key, expected_lines), strict=False) if g != e
    ]
    assert [_detail(ln) for ln in got["lines"]] == [_detail(ln) for ln in expected_lines]
    assert [ln["page"] for ln in got["lines"]] == [ln["page"] for ln in expected_lines]
    for field in ("source", "customer", "statement_date", "currency", "opening_balance", "closing_balance"):
        assert got[field] == expected[field], field


def test_tables_to_statement_takes_ocr_like_pages_through_the_same_path() -> None:
    # What the OCR path hands over: a page of words (pixels, confidences < 1) and its tables.
    from extract import tables_to_statement
    from extract.layout import Cell, Page, Table, Word
    from models.statement import Form, Source

    def row(top: float, *texts: str, conf: float = 0.93) -> tuple[Cell, ...]:
        return tuple(
            Cell(t, (100.0 + 300 * i, top, 380.0 + 300 * i, top + 30), conf) for i, t in enumerate(texts)
        )

    table = Table(
        page=1,
        bbox=(100, 400, 1300, 540),
        rows=(
            row(400, "Date", "Invoice No", "Amount", "Balance", conf=0.96),
            row(440, "03/09/2026", "INV-0012345", "1,234.56", "1,234.56"),
            row(480, "17/09/2026", "PMT-7788", "(234.56)", "1,000.00", conf=0.71),
        ),
    )
    words = (
        Word("Customer:", 100, 100, 300, 130, 0.95),
        Word("Acme", 330, 100, 430, 130, 0.95),
        Word("Ltd", 440, 100, 500, 130, 0.95),
    )
    page = Page(number=1, width=2480, height=3508, words=words)
    source = Source(filename="scan.png", form=Form.image, sha256="0" * 64)
    statement = tables_to_statement([table], [page], source, ExtractOptions(tag=False))
    assert statement.customer.name == "Acme Ltd"
    assert [(str(ln.amount), ln.confidence, ln.page) for ln in statement.lines] == [
        ("1234.56", 0.93, 1),
        ("-234.56", 0.71, 1),
    ]
    assert statement.lines[1].field_confidence == {"date": 0.71, "reference": 0.71, "amount": 0.71}


def _us_statement_pdf() -> bytes:
    """A one-page borderless US statement: Charges / Payments / Balance, a wrapped memo, an ageing note."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(40, 800, "Pinecrest Hardware Inc.")
    canvas.setFont("Helvetica", 9)
    canvas.drawString(40, 786, "400 Main St, Springfield")
    for y, text in (
        (800, "CUSTOMER STATEMENT"),
        (786, "As of: Sep 30, 2026"),
        (774, "Customer ID: PH-2201"),
        (762, "Amount Due: $3,150.25"),
    ):
        canvas.drawString(380, y, text)
    columns = (40, 110, 160, 230, 400, 470, 540)
    rows = (
        ("Date", "Type", "Number", "Memo", "Charges", "Payments", "Balance"),
        ("09/02/2026", "Invoice", "10021", "Hinges and brackets for", "1,200.00", "", "1,200.00"),
        ("", "", "", "project 55 (second delivery)", "", "", ""),
        ("09/13/2026", "Invoice", "10035", "Lumber", "2,500.25", "", "3,700.25"),
        ("09/20/2026", "Payment", "CHK 4410", "Check payment", "", "550.00", "3,150.25"),
    )
    y = 720.0
    for row in rows:
        for x, text in zip(columns, row, strict=True):
            if x >= 400 and y < 720:
                canvas.drawRightString(x + 50, y, text)
            else:
                canvas.drawString(x, y, text)
        y -= 14 if y < 720 else 18
    canvas.drawString(40, y - 30, "Aging: Current 3,150.25  30 days 0.00  60 days 0.00")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_a_us_borderless_statement_end_to_end(options: ExtractOptions) -> None:
    statement = statement_from_bytes(_us_statement_pdf(), "pinecrest.pdf", options)
    assert (statement.customer.name, statement.customer.account) == ("Pinecrest Hardware Inc.", "PH-2201")
    assert (statement.statement_date, statement.currency) == (dt.date(2026, 9, 30), "USD")
    assert [
        (ln.date, ln.reference, str(ln.amount), str(ln.balance), ln.description) for ln in statement.lines
    ] == [
        (
            dt.date(2026, 9, 2),
            "10021",
            "1200.00",
            "1200.00",
            "Hinges and brackets for project 55 (second delivery)",
        ),
        (dt.date(2026, 9, 13), "10035", "2500.25", "3700.25", "Lumber"),
        (dt.date(2026, 9, 20), "CHK 4410", "-550.00", "3150.25", "Check payment"),
    ]
    assert (statement.opening_balance, statement.closing_balance) == (Decimal("0.00"), Decimal("3150.25"))
    assert statement.warnings == []

"""The engine on a small account with one case of every pass and reason: exact items, reasons, totals."""

from __future__ import annotations

import json
from decimal import Decimal

from models import ItemStatus, Ledger, NormalizedStatement, ReasonCode
from reconcile import ReconcileOptions, reconcile
from reconcile.reasons import is_transposition
from reconcile.references import key_to_ocr_key, reference_to_key
from reconcile.subset_sum import find_subset

EXPECTED = [
    # status, ledger refs, statement refs, difference, reason, rule
    ("matched", ["INV-0010001"], ["10001"], "0.00", None, "reference_variant"),
    ("difference", ["INV-0010002"], ["INV10002"], "-9.00", "billing_error", "reference_variant"),
    ("difference", ["INV-0010003"], ["Inv 10003"], "50.00", "rate_difference", "reference_variant"),
    ("matched", ["INV-0010004"], ["CUST-77"], "0.00", None, "your_reference"),
    ("ledger_only", ["INV-0010004"], [], "500.00", "billing_error", "ledger_only"),
    ("ledger_only", ["DN-0000005"], [], "25.00", "interest_penalty", "ledger_only"),
    ("ledger_only", ["INV-0010006"], [], "700.00", "timing_difference", "ledger_only"),
    ("matched", ["DZ-1400000001", "DZ-1400000002"], ["PAY-9"], "0.00", None, "many_to_one"),
    ("matched", ["INV-0010007"], ["10OO7"], "0.00", None, "reference_ocr"),
    ("matched", ["INV-0010008"], ["10008"], "0.00", None, "reference_variant"),
    ("ledger_only", ["INV-0010009"], [], "650.00", "unapproved_service", "ledger_only"),
    ("difference", ["INV-0010010"], ["100010"], "40.00", "freight", "reference_fuzzy"),
    ("ledger_only", ["FC-7"], [], "12.40", "interest_penalty", "ledger_only"),
    ("statement_only", [], ["DED-1"], "50.00", "promotion_not_applied", "statement_only"),
    ("statement_only", [], ["PAY-10"], "1000.00", "timing_difference", "statement_only"),
    ("statement_only", [], ["DN-881"], "120.00", "returned_material", "statement_only"),
    ("statement_only", [], ["DED-2"], "30.00", "dispute", "statement_only"),
    ("statement_only", [], ["CHQ-1"], "5.00", "unidentified", "statement_only"),
]


def test_every_pass_and_reason(statement: NormalizedStatement, ledger: Ledger) -> None:
    result = reconcile(statement, ledger)
    got = [
        (
            i.status.value,
            i.ledger_refs,
            i.statement_refs,
            str(i.difference),
            i.reason and i.reason.value,
            i.rule,
        )
        for i in result.items
    ]
    assert got == EXPECTED
    assert result.ledger_balance == Decimal("7621.40")
    assert result.statement_balance == Decimal("4448.00")
    assert result.difference == Decimal("3173.40")
    assert result.unexplained == Decimal("0.00")
    assert sum(i.difference for i in result.items) == result.difference
    covered_l = sorted(p for i in result.items for p in i.ledger_entries)
    covered_s = sorted(p for i in result.items for p in i.statement_lines)
    assert covered_l == list(range(len(ledger.entries)))
    assert covered_s == list(range(len(statement.lines)))


def test_resolutions_and_evidence_name_the_documents(statement: NormalizedStatement, ledger: Ledger) -> None:
    items = {tuple(i.statement_refs or i.ledger_refs): i for i in reconcile(statement, ledger).items}
    assert (
        items[("DN-881",)].resolution
        == "issue the credit note for RMA-5567 once the goods are received, 120.00"
    )
    assert items[("DED-1",)].resolution == (
        "issue the promotion credit note for DED-1 (deducted from INV-0010008), 50.00, "
        "if the promotion is valid; else reject the deduction"
    )
    assert "statement line 6 names our invoice INV-0010008" in items[("DED-1",)].evidence
    assert items[("PAY-10",)].resolution == "none: PAY-10 clears by itself, 1,000.00; check it next period"
    assert any("transposition" in e for e in items[("INV10002",)].evidence)
    assert items[("CHQ-1",)].reason is ReasonCode.unidentified
    assert items[("CHQ-1",)].confidence == 0.2


def test_json_contract(statement: NormalizedStatement, ledger: Ledger) -> None:
    payload = json.loads(reconcile(statement, ledger).model_dump_json())
    assert {"ledger_balance", "statement_balance", "difference", "items"} <= payload.keys()
    item = payload["items"][1]
    assert item["status"] == "difference"
    assert item["ledger_amount"] == "1234.00" and item["statement_amount"] == "1243.00"
    assert item["difference"] == "-9.00"
    assert item["reason"] == "billing_error"
    assert set(item) >= {"ledger_refs", "statement_refs", "resolution", "evidence", "rule", "confidence"}
    assert payload["items"][0]["reason"] is None and payload["items"][0]["resolution"] is None


def test_unexplained_remainder_is_shown(statement: NormalizedStatement, ledger: Ledger) -> None:
    off = statement.model_copy(update={"closing_balance": Decimal("4400.00")})
    result = reconcile(off, ledger)
    assert result.unexplained == Decimal("48.00")
    assert sum(i.difference for i in result.items) + result.unexplained == result.difference
    assert any("unexplained 48.00" in w for w in result.warnings)


def test_timing_window_is_an_option(statement: NormalizedStatement, ledger: Ledger) -> None:
    result = reconcile(statement, ledger, ReconcileOptions(timing_days=1))
    pay = next(i for i in result.items if i.statement_refs == ["PAY-10"])
    assert pay.reason is ReasonCode.unidentified
    assert pay.status is ItemStatus.statement_only


def test_empty_sides() -> None:
    from models import Source

    statement = NormalizedStatement(source=Source(filename="x.csv", form="csv", sha256="0"))
    result = reconcile(statement, Ledger())
    assert result.items == [] and result.difference == Decimal("0.00")


def test_repeated_amounts_and_keys_pair_one_to_one_in_date_order() -> None:
    """Three payments of one amount without references pair first with first, second with second
    by date (never as a product); a key shared by two entries pairs by date only where the amounts
    agree, else both are left to the later passes."""
    import datetime as dt

    from models import LedgerEntry, Source, StatementLine

    def entry(date: str, ref: str, amount: str) -> LedgerEntry:
        return LedgerEntry(date=dt.date.fromisoformat(date), reference=ref, amount=Decimal(amount))

    def line(date: str, ref: str | None, amount: str) -> StatementLine:
        return StatementLine(
            date=dt.date.fromisoformat(date), reference=ref, description="", amount=Decimal(amount)
        )

    ledger = Ledger(
        entries=[
            entry("2026-09-09", "", "-100.00"),
            entry("2026-09-01", "", "-100.00"),
            entry("2026-09-05", "", "-100.00"),
            entry("2026-09-02", "INV-0000777", "70.00"),
            entry("2026-09-03", "INV-0000777", "70.00"),
            entry("2026-09-04", "INV-0000888", "10.00"),
            entry("2026-09-05", "INV-0000888", "20.00"),
        ]
    )
    statement = NormalizedStatement(
        source=Source(filename="x.csv", form="csv", sha256="0"),
        lines=[
            line("2026-09-10", None, "-100.00"),
            line("2026-09-02", None, "-100.00"),
            line("2026-09-06", None, "-100.00"),
            line("2026-09-03", "777", "70.00"),
            line("2026-09-02", "777", "70.00"),
            line("2026-09-04", "888", "11.00"),
            line("2026-09-05", "888", "19.00"),
        ],
    )
    pairs = {
        (i.ledger_entries[0], i.statement_lines[0]): i.rule
        for i in reconcile(statement, ledger).items
        if len(i.ledger_entries) == len(i.statement_lines) == 1
    }
    assert pairs == {(1, 1): "amount_date", (2, 2): "amount_date", (0, 0): "amount_date",
                     (3, 4): "reference_variant", (4, 3): "reference_variant"}  # fmt: skip


def test_reference_keys() -> None:
    assert {reference_to_key(r) for r in ("INV-0012345", "12345", "Inv 12345", "INV12345", "inv/012345")} == {
        "12345"
    }
    assert key_to_ocr_key(reference_to_key("INV-OO12B45")) == "12845"
    assert key_to_ocr_key(reference_to_key("10OO7")) == "10007"


def test_patterns() -> None:
    assert is_transposition(123400, 124300)
    assert not is_transposition(123400, 123409)
    assert find_subset(300, [100, 50, 200, 7]) == (0, 2)
    assert find_subset(300, [300, 1]) is None
    # 40 candidates that cannot hit the target: the bound stops the search
    assert find_subset(1, [2] * 40, max_nodes=1000) is None
    assert find_subset(10**9 + 1, list(range(1, 41)), max_nodes=1000) is None


def test_fast_built_matched_items_equal_validated_ones(
    statement: NormalizedStatement, ledger: Ledger
) -> None:
    from models import ReconciliationItem

    for item in reconcile(statement, ledger).items:
        assert ReconciliationItem.model_validate(item.model_dump()) == item


def test_batch_keys_equal_single_keys() -> None:
    from reconcile.references import keys_to_ocr_keys, references_to_keys

    references = [
        "INV-0012345", "12345", "Inv 12345", "inv/012345", "CN-0034", "CN34", "10OO7", "INV-OO12B45", "",
        None, "ABC", "0000", "INV-000", "A1B2", "ABCDEFGH123", "ABCDEF0123", "ABCDEFG0123", "INV0A12",
        "INV0AB007", "INV00012", "straße 12", "É-0012", "x\ty 001", "A0", "A00012", "A000123",
    ]  # fmt: skip
    keys = [reference_to_key(r) for r in references]
    assert references_to_keys(references) == keys
    assert references_to_keys(["a\nb", "INV-001"]) == ["AB", "INV1"]  # one by one
    assert keys_to_ocr_keys(keys) == [key_to_ocr_key(k) for k in keys]

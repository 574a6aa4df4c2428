"""The committed samples are exactly what the generator writes, and their truth is consistent."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from models import NormalizedStatement

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
TEXT_SUFFIXES = (".json", ".csv")
TAGS = {"invoice", "payment", "credit_note", "debit_note", "adjustment", "opening_balance",
        "freight", "promotion", "discount", "rebate", "return", "interest_penalty", "dispute",
        "short_payment", "damaged", "service", "price_rate", "tax", "write_off", "duplicate", "no_po"}
REASONS = ("rate_difference", "promotion_not_applied", "interest_penalty", "freight", "dispute",
           "returned_material", "unapproved_service", "billing_error", "timing_difference")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh run of ``samples/generate.py`` into a temporary folder."""
    out = tmp_path_factory.mktemp("samples")
    subprocess.run([sys.executable, str(SAMPLES / "generate.py"), "--out", str(out)], check=True,
                   capture_output=True, timeout=120)
    return out


def _generated_files(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def test_committed_samples_match_a_fresh_run(regenerated: Path) -> None:
    written = _generated_files(regenerated)
    text = [p for p in written if p.suffix in TEXT_SUFFIXES]
    assert len([p for p in text if p.name.endswith(".expected.json")]) == 24
    for rel in text:
        assert (SAMPLES / rel).read_bytes() == (regenerated / rel).read_bytes(), f"{rel} drifted: regenerate"


def test_documents_are_byte_stable_and_hashed_in_their_truth(regenerated: Path) -> None:
    for expected in sorted(regenerated.glob("*-????-??.expected.json")):
        data = json.loads(expected.read_text(encoding="utf-8"))
        document = regenerated / data["source"]["filename"]
        digest = hashlib.sha256(document.read_bytes()).hexdigest()
        assert data["source"]["sha256"] == digest
        assert hashlib.sha256((SAMPLES / document.name).read_bytes()).hexdigest() == digest
        assert document.stat().st_size < 200_000


def test_expected_statements_are_the_model_and_add_up() -> None:
    forms: Counter[str] = Counter()
    for expected in sorted(SAMPLES.glob("*-????-??.expected.json")):
        text = expected.read_text(encoding="utf-8")
        statement = NormalizedStatement.model_validate_json(text)
        forms[statement.source.form] += 1
        assert json.loads(statement.model_dump_json()) == json.loads(text)
        lines = statement.lines
        assert all("opening_balance" not in line.tags for line in lines)
        start = statement.opening_balance
        assert start is not None and statement.closing_balance is not None
        assert start + sum((line.amount for line in lines), Decimal("0.00")) == statement.closing_balance
        for line in lines:
            assert line.tags == sorted(line.tags) and set(line.tags) <= TAGS, line
        balances = [line.balance for line in lines if line.balance is not None]
        if balances:
            assert balances[-1] == statement.closing_balance
    assert forms == {"digital_pdf": 8, "xlsx": 2, "csv": 2}


def test_reconciliation_truth_adds_up_and_covers_every_reason() -> None:
    reasons: Counter[str] = Counter()
    for truth_file in sorted(SAMPLES.glob("*.reconciliation.expected.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        statement = json.loads((SAMPLES / truth_file.name.replace(".reconciliation", "")).read_text())
        assert truth["statement_balance"] == statement["closing_balance"]
        assert (SAMPLES / truth["ledger"]).is_file()
        total = sum((Decimal(d["difference"]) for d in truth["differences"]), Decimal("0.00"))
        assert total == Decimal(truth["difference"])
        assert Decimal(truth["ledger_balance"]) - Decimal(truth["statement_balance"]) == total
        refs = {line["reference"] for line in statement["lines"]}
        for d in truth["differences"]:
            assert set(d["statement_refs"]) <= refs
            reasons[d["reason"]] += 1
    assert all(reasons[r] >= 2 for r in REASONS), reasons


def test_long_statement_is_made_in_memory() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # samples/ is not part of the installed distribution
    from samples.generate import generate_long_statement

    content, truth = generate_long_statement(3)
    assert content.startswith(b"%PDF-")
    assert max(line["page"] for line in truth["lines"]) == 3
    assert truth["source"]["sha256"] == hashlib.sha256(content).hexdigest()
    assert generate_long_statement(3)[0] == content

"""Every sample: its statement truth JSON against its ledger export must give exactly the injected
differences (status, refs, amounts, reason), the matched count, and totals that close."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from models import ItemStatus, Ledger, NormalizedStatement, ReasonCode, Reconciliation
from reconcile import reconcile
from reconcile.ledger import load_ledger

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
TRUTHS = sorted(SAMPLES.glob("*.reconciliation.expected.json"))


def _ledger(path: Path) -> Ledger:
    """The ledger export tagged by the shipped tagger, as the CLI and the service do."""
    from extract.tagging import tag_ledger

    return tag_ledger(load_ledger(path.read_bytes(), path.name))


def _reconciled(truth_path: Path) -> tuple[dict[str, Any], Reconciliation]:
    truth = json.loads(truth_path.read_text())
    statement_truth = SAMPLES / (Path(truth["statement"]).with_suffix("").name + ".expected.json")
    statement = NormalizedStatement.model_validate_json(statement_truth.read_bytes())
    return truth, reconcile(statement, _ledger(SAMPLES / truth["ledger"]))


def _difference_key(d: dict[str, Any]) -> tuple[Any, ...]:
    return (
        d["status"], tuple(d["ledger_refs"]), tuple(d["statement_refs"]), d["ledger_amount"],
        d["statement_amount"], d["difference"], d["reason"],
    )  # fmt: skip


@pytest.mark.parametrize("truth_path", TRUTHS, ids=[p.name.split(".")[0] for p in TRUTHS])
def test_sample_reconciles_exactly(truth_path: Path) -> None:
    truth, result = _reconciled(truth_path)
    got = [
        json.loads(item.model_dump_json()) for item in result.items if item.status is not ItemStatus.matched
    ]
    assert sorted(map(_difference_key, got)) == sorted(map(_difference_key, truth["differences"]))
    # The truth counts matched documents; the opening balances agreeing is not one.
    matched = [i for i in result.items if i.status is ItemStatus.matched and i.rule != "opening_balance"]
    assert len(matched) == truth["matched_count"]
    assert str(result.ledger_balance) == truth["ledger_balance"]
    assert str(result.statement_balance) == truth["statement_balance"]
    assert str(result.difference) == truth["difference"]
    assert result.unexplained == Decimal("0.00")
    assert sum(i.difference for i in result.items) == result.ledger_balance - result.statement_balance


def test_samples_cover_every_evidenced_reason_twice() -> None:
    """Every reason but ``unidentified`` (no evidence: tests/reconcile/test_engine.py has it)."""
    if not TRUTHS:
        pytest.skip("no reconciliation samples yet")
    reasons: dict[str, int] = {}
    for path in TRUTHS:
        for d in json.loads(path.read_text())["differences"]:
            reasons[d["reason"]] = reasons.get(d["reason"], 0) + 1
    assert min(reasons.values()) >= 2
    assert set(reasons) == {code.value for code in ReasonCode} - {"unidentified"}

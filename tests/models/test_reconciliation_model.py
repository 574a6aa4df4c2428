"""ReconciliationItem.matched_one_to_one builds, without validation, what validation would build."""

from __future__ import annotations

import pickle
from decimal import Decimal

from models.reconciliation import ItemStatus, ReconciliationItem


def test_matched_one_to_one_equals_validated_items() -> None:
    built = ReconciliationItem.matched_one_to_one(
        ["INV-1", ""], ["INV-1", "PAY-9"], [Decimal("12.50"), Decimal("-3.00")],
        ["exact_reference", "amount_date"], ["same reference", "same amount"], [1.0, 0.75], [4, 7], [0, 2],
    )
    validated = [
        ReconciliationItem(status=ItemStatus.matched, ledger_refs=["INV-1"], statement_refs=["INV-1"],
                           ledger_amount=Decimal("12.50"), statement_amount=Decimal("12.50"),
                           evidence=["same reference"], rule="exact_reference", confidence=1.0,
                           ledger_entries=[4], statement_lines=[0]),
        ReconciliationItem(status=ItemStatus.matched, ledger_refs=[], statement_refs=["PAY-9"],
                           ledger_amount=Decimal("-3.00"), statement_amount=Decimal("-3.00"),
                           evidence=["same amount"], rule="amount_date", confidence=0.75,
                           ledger_entries=[7], statement_lines=[2]),
    ]
    assert built == validated
    assert [item.model_dump_json() for item in built] == [item.model_dump_json() for item in validated]
    assert [ReconciliationItem.model_validate(item.model_dump()) for item in built] == validated
    assert pickle.loads(pickle.dumps(built)) == built

"""Reference normalization and the choice of the supplier's document number."""

from __future__ import annotations

from extract.headers import ColumnRole
from extract.references import choose_reference, normalize_reference, reference_shape_score

R = ColumnRole


def test_normalize_reference() -> None:
    assert normalize_reference("  INV -\u00a0 0012345 ") == "INV - 0012345"
    assert normalize_reference("INV-1;") == "INV-1"
    assert normalize_reference("   ") is None


def test_shape_prefers_supplier_document_numbers() -> None:
    assert (
        reference_shape_score("INV-0012345") > reference_shape_score("12345") > reference_shape_score("VI-1")
    )
    assert reference_shape_score("VI-1") > reference_shape_score("PO-4411") > reference_shape_score("Payment")
    assert reference_shape_score("Inv 12345") == reference_shape_score("CN-77")


def test_choose_by_column_meaning_and_shape() -> None:
    assert choose_reference([(R.po, "PO-1"), (R.invoice_no, "INV-9")]) == ("INV-9", ["PO-1"])
    assert choose_reference([(R.your_ref, "PO-88"), (R.our_ref, "12345")]) == ("12345", ["PO-88"])
    # on the customer's print "Your Ref" is the supplier's number, "Our Ref" the customer's voucher
    assert choose_reference([(R.our_ref, "VI-553311"), (R.your_ref, "100234")], printed_by_customer=True) == (
        "100234",
        ["VI-553311"],
    )
    assert choose_reference([(R.reference, "PMT-4411")]) == ("PMT-4411", [])
    assert choose_reference([(R.reference, "")]) == (None, [])
    assert choose_reference([(R.document_no, "INV-1"), (R.reference, "INV-1")]) == ("INV-1", [])


def test_several_references_in_one_cell() -> None:
    assert choose_reference([(R.reference, "PO-4411 / INV-0012345")]) == ("INV-0012345", ["PO-4411"])
    assert choose_reference([(R.reference, "12345; 12351")]) == ("12345", ["12351"])
    assert choose_reference([(R.reference, "P/O 4411")]) == ("P/O 4411", [])
    assert choose_reference([(R.reference, "Payment, thank you")]) == ("Payment, thank you", [])

"""Document references on a statement line: normalize them and pick the supplier's document number.

A row may carry several references (Our Ref / Your Ref / Document No / Invoice No / PO). The one
most likely to be the supplier's (our) document number becomes ``reference``: judged by the
column's meaning (which depends on who printed the statement: on the customer's print, "Your
Ref" is the supplier's number) and by the shape of the text (``INV-``, ``CN-``, digits).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from extract.headers import ColumnRole

__all__ = ["choose_reference", "normalize_reference", "reference_shape_score", "split_references"]

_SUPPLIER_PREFIX = re.compile(
    r"^(?:INV|IN|CN|DN|CRN|DBN|SI|SINV|SCN|RI|BIL|BILL|FAC|FA|RE|RG)[\s\-_/.#]*\d", re.I
)
_CUSTOMER_PREFIX = re.compile(
    r"^(?:PO|P/O|ORD|GRN|PMT|PAY|CHQ|CHK|BACS|ACH|WIRE|TRF|DD|RCPT|REM|VCH|AP)[\s\-_/.#]*\d", re.I
)
_DIGITS = re.compile(r"\d")
_SEPARATORS = re.compile(r"\s+/\s+|\s*[;,]\s+|\s*;\s*")


def normalize_reference(text: str) -> str | None:
    """``text`` with whitespace collapsed and stray punctuation trimmed; None when nothing is left."""
    s = " ".join(text.split()).strip(" ,;:|")
    return s or None


def reference_shape_score(text: str) -> float:
    """How much ``text`` looks like a supplier's document number (INV-/CN-/digits), not a PO or payment."""
    if _SUPPLIER_PREFIX.match(text):
        return 2.0
    if _CUSTOMER_PREFIX.match(text):
        return -1.0
    if not _DIGITS.search(text):
        return -2.0
    if text.isdigit():
        return 1.0
    return 0.5


def _role_score(role: ColumnRole, printed_by_customer: bool) -> float:
    # "Our" / "Your" are the printer's words: on the customer's print "Your Ref" is the supplier's.
    if role in (ColumnRole.document_no, ColumnRole.invoice_no):
        return 1.5
    if role is ColumnRole.reference:
        return 1.0
    if role is ColumnRole.our_ref:
        return -0.5 if printed_by_customer else 2.0
    if role is ColumnRole.your_ref:
        return 2.0 if printed_by_customer else -0.5
    if role is ColumnRole.po:
        return -1.5
    return 0.0


def split_references(text: str) -> list[str]:
    """One cell holding several references ("INV-0012345 / PO-4411", "12345; 12351"), split.

    Only when every part carries a digit: "Payment - thank you" or "P/O 4411" stay whole.
    """
    if "/" not in text and ";" not in text and "," not in text:
        return [text]  # every separator has one of them: most references are one
    parts = [p.strip() for p in _SEPARATORS.split(text)]
    if len(parts) > 1 and all(_DIGITS.search(p) for p in parts):
        return parts
    return [text]


def choose_reference(
    candidates: Sequence[tuple[ColumnRole, str]], printed_by_customer: bool = False
) -> tuple[str | None, list[str]]:
    """The supplier's document number among a row's ``(column role, text)``, and the other references."""
    refs = [
        (role, ref)
        for role, text in candidates
        for part in split_references(text)
        if (ref := normalize_reference(part))
    ]
    if len(refs) < 2:
        return (refs[0][1], []) if refs else (None, [])
    best = max(
        range(len(refs)),
        key=lambda i: (reference_shape_score(refs[i][1]) + _role_score(refs[i][0], printed_by_customer), -i),
    )
    others: list[str] = []
    for i, (_, ref) in enumerate(refs):
        if i != best and ref != refs[best][1] and ref not in others:
            others.append(ref)
    return refs[best][1], others

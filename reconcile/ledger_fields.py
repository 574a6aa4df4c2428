"""Field parsing for AR ledger exports: amounts, dates, header names and document types.

A small parser of its own (reconcile/ must not import extract/): ERP exports are cleaner than
printed statements, but still carry European decimals, trailing minus signs, CR/DR suffixes and
ambiguous DD/MM vs MM/DD dates, decided per column from the unambiguous values in it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")

# Canonical ledger fields and the header names ERPs give them, best first. A header matches a
# field when its normalized form equals one of these; the earliest synonym wins between columns.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": (
        "posting date",
        "post date",
        "document date",
        "doc date",
        "transaction date",
        "txn date",
        "entry date",
        "booking date",
        "date",
        "invoice date",
    ),
    "reference": (
        "document number",
        "document no",
        "doc number",
        "doc no",
        "invoice number",
        "invoice no",
        "transaction number",
        "transaction no",
        "tran number",
        "num",
        "number",
        "no",
        "ref number",
        "reference",
    ),
    "other_reference": (
        "external document no",
        "external document number",
        "external doc no",
        "your ref",
        "your reference",
        "customer ref",
        "customer reference",
        "po number",
        "po no",
        "po",
        "reference",
        "assignment",
        "memo reference",
    ),
    "document_type": ("document type", "doc type", "transaction type", "txn type", "type", "source type"),
    "description": (
        "text",
        "description",
        "memo description",
        "memo",
        "details",
        "particulars",
        "narration",
        "line description",
    ),
    "amount": (
        "amount in lc",
        "amount in local currency",
        "amount lcy",
        "amount",
        "original amount",
        "gross amount",
        "gross",
        "total amount",
        "total",
        "value",
    ),
    "debit": ("debit", "debit amount", "debit lcy", "dr", "charges"),
    "credit": ("credit", "credit amount", "credit lcy", "cr", "payments"),
    "currency": ("currency", "currency code", "curr", "crcy", "local currency", "lc currency"),
    "account": ("customer", "customer no", "customer number", "account", "account number", "customer id"),
}

# What an ERP's document type says the entry is (SAP codes, Business Central, NetSuite,
# QuickBooks and Xero names), keyed by the normalized type text.
DOCUMENT_TYPE_KINDS: dict[str, str] = {
    "dr": "invoice",
    "rv": "invoice",
    "invoice": "invoice",
    "inv": "invoice",
    "sales invoice": "invoice",
    "receivable invoice": "invoice",
    "accrec": "invoice",
    "bill": "invoice",
    "dz": "payment",
    "payment": "payment",
    "pmt": "payment",
    "receipt": "payment",
    "customer payment": "payment",
    "receivable payment": "payment",
    "sales receipt": "payment",
    "cash receipt": "payment",
    "refund": "payment",
    "dg": "credit_note",
    "credit memo": "credit_note",
    "credit note": "credit_note",
    "cn": "credit_note",
    "receivable credit note": "credit_note",
    "accreccredit": "credit_note",
    "credit": "credit_note",
    "dn": "debit_note",
    "debit memo": "debit_note",
    "debit note": "debit_note",
    "finance charge memo": "debit_note",
    "reminder": "debit_note",
    "ab": "adjustment",
    "sa": "adjustment",
    "journal": "adjustment",
    "journal entry": "adjustment",
    "general journal": "adjustment",
    "adjustment": "adjustment",
    "opening balance": "opening_balance",
    "ob": "opening_balance",
}

# Document types that are themselves evidence of a reason (Business Central's finance charge memo
# is a late-payment interest charge).
DOCUMENT_TYPE_CUES: dict[str, str] = {
    "finance charge memo": "interest_penalty",
    "reminder": "interest_penalty",
    "interest": "interest_penalty",
}

_AMOUNT_NOISE = re.compile(r"[A-Za-z€$£¥₹\s'’]")
_CURRENCY_CODE = re.compile(r"\b[A-Z]{3}\b")
_DATE_NUMERIC = re.compile(r"^(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_DATE_TEXT_DMY = re.compile(r"^(\d{1,2})[\s./-]*([A-Za-z]{3,9})\.?[\s./-]*(\d{2,4})$")
_DATE_TEXT_MDY = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$")


def normalize_header(text: str) -> str:
    """A header reduced to lowercase words: "Amount in LC" -> "amount in lc", "Doc. No." -> "doc no"."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def decimal_comma_of(values: Iterable[str]) -> bool:
    """Whether a column writes decimals with a comma (1.234,56), decided by its values' majority."""
    comma = dot = 0
    for value in values:
        match = re.search(r"([.,])(\d+)\D*$", value)
        if match is None:
            continue
        mark, digits = match.groups()
        if len(digits) == 2 or (len(digits) != 3 and len(digits) > 0):
            if mark == ",":
                comma += 1
            else:
                dot += 1
        elif mark == "," and "." in value[: match.start()]:
            comma += 1  # 1.234,567 cannot be a thousands comma after a dot
    return comma > dot


def parse_amount(text: str, decimal_comma: bool = False) -> Decimal | None:
    """A money text -> Decimal to the cent, receivable sign as printed; None for blank.

    Handles ``(1,234.56)``, ``1,234.56 CR``, ``1.234,56-``, ``-1 234,56``, symbols and ISO codes.
    Raises ValueError for text that is not an amount.
    """
    raw = text.strip()
    if not raw or raw in {"-", "–"}:
        return None
    upper = raw.upper()
    negative = False
    if upper.endswith("CR"):
        negative, upper = True, upper[:-2]
    elif upper.endswith("DR"):
        upper = upper[:-2]
    upper = _CURRENCY_CODE.sub("", upper)
    body = _AMOUNT_NOISE.sub("", upper)
    if body.startswith("(") and body.endswith(")"):
        negative, body = not negative, body[1:-1]
    if body.endswith("-"):
        negative, body = not negative, body[:-1]
    if body.startswith("-"):
        negative, body = not negative, body[1:]
    elif body.startswith("+"):
        body = body[1:]
    body = body.replace(".", "").replace(",", ".") if decimal_comma else body.replace(",", "")
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", body):
        raise ValueError(f"not an amount: {text!r}")
    try:
        value = Decimal(body).quantize(CENT)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    return -value if negative else value


def dayfirst_of(values: Iterable[str], default: bool = True) -> bool:
    """Whether a column's numeric dates are DD/MM (True) or MM/DD, from its unambiguous values."""
    day_first = month_first = 0
    for value in values:
        match = _DATE_NUMERIC.match(value.strip().split(" ")[0])
        if match is None or len(match.group(1)) == 4:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            day_first += 1
        elif second > 12 >= first:
            month_first += 1
    if day_first == month_first:
        return default
    return day_first > month_first


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def parse_date(text: str, dayfirst: bool = True) -> dt.date | None:
    """A date text -> date; None for blank. ISO, DD/MM/YYYY or MM/DD/YYYY, 03-Sep-2026, Sep 3, 2026.

    Raises ValueError for text that is not a date.
    """
    raw = text.strip()
    if not raw:
        return None
    head = raw.split("T")[0].split(" ")[0] if _DATE_NUMERIC.match(raw.split(" ")[0]) else raw
    try:
        match = _DATE_NUMERIC.match(head)
        if match is not None:
            a, b, c = match.groups()
            if len(a) == 4:
                return dt.date(int(a), int(b), int(c))
            day, month = (int(a), int(b)) if dayfirst else (int(b), int(a))
            return dt.date(_year(c), month, day)
        match = _DATE_TEXT_DMY.match(raw)
        if match is not None and match.group(2)[:3].lower() in _MONTHS:
            return dt.date(_year(match.group(3)), _MONTHS[match.group(2)[:3].lower()], int(match.group(1)))
        match = _DATE_TEXT_MDY.match(raw)
        if match is not None and match.group(1)[:3].lower() in _MONTHS:
            return dt.date(int(match.group(3)), _MONTHS[match.group(1)[:3].lower()], int(match.group(2)))
    except ValueError as exc:
        raise ValueError(f"not a date: {text!r}") from exc
    raise ValueError(f"not a date: {text!r}")


def headers_to_columns(headers: Sequence[str]) -> dict[str, int]:
    """Header cells -> {canonical field: column index}, each column used once, best synonym first.

    ``reference`` is taken before ``other_reference``, so SAP's "Document Number" is our reference
    and its "Reference" (the customer's) goes to other references.
    """
    normalized = [normalize_header(h) for h in headers]
    taken: set[int] = set()
    columns: dict[str, int] = {}
    for field, synonyms in HEADER_SYNONYMS.items():
        for synonym in synonyms:
            found = [i for i, h in enumerate(normalized) if h == synonym and i not in taken]
            if found:
                columns[field] = found[0]
                taken.add(found[0])
                break
    return columns


@functools.cache
def document_type_to_kind(document_type: str | None) -> str | None:
    """An ERP document type ("DZ", "Credit Memo", "Receivable Invoice") -> a document-type tag or None."""
    if not document_type:
        return None
    return DOCUMENT_TYPE_KINDS.get(normalize_header(document_type))


def document_type_to_cue(document_type: str | None) -> str | None:
    """An ERP document type that itself names a cue ("Finance Charge Memo" -> interest_penalty), or None."""
    if not document_type:
        return None
    return DOCUMENT_TYPE_CUES.get(normalize_header(document_type))

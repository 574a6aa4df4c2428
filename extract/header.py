"""The statement header block: customer, account, statement date, currency, opening / closing balance.

Read from the text outside the statement table (a PDF's words and key-value tables above and
below it, a spreadsheet's title and totals rows) as ``label: value`` pairs in varied wording:
"Account No", "Customer", "Statement Date", "As at", "Currency", "Balance brought forward",
"Closing balance", "Total due"... A label starts a segment (a run of words without a wide gap,
or a cell); its value is the rest of the segment, else the next segment on the line, else, for a
row of labels (a strip), the segment below it, else the next line. Each value is checked by its
field's parser, so a stray label costs nothing. Without a customer label, the customer is the
first name block at the top left that is neither the supplier (named by a "Supplier" / "Vendor"
/ "due to" label) nor one of ``company_names`` (our own names).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from extract.amounts import DecimalConvention, currency_in_text, parse_amount
from extract.dates import DateOrder, find_date

__all__ = ["HeaderBlock", "TextLine", "TextSegment", "text_lines_to_header"]


@dataclass(frozen=True, slots=True)
class TextSegment:
    """A run of words on one line (or one cell); coordinates as in the layout, page 1-based (0: none)."""

    text: str
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    page: int = 0


TextLine = tuple[TextSegment, ...]


@dataclass(frozen=True)
class HeaderBlock:
    """What the header block says; None where it says nothing."""

    customer_name: str | None = None
    account: str | None = None
    statement_date: dt.date | None = None
    currency: str | None = None
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    supplier_names: tuple[str, ...] = ()


_NO = r"(?:no|nr|nbr|number|num|#|id|code|ref)\b\.?"
_FIELDS: tuple[tuple[str, str], ...] = (
    ("supplier", r"supplier\s+name|vendor\s+name|supplier|vendor|creditor|lieferant"),
    ("vendor_no", rf"(?:vendor|supplier|creditor|kreditor)\s*(?:account\s*)?{_NO}|kreditorennummer"),
    (
        "account",
        rf"(?:your\s+|our\s+)?(?:customer|client|debtor)\s*(?:account\s*)?{_NO}|(?:our\s+|your\s+)?"
        rf"(?:customer\s+|client\s+)?(?:account|acct|a/c)\s*{_NO}|(?:customer\s+|client\s+)?account"
        r"|kundennummer|kunden-?nr\.?|konto(?:nummer)?",
    ),
    ("customer", r"customer\s+name|client\s+name|account\s+name|customer|client|bill\s+to|sold\s+to|kunde"),
    (
        "opening",
        r"opening\s+balance|balance\s+brought\s+forward|balance\s+b/f|brought\s+forward|previous\s+balance"
        r"|balance\s+forward|beginning\s+balance|starting\s+balance|anfangssaldo|saldovortrag",
    ),
    (
        "closing",
        r"closing\s+balance|total\s+(?:amount\s+)?due|amount\s+due|balance\s+due(?:\s+to\s+(?P<due_to>[^:]+))?"
        r"|total\s+outstanding|balance\s+outstanding|ending\s+balance|new\s+balance|total\s+balance"
        r"|balance\s+carried\s+forward|outstanding\s+balance|balance\s+owing|total\s+owing|endsaldo"
        r"|total\s+(?P<total_of>[A-Za-z][^:]*)",
    ),
    (
        "date",
        r"statement\s+date|date\s+of\s+statement|statement\s+as\s+(?:at|of)|as\s+(?:at|of)"
        r"|period\s+end(?:ing)?|statement\s+period\s+end|through|(?:statement\s+)?period|date",
    ),
    ("currency", r"currency|all\s+amounts\s+in|amounts\s+in|curr\.?|währung"),
)
_LABEL = re.compile(
    "^(?:"
    + "|".join(rf"(?P<{name}>(?:{pattern}))" for name, pattern in _FIELDS)
    + r")\s*(?::|-(?=\s)|#)?\s*",
    re.I,
)
_ACCOUNT_VALUE = re.compile(r"^(?=[A-Z0-9\-/.]*\d)[A-Z0-9][A-Z0-9\-/.]*", re.I)
_AMOUNT_TOKEN = re.compile(
    r"(?:[A-Z]{3}\s?|[$€£]\s?)?\(?-?\d[\d.,'\u00a0\u202f ]*\d"
    r"(?:\s?(?:CR|DR|Cr|Dr))?\)?-?(?:\s?[A-Z]{3}|\s?[$€£])?"
)
_NOT_A_NAME = re.compile(
    r"statement|account|ledger|\bpage\b|balance|confirmation|returned|invoice|remittance|\btel\b|phone|e-?mail|"
    r"www\.|@|\bvat\b|^\W*$",
    re.I,
)
_TRAILING_NUMBER = re.compile(r"\s*\(?\b\d+\)?\s*$")  # "Northwind Components Ltd (70455)"


def _label(segment: TextSegment) -> tuple[str, str, re.Match[str]] | None:
    """``(field, value after the label, match)`` when ``segment`` starts with a label."""
    m = _LABEL.match(segment.text)
    if not m or m.lastgroup is None:
        return None
    field = next(name for name, _ in _FIELDS if m.group(name) is not None)
    rest = segment.text[m.end() :].strip(" :|")
    # a label glued to a word ("Dateline", "Customers") is not a label
    if rest and m.group(0)[-1:].isalnum() and segment.text[m.end() - 1 : m.end() + 1].isalnum():
        return None
    return field, rest, m


def _overlap(a: TextSegment, b: TextSegment) -> float:
    return max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0))


def _pairs(lines: Sequence[TextLine]) -> list[tuple[str, str, re.Match[str]]]:
    """``(field, value text, label match)`` for every label, values found as the module doc says."""
    pairs: list[tuple[str, str, re.Match[str]]] = []
    for i, line in enumerate(lines):
        labels = [_label(s) for s in line]
        bare = sum(1 for lab in labels if lab is not None and not lab[1])
        for j, (segment, lab) in enumerate(zip(line, labels, strict=True)):
            if lab is None:
                continue
            field, value, m = lab
            if not value and j + 1 < len(line) and labels[j + 1] is None:
                value = line[j + 1].text
            elif not value and bare >= 2 and i + 1 < len(lines):
                below = max(lines[i + 1], key=lambda s: _overlap(segment, s), default=None)
                if below is not None and _overlap(segment, below) > 0:
                    value = below.text
            elif not value and j + 1 == len(line) and i + 1 < len(lines) and _label(lines[i + 1][0]) is None:
                value = lines[i + 1][0].text
            pairs.append((field, value.strip(" :|"), m))
    return pairs


def _amount_in(text: str, convention: DecimalConvention) -> Decimal | None:
    """The first amount printed in ``text`` (dates skipped)."""
    for m in _AMOUNT_TOKEN.finditer(text):
        token = m.group(0).strip()
        value = parse_amount(token, convention)
        if value is not None and not re.search(r"\d[/.\-]\d{1,2}[/.\-]\d", token):
            return value
    return None


def _name_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text.lower()).split())


def _is_named(text: str, names: Sequence[str]) -> bool:
    key = _name_key(text)
    return any(n and (n in key or key in n) for n in (_name_key(name) for name in names) if key)


def _name_blocks(lines: Sequence[TextLine]) -> list[TextSegment]:
    """The first segment of each block of left-aligned, closely spaced lines on the first page."""
    segments = [line[0] for line in lines if line and line[0].page > 0]
    if not segments:
        return []
    first_page = min(s.page for s in segments)
    segments = sorted((s for s in segments if s.page == first_page), key=lambda s: (s.top, s.x0))
    left = min(s.x0 for s in segments)
    # left-aligned within 1.5 line heights (points or OCR pixels alike)
    tolerance = 1.5 * max(s.bottom - s.top for s in segments)
    column = [s for s in segments if s.x0 - left <= tolerance]
    heads: list[TextSegment] = []
    previous: TextSegment | None = None
    for segment in column:
        height = (previous.bottom - previous.top) if previous else 0.0
        if previous is None or segment.top - previous.top > 1.8 * max(height, 1.0):
            heads.append(segment)
        previous = segment
    return heads


def text_lines_to_header(
    lines: Sequence[TextLine],
    date_order: DateOrder = DateOrder.dmy,
    convention: DecimalConvention = DecimalConvention.point,
    company_names: Sequence[str] = (),
) -> HeaderBlock:
    """The header block fields found in ``lines`` (the first readable value of each field wins)."""
    found: dict[str, object] = {}
    suppliers: list[str] = list(company_names)
    for field, value, m in _pairs(lines):
        if field == "closing" and (m.group("due_to") or m.group("total_of")):
            suppliers.append(m.group("due_to") or m.group("total_of"))
        if field in ("supplier", "vendor_no") and value:
            suppliers.append(_TRAILING_NUMBER.sub("", value))
        # "Statement date" / "As at" outrank a bare "Date" seen earlier
        specific_date = field == "date" and m.group(0).strip(" :#-").lower() != "date"
        outranks = specific_date and "specific_date" not in found
        if (field in found and not outranks) or not value:
            continue
        parsed: object | None = None
        if field == "account":
            am = _ACCOUNT_VALUE.match(value)
            parsed = am.group(0).rstrip(".") if am else None
        elif field == "customer":
            # "Customer Statement" is a title, not a name
            parsed = value if any(ch.isalpha() for ch in value) and not _NOT_A_NAME.search(value) else None
        elif field == "date":
            # "Period: 01/09/2026 - 30/09/2026" ends at the statement date
            parsed = find_date(value, date_order, last="period" in m.group(0).lower())
        elif field == "currency":
            parsed = currency_in_text(value.upper())
        elif field in ("opening", "closing"):
            parsed = _amount_in(value, convention)
        if parsed is not None:
            found[field] = parsed
            if specific_date:
                found["specific_date"] = True
    customer = found.get("customer")
    if customer is None or _is_named(str(customer), company_names):
        customer = next(
            (
                s.text
                for s in _name_blocks(lines)
                if _label(s) is None and not _NOT_A_NAME.search(s.text) and not _is_named(s.text, suppliers)
            ),
            None,
        )
    return HeaderBlock(
        customer_name=customer,  # type: ignore[arg-type]
        account=found.get("account"),  # type: ignore[arg-type]
        statement_date=found.get("date"),  # type: ignore[arg-type]
        currency=found.get("currency"),  # type: ignore[arg-type]
        opening_balance=found.get("opening"),  # type: ignore[arg-type]
        closing_balance=found.get("closing"),  # type: ignore[arg-type]
        supplier_names=tuple(suppliers),
    )

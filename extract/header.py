"""The statement header block: customer, account, statement date, currency, opening / closing balance.

Read from the text outside the tables (a PDF's words above and below them, a spreadsheet's title
and totals rows) as ``label: value`` pairs in varied wording: "Account No", "Customer",
"Statement Date", "As at", "Currency", "Balance brought forward", "Closing balance",
"Total due"... A value runs to the next label on the same line (or, when a label ends its line,
is the next line). Each value is checked by its field's parser, so a stray label costs nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from extract.amounts import DecimalConvention, currency_in_text, parse_amount
from extract.dates import DateOrder, find_date

__all__ = ["HeaderBlock", "text_lines_to_header"]


@dataclass(frozen=True)
class HeaderBlock:
    """What the header block says; None where it says nothing."""

    customer_name: str | None = None
    account: str | None = None
    statement_date: dt.date | None = None
    currency: str | None = None
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None


_FIELDS: tuple[tuple[str, str], ...] = (
    (
        "account",
        r"(?:customer|client|vendor|supplier)?\s*(?:account|acct|a/c)\.?\s*(?:no|number|nbr|nr|#|id|code|ref)\b\.?"
        r"|(?:customer|client|vendor|supplier|debtor|creditor)\s*(?:no|number|nbr|nr|#|id|code)\b\.?"
        r"|account\b(?!\s+name)(?!\s+balance)|konto(?:nummer|-?nr)?|kundennummer|kunden-?nr",
    ),
    (
        "customer",
        r"customer\s+name|client\s+name|account\s+name|customer|client|bill\s+to|sold\s+to|statement\s+for"
        r"|kunde|debtor",
    ),
    (
        "opening",
        r"opening\s+balance|balance\s+brought\s+forward|balance\s+b/f|brought\s+forward|previous\s+balance"
        r"|balance\s+forward|beginning\s+balance",
    ),
    (
        "closing",
        r"closing\s+balance|total\s+(?:amount\s+)?due|amount\s+due|balance\s+due(?:\s+to\s+[^:]{2,60}?)?"
        r"|total\s+outstanding|balance\s+outstanding|ending\s+balance|new\s+balance|total\s+balance"
        r"|balance\s+carried\s+forward|outstanding\s+balance|balance\s+owing|total\s+owing|closing\s+saldo",
    ),
    (
        "date",
        r"statement\s+date|date\s+of\s+statement|statement\s+as\s+(?:at|of)|as\s+(?:at|of)|period\s+end(?:ing)?"
        r"|statement\s+period\s+end|printed\s+on|date",
    ),
    ("currency", r"currency|all\s+amounts\s+in|amounts\s+in|curr\.?|währung"),
)
_LABELS = re.compile(
    "|".join(rf"(?P<{name}>\b(?:{pattern}))\s*(?::|-(?=\s)|#)?\s*" for name, pattern in _FIELDS),
    re.I,
)
_ACCOUNT_VALUE = re.compile(r"^[A-Z0-9][A-Z0-9\-/.]*\d[A-Z0-9\-/]*|^\d[A-Z0-9\-/]*", re.I)


def _pairs(lines: Sequence[str]) -> list[tuple[str, str]]:
    """``(field, value text)`` for every label found; a label that ends its line takes the next line."""
    pairs: list[tuple[str, str]] = []
    for i, line in enumerate(lines):
        matches = list(_LABELS.finditer(line))
        for k, m in enumerate(matches):
            end = matches[k + 1].start() if k + 1 < len(matches) else len(line)
            value = line[m.end() : end].strip(" :|-")
            if not value and k + 1 == len(matches) and i + 1 < len(lines):
                value = lines[i + 1].strip()
            field = m.lastgroup or ""
            pairs.append((field, value))
    return pairs


def text_lines_to_header(
    lines: Sequence[str],
    date_order: DateOrder = DateOrder.dmy,
    convention: DecimalConvention = DecimalConvention.point,
) -> HeaderBlock:
    """The header block fields found in ``lines`` (the first readable value of each field wins)."""
    found: dict[str, object] = {}
    for field, value in _pairs(lines):
        if field in found or not value:
            continue
        parsed: object | None = None
        if field == "account":
            m = _ACCOUNT_VALUE.match(value)
            parsed = m.group(0).rstrip(".") if m else None
        elif field == "customer":
            parsed = value if any(ch.isalpha() for ch in value) else None
        elif field == "date":
            parsed = find_date(value, date_order)
        elif field == "currency":
            parsed = currency_in_text(value.upper())
        elif field in ("opening", "closing"):
            parsed = _amount_in(value, convention)
        if parsed is not None:
            found[field] = parsed
    currency = found.get("currency")
    return HeaderBlock(
        customer_name=found.get("customer"),  # type: ignore[arg-type]
        account=found.get("account"),  # type: ignore[arg-type]
        statement_date=found.get("date"),  # type: ignore[arg-type]
        currency=currency,  # type: ignore[arg-type]
        opening_balance=found.get("opening"),  # type: ignore[arg-type]
        closing_balance=found.get("closing"),  # type: ignore[arg-type]
    )


_AMOUNT_TOKEN = re.compile(
    r"(?:[A-Z]{3}\s?|[$€£]\s?)?\(?-?\d[\d.,'\u00a0\u202f ]*\d"
    r"(?:\s?(?:CR|DR|Cr|Dr))?\)?-?(?:\s?[A-Z]{3}|\s?[$€£])?"
)


def _amount_in(text: str, convention: DecimalConvention) -> Decimal | None:
    """The first amount printed in ``text`` (dates skipped)."""
    for m in _AMOUNT_TOKEN.finditer(text):
        token = m.group(0).strip()
        value = parse_amount(token, convention)
        if value is not None and not re.search(r"\d[/.\-]\d{1,2}[/.\-]\d", token):
            return value
    return None

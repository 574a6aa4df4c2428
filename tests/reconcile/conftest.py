"""A small statement and ledger with one case of every matching pass and reason, tagged as by the tagger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models import Entity, Ledger, LedgerEntry, NormalizedStatement, Source, StatementLine


def entry(date: str, ref: str, amount: str, tags: tuple[str, ...] = (), **extra: object) -> LedgerEntry:
    """One ledger entry."""
    return LedgerEntry(
        date=dt.date.fromisoformat(date), reference=ref, amount=Decimal(amount), tags=list(tags), **extra
    )


def line(
    date: str, ref: str | None, amount: str, tags: tuple[str, ...] = (), **extra: object
) -> StatementLine:
    """One statement line."""
    return StatementLine(
        date=dt.date.fromisoformat(date),
        reference=ref,
        description=str(extra.pop("description", "")),
        amount=Decimal(amount),
        tags=list(tags),
        **extra,
    )


@pytest.fixture
def ledger() -> Ledger:
    """Our AR ledger for the customer in September 2026."""
    return Ledger(
        customer_name="Acme Ltd",
        entries=[
            entry("2026-09-01", "INV-0010001", "1000.00", ("invoice",)),
            entry("2026-09-02", "INV-0010002", "1234.00", ("invoice",)),
            entry("2026-09-03", "INV-0010003", "1200.00", ("invoice",)),
            entry("2026-09-04", "INV-0010004", "500.00", ("invoice",)),
            entry("2026-09-04", "INV-0010004", "500.00", ("invoice",)),
            entry("2026-09-05", "DN-0000005", "25.00", ("debit_note", "interest_penalty")),
            entry("2026-10-02", "INV-0010006", "700.00", ("invoice",)),
            entry("2026-09-10", "DZ-1400000001", "-300.00", ("payment",)),
            entry("2026-09-10", "DZ-1400000002", "-200.00", ("payment",)),
            entry("2026-09-11", "INV-0010007", "400.00", ("invoice",)),
            entry("2026-09-12", "INV-0010008", "1100.00", ("invoice",)),
            entry("2026-09-13", "INV-0010009", "650.00", ("invoice", "service")),
            entry("2026-09-14", "INV-0010010", "800.00", ("invoice",)),
            entry("2026-09-15", "FC-7", "12.40", document_type="Finance Charge Memo"),
        ],
    )


@pytest.fixture
def statement() -> NormalizedStatement:
    """The customer's statement of the same account, with every kind of difference."""
    return NormalizedStatement(
        source=Source(filename="acme-2026-09.pdf", form="digital_pdf", sha256="0" * 64),
        statement_date=dt.date(2026, 9, 30),
        closing_balance=Decimal("4448.00"),
        lines=[
            line("2026-09-01", "10001", "1000.00", ("invoice",)),
            line("2026-09-02", "INV10002", "1243.00", ("invoice",)),
            line("2026-09-03", "Inv 10003", "1150.00", ("invoice",)),
            line("2026-09-04", "CUST-77", "500.00", ("invoice",), other_references=["INV-10004"]),
            line("2026-09-11", "PAY-9", "-500.00", ("payment",)),
            line(
                "2026-09-12",
                "DED-1",
                "-50.00",
                ("promotion",),
                description="PROMO ALLOW inv 10008",
                entities=[Entity(label="INVOICE_REF", text="10008")],
            ),
            line("2026-09-28", "PAY-10", "-1000.00", ("payment",)),
            line("2026-09-11", "10OO7", "400.00", ("invoice",)),
            line("2026-09-12", "10008", "1100.00", ("invoice",)),
            line(
                "2026-09-20",
                "DN-881",
                "-120.00",
                ("debit_note", "return"),
                description="Ret. RMA-5567 dmgd",
                entities=[Entity(label="RMA", text="RMA-5567")],
            ),
            line("2026-09-14", "100010", "760.00", ("invoice", "freight"), description="less frt 40.00"),
            line(
                "2026-09-21",
                "DED-2",
                "-30.00",
                ("short_payment", "dispute"),
                description="short pd - disputed",
            ),
            line("2026-09-01", "CHQ-1", "-5.00", ("payment",)),
        ],
    )

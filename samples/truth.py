"""The true account history of one customer, and what each side's books make of it.

An ``Account`` records every event once and derives both views from it: our AR ledger postings
(receivable side, as our ERP booked them) and the customer's statement lines (receivable side,
as their books show them), plus the truth of every difference it injected, with its reason.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from samples.notation import CENT


@dataclass(frozen=True)
class DocNo:
    """One of our document numbers, e.g. ``INV-0012345`` (prefix, separator, number, zero padding)."""

    prefix: str
    sep: str
    n: int
    width: int

    def __str__(self) -> str:
        return f"{self.prefix}{self.sep}{self.n:0{self.width}d}"


def docno_to_printed(doc: DocNo, variant: str) -> str:
    """How the customer's system prints our number: ``INV-0012345`` -> ``12345``, ``INV12345``..."""
    if variant == "digits":
        return str(doc.n)
    if variant == "compact":
        return f"{doc.prefix}{doc.n}"
    if variant == "spaced":
        return f"{doc.prefix.title()} {doc.n}"
    if variant == "zeros":
        return f"{doc.n:010d}"
    return str(doc)


@dataclass(frozen=True)
class Numbering:
    """How one ERP numbers our documents: kind -> (prefix, separator, zero padding, first number)."""

    series: dict[str, tuple[str, str, int, int]]


@dataclass(frozen=True)
class Posting:
    """One row of OUR AR ledger, amount on the receivable side (invoice +, payment -)."""

    date: dt.date
    doc: DocNo | None
    kind: str
    description: str
    amount: Decimal
    external_ref: str = ""
    order: int = 0

    @property
    def ref(self) -> str:
        return str(self.doc) if self.doc else ""


@dataclass(frozen=True)
class Line:
    """One line of the CUSTOMER's statement, amount on the receivable side."""

    date: dt.date
    reference: str | None
    other_references: tuple[str, ...]
    description: str
    amount: Decimal
    tags: tuple[str, ...]
    our_ref: str | None = None
    their_ref: str | None = None
    order: int = 0


@dataclass(frozen=True)
class Difference:
    """One injected difference: ledger - statement, with the reason that explains it."""

    status: str
    ledger_refs: tuple[str, ...]
    statement_refs: tuple[str, ...]
    ledger_amount: Decimal | None
    statement_amount: Decimal | None
    reason: str
    sort_key: tuple[int, dt.date, str]

    @property
    def difference(self) -> Decimal:
        return (self.ledger_amount or Decimal("0.00")) - (self.statement_amount or Decimal("0.00"))


def money(value: Decimal | int | str) -> Decimal:
    """``value`` as a Decimal with exactly two places."""
    return Decimal(value).quantize(CENT)


@dataclass
class Account:
    """Builds one customer's period: our ledger, their statement and the truth of the differences."""

    rng: random.Random
    numbering: Numbering
    ref_variant: str
    two_refs: bool
    opening: Decimal
    postings: list[Posting] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    matched: int = 0
    _next: dict[str, int] = field(default_factory=dict)
    _order: int = 0

    def doc(self, kind: str) -> DocNo:
        """Our next document number of ``kind`` (numbers advance with small gaps, as in a busy ERP)."""
        prefix, sep, width, first = self.numbering.series[kind]
        n = self._next.get(kind, first) + self.rng.randint(1, 9)
        self._next[kind] = n
        return DocNo(prefix, sep, n, width)

    def printed(self, doc: DocNo) -> str:
        """Our number as the customer's statement prints it."""
        return docno_to_printed(doc, self.ref_variant)

    def _tick(self) -> int:
        self._order += 1
        return self._order

    def post(self, day: dt.date, doc: DocNo | None, kind: str, description: str, amount: Decimal,
             external_ref: str = "") -> Posting:
        """Add one posting to our ledger."""
        posting = Posting(day, doc, kind, description, money(amount), external_ref, self._tick())
        self.postings.append(posting)
        return posting

    def show(self, day: dt.date, our_ref: str | None, their_ref: str | None, description: str,
             amount: Decimal, tags: tuple[str, ...]) -> Line:
        """Add one line to their statement; ``reference`` is our number when printed, else theirs."""
        reference: str | None
        others: tuple[str, ...]
        if our_ref and their_ref and self.two_refs:
            reference, others = our_ref, (their_ref,)
        else:
            reference, others = (our_ref or their_ref), ()
        line = Line(day, reference, others, description, money(amount), tuple(sorted(tags)),
                    our_ref, their_ref, self._tick())
        self.lines.append(line)
        return line

    def both(self, kind: str, day: dt.date, amount: Decimal, ours: str, theirs: str,
             tags: tuple[str, ...], their_ref: str | None = None, their_day: dt.date | None = None,
             their_amount: Decimal | None = None, reason: str | None = None,
             show_our_ref: bool = True, doc: DocNo | None = None,
             external_ref: str = "") -> tuple[Posting, Line]:
        """An item on both sides: matched when the amounts agree, else a difference with ``reason``.

        Our posting keeps ``external_ref`` (their PO) or, for a payment, their payment reference.
        """
        doc = doc or self.doc(kind)
        external = their_ref or "" if kind == "payment" else external_ref
        posting = self.post(day, doc, kind, ours, amount, external)
        our_ref = self.printed(doc) if show_our_ref else None
        their = money(amount if their_amount is None else their_amount)
        line = self.show(their_day or day, our_ref, their_ref, theirs, their, tags)
        if their == posting.amount:
            self.matched += 1
        else:
            assert reason, "an amount difference needs its reason"
            self.differences.append(Difference(
                "difference", (posting.ref,), (line.reference or "",), posting.amount, their, reason,
                (0, day, posting.ref)))
        return posting, line

    def ledger_only(self, kind: str, day: dt.date, amount: Decimal, ours: str, reason: str,
                    doc: DocNo | None = None, external_ref: str = "") -> Posting:
        """An item only our ledger holds (interest not accepted, service without PO, duplicate...)."""
        posting = self.post(day, doc or self.doc(kind), kind, ours, amount, external_ref)
        self.differences.append(Difference(
            "ledger_only", (posting.ref,), (), posting.amount, None, reason, (0, day, posting.ref)))
        return posting

    def statement_only(self, day: dt.date, their_ref: str, amount: Decimal, theirs: str,
                       tags: tuple[str, ...], reason: str, our_ref: str | None = None) -> Line:
        """An item only their statement holds (deductions, debit notes, payments in transit)."""
        line = self.show(day, our_ref, their_ref, theirs, amount, tags)
        self.differences.append(Difference(
            "statement_only", (), (line.reference or "",), None, line.amount, reason,
            (1, day, line.reference or "")))
        return line

    def matched_group(self) -> None:
        """Count one grouped match (one-to-many or many-to-one) with zero difference."""
        self.matched += 1

    def ledger_balance(self) -> Decimal:
        """The account balance in our books: opening balance plus every posting of the period."""
        return self.opening + sum((p.amount for p in self.postings), Decimal("0.00"))

    def statement_balance(self) -> Decimal:
        """The closing balance of their statement, receivable side."""
        return self.opening + sum((line.amount for line in self.lines), Decimal("0.00"))

    def sorted_lines(self) -> list[Line]:
        """Their statement lines in print order (date, then the order they were booked)."""
        return sorted(self.lines, key=lambda line: (line.date, line.order))

    def sorted_postings(self) -> list[Posting]:
        """Our ledger postings in export order (date, then the order they were booked)."""
        return sorted(self.postings, key=lambda p: (p.date, p.order))

    def sorted_differences(self) -> list[Difference]:
        """Differences by ledger date then ref; statement-only ones after, by statement date."""
        return sorted(self.differences, key=lambda d: d.sort_key)

    def check(self) -> None:
        """The truth is consistent: the differences add up to ledger balance minus statement balance."""
        total = sum((d.difference for d in self.differences), Decimal("0.00"))
        assert total == self.ledger_balance() - self.statement_balance(), (
            total, self.ledger_balance(), self.statement_balance())

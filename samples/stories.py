"""What happens on an account in a month: ordinary business, and each kind of difference injected.

Each function adds events to an ``Account`` (both books at once) using the customer's ``Voice``:
how their payables clerk words lines, and how their references look.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from samples.truth import Account, DocNo, money

# What we sell (item, unit price): the supplier is an industrial components distributor.
ITEMS = (
    ("Bearing 6204-2RS", Decimal("12.85")),
    ("Hydraulic hose 1/2in x 2m", Decimal("38.40")),
    ("V-belt SPA 1250", Decimal("9.75")),
    ("Gear motor 0.75kW", Decimal("412.00")),
    ("Pneumatic cylinder 32x100", Decimal("86.50")),
    ("Fasteners M8 A2 box/200", Decimal("27.90")),
    ("Proximity sensor M12 PNP", Decimal("44.20")),
    ("Conveyor roller 50x500", Decimal("23.60")),
    ("Grease EP2 18kg pail", Decimal("96.00")),
    ("Jaw coupling L100", Decimal("31.25")),
)

SMALL_ITEMS = tuple(item for item in ITEMS if item[1] < 100)


@dataclass(frozen=True)
class Voice:
    """How one customer's books word their lines; ``{ref}``, ``{item}``, ``{qty}``, ``{po}`` are filled in."""

    invoice: tuple[str, ...]
    payment: str
    pay_prefix: str
    po_prefix: str
    their_ref: str  # what their second reference column holds for invoices: "po", "voucher" or "none"
    voucher_prefix: str = "VI-"


@dataclass
class Sale:
    """One invoice of ours as both sides know it (for stories that refer back to it)."""

    doc: DocNo
    amount: Decimal
    printed: str
    date: dt.date


def inv(ref: str) -> str:
    """``Inv 12345`` for a bare number; a reference that already names its type stays as it is."""
    return ref if ref[:1].isalpha() else f"Inv {ref}"


def day_of(acct: Account, year: int, month: int, lo: int, hi: int) -> dt.date:
    """A random day of the month between ``lo`` and ``hi``."""
    return dt.date(year, month, acct.rng.randint(lo, hi))


def _their_invoice_ref(acct: Account, voice: Voice) -> str | None:
    if voice.their_ref == "po":
        return f"{voice.po_prefix}{acct.rng.randint(10000, 99999)}"
    if voice.their_ref == "voucher":
        return f"{voice.voucher_prefix}{acct.rng.randint(100000, 999999)}"
    return None


def invoice(acct: Account, voice: Voice, day: dt.date, *, qty: int | None = None,
            item: int | None = None, their_desc: str | None = None, their_amount: Decimal | None = None,
            reason: str | None = None, extra: Decimal = Decimal("0.00"),
            tags: tuple[str, ...] = ("invoice",), ours: str | None = None) -> Sale:
    """One of our invoices, booked by the customer (at ``their_amount`` when it differs)."""
    name, price = ITEMS[acct.rng.randrange(len(ITEMS)) if item is None else item]
    # Order sizes a distributor sees: a few gear motors, a hundred bearings.
    qty = qty or acct.rng.choice([q for q in (4, 6, 10, 12, 20, 24, 36, 40, 50, 60, 100, 120)
                                  if q * price <= 5000])
    amount = money(qty * price + extra)
    po = f"{voice.po_prefix}{acct.rng.randint(10000, 99999)}"
    doc = acct.doc("invoice")
    printed = acct.printed(doc)
    template = acct.rng.choice(voice.invoice)
    text = their_desc or template.format(ref=printed, item=name, qty=qty, po=po)
    their_ref = po if voice.their_ref == "po" else _their_invoice_ref(acct, voice)
    acct.both("invoice", day, amount, ours or f"{qty} x {name}", text, tags,
              their_ref=their_ref, their_amount=their_amount, reason=reason, doc=doc, external_ref=po)
    return Sale(doc, amount, printed, day)


def payment(acct: Account, voice: Voice, day: dt.date, amount: Decimal, note: str = "",
            tags: tuple[str, ...] = ("payment",)) -> None:
    """A payment both sides booked (ours a day or two after theirs: bank value date)."""
    pay = f"{voice.pay_prefix}{acct.rng.randint(1000, 9999)}"
    text = voice.payment.format(pay=pay) + (f" {note}" if note else "")
    our_day = min(day + dt.timedelta(days=acct.rng.randint(0, 2)), _month_end(day))
    acct.both("payment", our_day, -amount, f"Receipt {pay}", text, tags, their_ref=pay,
              their_day=day, show_our_ref=False)


def _month_end(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def ordinary_month(acct: Account, voice: Voice, year: int, month: int, invoices: int,
                   payments: int, last: int = 26) -> list[Sale]:
    """Matched business up to day ``last``: invoices, and payments of earlier invoices."""
    # Numbers rise with dates, as an ERP issues them.
    days = sorted(day_of(acct, year, month, 1, last) for _ in range(invoices))
    sales = [invoice(acct, voice, day) for day in days]
    # This month's payments settle last month's invoices: together about 80% of the opening balance.
    share = acct.opening * Decimal("0.8") / payments
    for _ in range(payments):
        amount = money(share * Decimal(acct.rng.randint(70, 130)) / 100)
        payment(acct, voice, day_of(acct, year, month, 3, last - 1), amount)
    return sales


def matched_charge(acct: Account, kind: str, day: dt.date, amount: Decimal, ours: str, theirs: str,
                   tags: tuple[str, ...]) -> None:
    """A charge or credit both sides booked alike (agreed interest, rebate, tax adjustment...)."""
    doc = acct.doc(kind)
    acct.both(kind, day, amount, ours, theirs.format(ref=acct.printed(doc)), tags, doc=doc)


# --- the injected differences, one function per way the two books part ---------------------------

def rate_difference(acct: Account, voice: Voice, day: dt.date, say_price: bool) -> None:
    """They booked our invoice at their PO price: qty x price delta less."""
    qty = acct.rng.choice((40, 60, 120, 150, 200))
    name, price = acct.rng.choice(SMALL_ITEMS)
    delta = acct.rng.choice((Decimal("0.35"), Decimal("0.50"), Decimal("1.20"), Decimal("0.15")))
    their = money(qty * (price - delta))
    doc = acct.doc("invoice")
    ref = acct.printed(doc)
    text = f"{inv(ref)} booked at PO price {price - delta}" if say_price else f"{inv(ref)} {qty} x {name}"
    tags = ("invoice", "price_rate") if say_price else ("invoice",)
    acct.both("invoice", day, money(qty * price), f"{qty} x {name} @ {price}", text, tags,
              their_ref=_their_invoice_ref(acct, voice), their_amount=their, reason="rate_difference",
              doc=doc)


def promotion_deduction(acct: Account, day: dt.date, text: str, amount: Decimal,
                        tags: tuple[str, ...], their_ref: str) -> None:
    """They deducted a promotion / co-op / rebate / discount we never credited."""
    acct.statement_only(day, their_ref, -amount, text, tags, "promotion_not_applied")


def promotion_netted(acct: Account, voice: Voice, day: dt.date, promo: Decimal) -> None:
    """They booked our invoice net of a promotion allowance we did not grant."""
    qty, (name, price) = 100, acct.rng.choice(SMALL_ITEMS)
    doc = acct.doc("invoice")
    text = f"{inv(acct.printed(doc))} less promo allow"
    acct.both("invoice", day, money(qty * price), f"{qty} x {name}", text,
              ("invoice", "promotion"), their_ref=_their_invoice_ref(acct, voice),
              their_amount=money(qty * price - promo), reason="promotion_not_applied", doc=doc)


def interest_charge(acct: Account, day: dt.date, amount: Decimal, on: str) -> None:
    """Our late-payment interest charge, not booked on their side."""
    acct.ledger_only("debit_note", day, amount, f"Int. on overdue {on}", "interest_penalty")


def freight_excluded(acct: Account, voice: Voice, day: dt.date, freight: Decimal) -> None:
    """Our invoice includes freight; they booked the goods value only."""
    qty, (name, price) = 50, acct.rng.choice(SMALL_ITEMS)
    doc = acct.doc("invoice")
    text = f"{inv(acct.printed(doc))} excl. freight"
    acct.both("invoice", day, money(qty * price + freight), f"{qty} x {name} incl. freight {freight}",
              text, ("freight", "invoice"), their_ref=_their_invoice_ref(acct, voice),
              their_amount=money(qty * price), reason="freight", doc=doc)


def freight_charge_missing(acct: Account, day: dt.date, amount: Decimal, on: str) -> None:
    """Our separate freight charge, not booked by them."""
    acct.ledger_only("invoice", day, amount, f"Frt chg inv {on}", "freight")


def freight_deducted(acct: Account, day: dt.date, amount: Decimal, their_ref: str, on: str) -> None:
    """They deducted freight they say is ours to carry."""
    acct.statement_only(day, their_ref, -amount, f"Freight deducted - FOB terms inv {on}",
                        ("adjustment", "freight"), "freight")


def dispute_deduction(acct: Account, day: dt.date, amount: Decimal, text: str,
                      tags: tuple[str, ...], their_ref: str) -> None:
    """They deducted a disputed amount (short shipment, damaged goods, disputed price...)."""
    acct.statement_only(day, their_ref, -amount, text, tags, "dispute")


def returned_goods(acct: Account, day: dt.date, amount: Decimal, text: str, their_ref: str,
                   tags: tuple[str, ...] = ("debit_note", "return")) -> None:
    """Their debit note for goods returned to us, not yet credited by us."""
    acct.statement_only(day, their_ref, -amount, text, tags, "returned_material")


def service_missing(acct: Account, day: dt.date, amount: Decimal, what: str) -> None:
    """Our service invoice they never booked (no PO, not approved)."""
    acct.ledger_only("invoice", day, amount, what, "unapproved_service")


def service_rejected(acct: Account, voice: Voice, day: dt.date, amount: Decimal, what: str,
                     their_ref: str) -> None:
    """They booked our service invoice, then reversed it: no PO."""
    doc = acct.doc("invoice")
    ref = acct.printed(doc)
    acct.both("invoice", day, amount, what, f"{inv(ref)} {what.lower()}", ("invoice", "service"), doc=doc)
    acct.statement_only(day + dt.timedelta(days=2), their_ref, -amount,
                        f"Reversal inv {ref} {what.lower()} - no PO, not approved",
                        ("adjustment", "no_po", "service"), "unapproved_service")


def duplicate_invoice(acct: Account, sale: Sale, ours: str) -> None:
    """We invoiced the same delivery twice; they booked it once."""
    acct.ledger_only("invoice", sale.date, sale.amount, f"{ours} (re-issued)", "billing_error")


def transposed_invoice(acct: Account, voice: Voice, day: dt.date, ours: Decimal, theirs: Decimal) -> None:
    """They keyed our invoice with two digits swapped (the difference divides by 9)."""
    assert ((ours - theirs) * 100) % 9 == 0
    doc = acct.doc("invoice")
    acct.both("invoice", day, ours, "Sales invoice", inv(acct.printed(doc)), ("invoice",),
              their_ref=_their_invoice_ref(acct, voice), their_amount=theirs, reason="billing_error", doc=doc)


def payment_in_transit(acct: Account, voice: Voice, day: dt.date, amount: Decimal) -> None:
    """Their payment made just before their cut-off, not yet on our bank statement."""
    pay = f"{voice.pay_prefix}{acct.rng.randint(1000, 9999)}"
    acct.statement_only(day, pay, -amount, voice.payment.format(pay=pay), ("payment",),
                        "timing_difference")


def invoice_after_cutoff(acct: Account, day: dt.date, amount: Decimal, what: str) -> None:
    """Our invoice dated after their statement cut-off: not on their statement yet."""
    acct.ledger_only("invoice", day, amount, what, "timing_difference")


def payment_for_several(acct: Account, voice: Voice, day: dt.date, sales: list[Sale],
                        ledger_split: bool) -> None:
    """One payment settling several invoices, fully matched as a group.

    ``ledger_split``: our ERP posts one receipt line per cleared invoice while their statement shows
    the payment once; otherwise their AP system lists it per invoice and we booked one receipt.
    """
    pay = f"{voice.pay_prefix}{acct.rng.randint(1000, 9999)}"
    total = sum((s.amount for s in sales), Decimal("0.00"))
    if ledger_split:
        for sale in sales:
            acct.post(day, acct.doc("payment"), "payment", f"Receipt {pay} clears {sale.doc}",
                      -sale.amount, pay)
        acct.show(day, None, pay, voice.payment.format(pay=pay) + f" ({len(sales)} inv)", -total,
                  ("payment",))
    else:
        acct.post(day, acct.doc("payment"), "payment", f"Receipt {pay}", -total, pay)
        for sale in sales:
            acct.show(day, None, pay, f"Payment {pay} inv {sale.printed}", -sale.amount, ("payment",))
    acct.matched_group()


def invoice_paid_in_parts(acct: Account, voice: Voice, days: tuple[dt.date, dt.date], sale: Sale) -> None:
    """One invoice paid in two instalments that we received as one bank credit: many-to-one, matched."""
    first = money(sale.amount * Decimal("0.6"))
    pays = [f"{voice.pay_prefix}{acct.rng.randint(1000, 9999)}" for _ in range(2)]
    for n, (day, part, pay) in enumerate(zip(days, (first, sale.amount - first), pays, strict=True)):
        acct.show(day, None, pay, f"Part pmt {n + 1}/2 inv {sale.printed}", -part,
                  ("payment",))
    acct.post(days[1], acct.doc("payment"), "payment", f"Receipt {pays[0]} + {pays[1]}", -sale.amount,
              " ".join(pays))
    acct.matched_group()

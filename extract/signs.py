"""Which side of the books a statement is printed from, and the sign that brings it to ours.

The normalized statement is signed on the receivable side (+ increases what the customer owes).
A customer's payables ledger books our invoice as a credit and their payment as a debit, so a
statement printed from it shows our invoices negative (or in the Credit column). Each line's
raw sign (debit positive) is checked against what the line is (invoice, payment, credit note,
by its type, description and reference words); wording ("balance due to <supplier>") decides
when the lines say nothing. A running Balance column is turned whichever way makes it follow
the amounts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from extract.markers import Wording

__all__ = [
    "balance_sign",
    "customer_print_cue_in_text",
    "line_side_vote",
    "payables_cue_in_text",
    "payables_side",
]

_INVOICE = Wording(
    r"\b(inv|invoice|invoices|bill|rechnung|facture|sales|sinv|charge|freight|interest)\b|^inv"
)
_PAYMENT = Wording(r"\b(payment|pmt|paid|receipt|rcpt|remittance|chq|cheque|check|bacs|ach|wire|transfer)\b")
_CREDIT_NOTE = Wording(r"\b(credit\s*note|cn|crn|credit\s*memo)\b|^cn")
# Wording that says the signs are the customer's payables view ("balance due to <supplier>").
_PAYABLES_CUES = re.compile(
    r"(\bdue\s+to\b|\bowed\s+to\b|\bpayable\s+to\b|\baccounts?\s+payable|\bwe\s+owe\b|\bour\s+payables)",
    re.I,
)
# Wording of a customer's AP print whose signs say nothing by themselves ("Vendor Statement").
_VENDOR_STATEMENT = re.compile(
    r"\b(vendor|supplier|creditor)\s+(account\s+)?(statement|ledger)|\bkreditorenkonto", re.I
)
# Wording that says the customer printed the document (so "Your Ref" is the supplier's number).
_CUSTOMER_PRINT_CUES = re.compile(
    r"(\bvendor\b|\bsupplier\b|\bcreditor\b|\byour\s+customer\s+(no|number|id|account)|\bkreditor)",
    re.I,
)


def payables_cue_in_text(text: str) -> bool:
    """True when ``text`` says the document is printed from the customer's payables side."""
    return bool(_PAYABLES_CUES.search(text))


def customer_print_cue_in_text(text: str) -> bool:
    """True when ``text`` says the customer printed the document (it names us as vendor / supplier)."""
    return bool(_CUSTOMER_PRINT_CUES.search(text))


def line_side_vote(text: str, raw: Decimal) -> int:
    """+1 when a line's raw sign (debit positive) reads as a receivable-side print, -1 payables, 0 unknown.

    ``text`` is the line's type, description and references.
    """
    if raw == 0:
        return 0
    if _CREDIT_NOTE.search(text) or _PAYMENT.search(text):
        return 1 if raw < 0 else -1
    if _INVOICE.search(text):
        return 1 if raw > 0 else -1
    return 0


def balance_sign(balances: Sequence[Decimal | None], amounts: Sequence[Decimal | None]) -> Decimal:
    """-1 when the printed balances run against the (receivable-side) amounts, else 1."""
    keep = flip = 0
    for i in range(1, len(balances)):
        b0, b1, a = balances[i - 1], balances[i], amounts[i]
        if b0 is None or b1 is None or a is None or a == 0:
            continue
        keep += b1 - b0 == a
        flip += b0 - b1 == a
    return Decimal(-1) if flip > keep else Decimal(1)


def payables_side(votes: int, context_text: str, balances: Sequence[Decimal | None]) -> tuple[bool, str]:
    """Whether the document is a payables-side print, and why (for the warning).

    ``votes`` is the sum of ``line_side_vote`` over the lines: the lines decide when they can;
    else "balance due to <supplier>" wording; else vendor-statement wording with a running
    balance that is mostly negative (the customer's credit balance for us).
    """
    cue = payables_cue_in_text(context_text)
    if votes < 0:
        because = "invoices printed as credits or payments as debits"
        return True, because + (", and its wording says so" if cue else "")
    if votes > 0:
        return False, ""
    if cue:
        return True, "its wording ('balance due to' the supplier)"
    printed = [b for b in balances if b is not None and b != 0]
    negative = sum(1 for b in printed if b < 0)
    if _VENDOR_STATEMENT.search(context_text) and printed and negative * 2 > len(printed):
        return True, "vendor-statement wording and a negative running balance"
    return False, ""

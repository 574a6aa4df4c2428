"""(NormalizedStatement, Ledger) -> Reconciliation: the passes in order, then items, reasons and totals.

Every ledger entry and statement line lands in exactly one item; the items' differences plus
``unexplained`` equal ledger balance - statement balance to the cent.
"""

from __future__ import annotations

import datetime as dt
import gc
from decimal import Decimal
from operator import attrgetter

import numpy as np

from models.ledger import Ledger, LedgerEntry
from models.reconciliation import ItemStatus, Reconciliation, ReconciliationItem
from models.statement import NormalizedStatement, StatementLine
from reconcile.frames import NO_DAY, Book, amount_to_cents, books, nonempty
from reconcile.ledger_fields import document_type_to_kind
from reconcile.matching import (
    Group,
    Pairs,
    match_by_amount_and_date,
    match_by_fuzzy_reference,
    match_by_ocr_reference,
    match_by_other_reference,
    match_by_reference,
    match_by_reference_group,
    match_by_subset_sum,
)
from reconcile.options import ReconcileOptions
from reconcile.reasons import Evidence, classify, classify_opening
from reconcile.references import reference_to_key

ZERO = Decimal("0.00")
_REFERENCE_RULES = np.array(["reference_variant", "reference"], dtype=object)  # printed alike or not


class _Matches:
    """Group ids per ledger entry and statement line (-1 = open), with each group's rule and confidence."""

    def __init__(self, n_ledger: int, n_statement: int) -> None:
        self.ledger = np.full(n_ledger, -1, dtype=np.int64)
        self.statement = np.full(n_statement, -1, dtype=np.int64)
        self.rules: list[str] = []
        self.confidences: list[float] = []
        self.opening: int | None = None  # the opening-balance group
        self.opening_virtual = ZERO  # the statement's opening balance when it is no line

    def add_pairs(self, pairs: Pairs, rule: str | np.ndarray) -> None:
        """The pairs whose both sides are still open, each a group; ``rule`` is one for all or
        one per pair (an object array)."""
        keep = (self.ledger[pairs.ledger] < 0) & (self.statement[pairs.statement] < 0)
        n = int(keep.sum())
        ids = np.arange(len(self.rules), len(self.rules) + n, dtype=np.int64)
        self.ledger[pairs.ledger[keep]] = ids
        self.statement[pairs.statement[keep]] = ids
        self.rules.extend([rule] * n if isinstance(rule, str) else rule[keep].tolist())
        self.confidences.extend(pairs.confidence[keep].round(3).tolist())

    def add_group(self, group: Group, rule: str, confidence: float) -> None:
        gid = len(self.rules)
        self.ledger[list(group.ledger)] = gid
        self.statement[list(group.statement)] = gid
        self.rules.append(rule)
        self.confidences.append(confidence)

    def close_open(self) -> None:
        """Each item no pass matched becomes a group of its own."""
        for side, rule in ((self.ledger, "ledger_only"), (self.statement, "statement_only")):
            open_positions = np.flatnonzero(side < 0)
            side[open_positions] = np.arange(len(self.rules), len(self.rules) + len(open_positions))
            self.rules.extend([rule] * len(open_positions))
            self.confidences.extend([1.0] * len(open_positions))


def _match_opening_balances(
    ledger: Ledger, lb: Book, sb: Book, statement: NormalizedStatement, matches: _Matches
) -> None:
    """Our opening-balance entries against the statement's opening balance (a line or its header figure)."""
    # Each distinct document type is looked up once (a large ledger has a handful of them) and
    # only tagged entries have their tags read: no Python step per entry of a million.
    types = list(map(attrgetter("document_type"), ledger.entries))
    opening_types = {t for t in set(types) if document_type_to_kind(t) == "opening_balance"}
    flagged = np.zeros(len(types), dtype=bool)
    if opening_types:
        flagged = np.fromiter(map(opening_types.__contains__, types), dtype=bool, count=len(types))
    flagged[lb.with_tag("opening_balance")] = True
    ledger_open = tuple(np.flatnonzero(flagged).tolist())
    statement_open = tuple(sb.with_tag("opening_balance"))
    virtual = statement.opening_balance if not statement_open and statement.opening_balance else ZERO
    if not ledger_open and not statement_open and not virtual:
        return
    matches.add_group(Group(ledger_open, statement_open), "opening_balance", 1.0)
    matches.opening = len(matches.rules) - 1
    matches.opening_virtual = virtual


def _cutoff(statement: NormalizedStatement) -> dt.date | None:
    if statement.statement_date is not None:
        return statement.statement_date
    dates = [line.date for line in statement.lines if line.date is not None]
    return max(dates) if dates else None


def _twins(positions: np.ndarray, first: np.ndarray, second: np.ndarray) -> list[list[int]]:
    """The groups (positions ascending) of two or more rows with equal ``first`` and ``second``."""
    order = np.lexsort((second, first))  # stable: a group keeps its rows in position order
    a, b = first[order], second[order]
    same = (a[1:] == a[:-1]) & (b[1:] == b[:-1])
    bounds = np.flatnonzero(np.r_[True, ~same, True])
    several = np.flatnonzero(np.diff(bounds) > 1)
    return [positions[order[bounds[k] : bounds[k + 1]]].tolist() for k in several.tolist()]


def _evidence(
    statement: NormalizedStatement,
    ledger: Ledger,
    lb: Book,
    sb: Book,
    options: ReconcileOptions,
    asked: np.ndarray,
) -> Evidence:
    """What the classification of the items may use; duplicates are looked for only among the
    entries that could be twins of an ``asked`` one (the entries not matched one to one)."""
    keyed = lb.klen > 0
    # Only the invoices that some description names are ever looked up.
    entity_lists = list(map(attrgetter("entities"), statement.lines))
    named = {
        reference_to_key(e.text) for p in nonempty(entity_lists, len(entity_lists)) for e in entity_lists[p]
    }
    by_key: dict[str, tuple[int]] = {}
    if named:
        keys = lb.keys.tolist()
        wanted = keyed & np.fromiter(map(named.__contains__, keys), dtype=bool, count=len(keys))
        for position in np.flatnonzero(wanted).tolist():
            by_key.setdefault(keys[position], (position,))
    # Duplicate postings: the same reference and amount twice, or a charge re-issued under a
    # new number on the same day for the same amount.
    duplicates: dict[int, list[int]] = {}
    charges = (lb.cents > 0) & (lb.day != NO_DAY)
    same_cents = np.isin(lb.cents, lb.cents[asked])
    for rows, first in ((keyed, lb.codes), (charges, lb.day)):
        positions = np.flatnonzero(rows & same_cents & np.isin(first, first[asked]))
        for members in _twins(positions, first[positions], lb.cents[positions]):
            for p in members:
                duplicates.setdefault(p, []).extend(q for q in members if q != p and q not in duplicates[p])
    # Only tagged items are looked at: a million untagged ones cost no Python step.
    both: list[LedgerEntry | StatementLine] = [
        *(ledger.entries[p] for p in lb.with_tag("freight")),
        *(statement.lines[p] for p in sb.with_tag("freight")),
    ]
    freight = {abs(amount_to_cents(item.amount)) for item in both}
    for item in both:
        for entity in item.entities:
            if "AMOUNT" in entity.label.upper() or "MONEY" in entity.label.upper():
                try:
                    freight.add(abs(amount_to_cents(Decimal(entity.text.replace(",", "")))))
                except ArithmeticError:
                    continue
    return Evidence(
        cutoff=_cutoff(statement),
        timing_days=options.timing_days,
        ledger_duplicates=duplicates,
        ledger_by_key=by_key,
        freight_cents=frozenset(freight),
        ledger_refs=lb.references,
    )


def reconcile(
    statement: NormalizedStatement, ledger: Ledger, options: ReconcileOptions | None = None
) -> Reconciliation:
    """Match the statement's lines against the ledger's entries and explain every difference."""
    # A large account builds millions of small acyclic objects (columns, items); the cyclic
    # garbage collector would rescan all of them again and again, so it pauses meanwhile.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _reconcile(statement, ledger, options or ReconcileOptions())
    finally:
        if enabled:
            gc.enable()


def _reconcile(statement: NormalizedStatement, ledger: Ledger, options: ReconcileOptions) -> Reconciliation:
    lb, sb = books(ledger.entries, statement.lines)
    matches = _Matches(len(lb), len(sb))
    warnings: list[str] = []
    _match_opening_balances(ledger, lb, sb, statement, matches)

    def open_masks() -> tuple[np.ndarray, np.ndarray]:
        return matches.ledger < 0, matches.statement < 0

    pairs = match_by_reference(lb, sb, *open_masks(), options)
    matches.add_pairs(pairs, _REFERENCE_RULES[(pairs.confidence == 1.0).astype(np.intp)])
    matches.add_pairs(match_by_other_reference(lb, sb, *open_masks(), options), "your_reference")
    matches.add_pairs(match_by_ocr_reference(lb, sb, *open_masks(), options), "reference_ocr")
    for group in match_by_reference_group(lb, sb, *open_masks()):
        matches.add_group(group, "reference_group", 0.9)
    for _ in range(2):  # a second round pairs what the first round's date order misaligned
        matches.add_pairs(match_by_amount_and_date(lb, sb, *open_masks(), options), "amount_date")
    fuzzy, warning = match_by_fuzzy_reference(lb, sb, *open_masks(), options)
    matches.add_pairs(fuzzy, "reference_fuzzy")
    if warning:
        warnings.append(warning)
    for group in match_by_subset_sum(lb, sb, *open_masks(), options):
        rule = "many_to_one" if len(group.ledger) > 1 else "one_to_many"
        matches.add_group(group, rule, 0.8)
    matches.close_open()
    items, explained = _items(statement, ledger, lb, sb, matches, options)
    ledger_balance = sum(lb.amounts, ZERO)
    lines_total = sum(sb.amounts, ZERO)
    if statement.closing_balance is not None:
        statement_balance = statement.closing_balance
    else:
        statement_balance = (statement.opening_balance or ZERO) + lines_total
    difference = ledger_balance - statement_balance
    unexplained = difference - explained
    if unexplained:
        warnings.append(
            f"unexplained {unexplained}: the statement balance {statement_balance} is not the sum of its "
            f"lines {lines_total}" + (" plus its opening balance" if statement.opening_balance else "")
        )
    return Reconciliation(
        customer=statement.customer.name or ledger.customer_name,
        account=statement.customer.account or ledger.account,
        statement_date=statement.statement_date,
        currency=statement.currency or ledger.currency,
        ledger_balance=ledger_balance,
        statement_balance=statement_balance,
        difference=difference,
        unexplained=unexplained,
        items=items,
        warnings=warnings,
    )


class _RuleWords(dict[str, str]):
    def __missing__(self, rule: str) -> str:
        self[rule] = f"matched by {rule.replace('_', ' ')}"
        return self[rule]


_RULE_WORDS = _RuleWords()


def _items(
    statement: NormalizedStatement,
    ledger: Ledger,
    lb: Book,
    sb: Book,
    matches: _Matches,
    options: ReconcileOptions,
) -> tuple[list[ReconciliationItem], Decimal]:
    """The items in output order and the sum of their differences."""
    entries, lines = ledger.entries, statement.lines
    n_groups = len(matches.rules)
    l_count = np.bincount(matches.ledger, minlength=n_groups)
    s_count = np.bincount(matches.statement, minlength=n_groups)
    l_cents = np.zeros(n_groups, dtype=np.int64)
    s_cents = np.zeros(n_groups, dtype=np.int64)
    np.add.at(l_cents, matches.ledger, lb.cents)
    np.add.at(s_cents, matches.statement, sb.cents)
    # First (lowest) position of each group on each side: assign in reverse so the lowest wins.
    l_first = np.full(n_groups, -1, dtype=np.int64)
    s_first = np.full(n_groups, -1, dtype=np.int64)
    l_first[matches.ledger[::-1]] = np.arange(len(lb), dtype=np.int64)[::-1]
    s_first[matches.statement[::-1]] = np.arange(len(sb), dtype=np.int64)[::-1]
    simple = (l_count == 1) & (s_count == 1) & (l_cents == s_cents)
    # Ledger order first (groups with a ledger side, by their first entry), then statement-only lines.
    order_key = np.where(l_count > 0, l_first, len(lb) + s_first)
    if matches.opening is not None:
        simple[matches.opening] = False
        order_key[matches.opening] = -1
    order = np.argsort(order_key, kind="stable")
    ledger_members: dict[int, list[int]] = {}
    statement_members: dict[int, list[int]] = {}
    for members, groups in ((ledger_members, matches.ledger), (statement_members, matches.statement)):
        for position in np.flatnonzero(~simple[groups]).tolist():
            members.setdefault(int(groups[position]), []).append(position)
    # The one-to-one matched items (nearly all of a large account) are built in one sweep over
    # column arrays; the few others one by one below, then both merge in output order.
    simple_in_order = simple[order]
    chosen = order[simple_in_order]
    lps, sps = l_first[chosen], s_first[chosen]
    rules = np.asarray(matches.rules, dtype=object)[chosen].tolist()
    simple_items = ReconciliationItem.matched_one_to_one(
        lb.refs[lps].tolist(),
        sb.refs[sps].tolist(),
        list(map(lb.amounts.__getitem__, lps.tolist())),
        rules,
        list(map(_RULE_WORDS.__getitem__, rules)),
        np.asarray(matches.confidences, dtype=np.float64)[chosen].tolist(),
        lps.tolist(),
        sps.tolist(),
    )
    evidence: Evidence | None = None
    asked = np.flatnonzero(~simple[matches.ledger])
    others: list[ReconciliationItem] = []
    rules, confidences = matches.rules, matches.confidences
    for g in order[~simple_in_order].tolist():
        lm, sm = ledger_members.get(g, []), statement_members.get(g, [])
        l_amount = sum((lb.amounts[p] for p in lm), ZERO) if lm else None
        s_amount = sum((sb.amounts[p] for p in sm), ZERO) if sm else None
        if g == matches.opening and matches.opening_virtual:
            s_amount = (s_amount or ZERO) + matches.opening_virtual
        diff = (l_amount or ZERO) - (s_amount or ZERO)
        l_refs = [r for p in lm if (r := lb.references[p])]
        s_refs = [r for p in sm if (r := sb.references[p])]
        rule = rules[g]
        if l_amount is not None and s_amount is not None and not diff:
            others.append(ReconciliationItem(
                status=ItemStatus.matched, ledger_refs=l_refs, statement_refs=s_refs,
                ledger_amount=l_amount, statement_amount=s_amount, evidence=[_RULE_WORDS[rule]],
                rule=rule, confidence=confidences[g], ledger_entries=lm, statement_lines=sm,
            ))  # fmt: skip
            continue
        if evidence is None:
            evidence = _evidence(statement, ledger, lb, sb, options, asked)
        if l_amount is not None and s_amount is not None:
            status = ItemStatus.difference
        else:
            status = ItemStatus.ledger_only if lm else ItemStatus.statement_only
        if g == matches.opening:
            found = classify_opening(diff)
        else:
            found = classify(
                status, [(p, entries[p]) for p in lm], [(p, lines[p]) for p in sm], diff, evidence
            )
        if status is ItemStatus.difference:
            found_evidence = [_RULE_WORDS[rule], *found.evidence]
            confidence = min(confidences[g], found.confidence)
        else:
            found_evidence, confidence = found.evidence, found.confidence
        others.append(ReconciliationItem(
            status=status, ledger_refs=l_refs, statement_refs=s_refs, ledger_amount=l_amount,
            statement_amount=s_amount, difference=diff, reason=found.reason, resolution=found.resolution,
            evidence=found_evidence, rule=rule, confidence=confidence, ledger_entries=lm,
            statement_lines=sm,
        ))  # fmt: skip
    # The others go between the runs of one-to-one items: slices, not a Python step per item.
    items: list[ReconciliationItem] = []
    done = 0
    for k, index in enumerate(np.flatnonzero(~simple_in_order).tolist()):
        upto = index - k  # one-to-one items before this one
        items.extend(simple_items[done:upto])
        items.append(others[k])
        done = upto
    items.extend(simple_items[done:])
    # One-to-one items differ by nothing: the others' differences are the explained total.
    return items, sum((item.difference for item in others), ZERO)

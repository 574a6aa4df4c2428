"""Table rows -> statement lines: the one path PDFs, OCR'd pages and spreadsheets share.

``rows_to_lines`` takes the visual rows of a document's tables (in reading order, any number of
pages) and returns statement lines signed on the receivable side, with what it learned on the
way (opening / closing balance rows, whether the document is printed from the payables side,
warnings, the rows that are not lines). Two passes: rows -> drafts (header rows found and
renewed on every page, continuation rows merged into the line above, brought/carried-forward,
subtotal and total rows and amount-only summaries set aside), then drafts -> lines (decimal
convention and date order inferred from all of them, side of the books decided, references
chosen, running balance checked line by line).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from extract.amounts import DecimalConvention, currency_in_text, infer_convention, is_amount, parse_amount
from extract.dates import DateOrder, excel_serial_to_date, infer_date_order, parse_date
from extract.headers import (
    MONEY_ROLES,
    REFERENCE_ROLES,
    ColumnRole,
    TableHeader,
    cells_to_header,
    cells_to_roles,
    is_header_row,
)
from extract.layout import Cell
from extract.markers import RowKind, classify_marker
from extract.references import choose_reference
from extract.signs import balance_sign, customer_print_cue_in_text, line_side_vote, payables_side
from models.statement import BBox, StatementLine

__all__ = ["MISMATCH_CONFIDENCE", "LinesResult", "SourceRow", "rows_to_lines"]

# The confidence of a line whose running balance or date does not add up (< 0.8: review).
MISMATCH_CONFIDENCE = 0.6


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One visual table row as a reader produced it; ``page`` is 1-based, None for spreadsheets."""

    cells: tuple[Cell, ...]
    page: int | None = None


@dataclass(frozen=True)
class LinesResult:
    """Statement lines on the receivable side plus what the rows said about the statement."""

    lines: tuple[StatementLine, ...]
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    payables_side: bool = False
    currency: str | None = None
    convention: DecimalConvention = DecimalConvention.point
    date_order: DateOrder = DateOrder.dmy
    warnings: tuple[str, ...] = ()
    rows_outside: tuple[SourceRow, ...] = field(default_factory=tuple)


@dataclass
class _Draft:
    """A line being assembled from one row plus its continuation rows (local to this module)."""

    texts: dict[ColumnRole, list[str]]
    refs: list[tuple[ColumnRole, str]]
    page: int | None
    bbox: BBox | None
    conf: float
    date_conf: float = 1.0
    ref_conf: float = 1.0
    amount_conf: float = 1.0


@dataclass(frozen=True)
class _Marker:
    """A forward / subtotal / closing row: after how many lines it came and the money it prints."""

    position: int
    kind: RowKind
    money: dict[ColumnRole, str]


@dataclass
class _Rows:
    """What the first pass found (local to ``rows_to_lines``)."""

    drafts: list[_Draft] = field(default_factory=list)
    outside: list[SourceRow] = field(default_factory=list)
    markers: list[_Marker] = field(default_factory=list)
    money_texts: list[str] = field(default_factory=list)
    date_texts: list[str] = field(default_factory=list)
    currencies: list[str] = field(default_factory=list)


def _union(a: BBox | None, b: BBox | None) -> BBox | None:
    if a is None:
        return b
    if b is None:
        return a
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _looks_like_date(text: str) -> bool:
    return parse_date(text, DateOrder.dmy) is not None or parse_date(text, DateOrder.mdy) is not None


def _continues(last: _Draft, page: int | None, bbox: BBox | None) -> bool:
    """Whether a row without date or amount sits right under the line above (a wrapped description)."""
    if bbox is None or last.bbox is None:
        return True  # spreadsheets: adjacency is all there is
    if page != last.page:
        return True  # a description wrapped over a page break
    height = bbox[3] - bbox[1]
    return bbox[1] - last.bbox[3] <= 1.5 * max(height, 1.0)


def _row_to_draft(cells: list[tuple[ColumnRole, Cell]], page: int | None) -> _Draft:
    """A row's texts grouped by column role, with its box and confidences."""
    texts: dict[ColumnRole, list[str]] = {}
    refs: list[tuple[ColumnRole, str]] = []
    conf = date_conf = ref_conf = amount_conf = 1.0
    boxed = False
    x0 = top = x1 = bottom = 0.0
    for role, cell in cells:
        text = " ".join(cell.text.split())
        if not text:
            continue
        box = cell.bbox
        if box is None:
            pass
        elif not boxed:
            x0, top, x1, bottom = box
            boxed = True
        else:  # the union of the boxes, kept in four floats
            b_x0, b_top, b_x1, b_bottom = box
            if b_x0 < x0:
                x0 = b_x0
            if b_top < top:
                top = b_top
            if b_x1 > x1:
                x1 = b_x1
            if b_bottom > bottom:
                bottom = b_bottom
        cell_conf = cell.conf
        if cell_conf < conf:
            conf = cell_conf
        if role in texts:
            texts[role].append(text)
        else:
            texts[role] = [text]
        if role in REFERENCE_ROLES:
            refs.append((role, text))
            ref_conf = min(ref_conf, cell_conf)
        elif role is ColumnRole.date:
            date_conf = min(date_conf, cell_conf)
        elif role in MONEY_ROLES:
            amount_conf = min(amount_conf, cell_conf)
    bbox = (x0, top, x1, bottom) if boxed else None
    return _Draft(texts, refs, page, bbox, conf, date_conf, ref_conf, amount_conf)


def _is_summary(row: _Draft, header: TableHeader) -> bool:
    """Amounts without a date, a reference or text under a dated table: ageing buckets, totals.

    OCR'd rows (confidence < 1) that lost their date stay lines, for review.
    """
    return (
        row.conf >= 1.0
        and ColumnRole.date in header.roles
        and not any(_looks_like_date(t) for t in row.texts.get(ColumnRole.date, []))  # most rows: cheap
        and all(is_amount(t) for t in row.texts.get(ColumnRole.description, []))
        and all(is_amount(t) for _, t in row.refs)
    )


def _rows_to_drafts(rows: Sequence[SourceRow]) -> _Rows:
    """First pass: header rows, lines, continuation rows, marker rows and rows outside the table."""
    found = _Rows()
    header: TableHeader | None = None
    for row in rows:
        texts = [" ".join(c.text.split()) for c in row.cells]
        if not any(texts):
            continue
        if is_header_row(texts):
            header = cells_to_header(row.cells)  # repeated headers on later pages just renew it
            continue
        cells = None if header is None else cells_to_roles(row.cells, header)
        if header is None or cells is None:
            found.outside.append(row)
            continue
        draft = _row_to_draft(cells, row.page)
        money = {r: " ".join(ts) for r, ts in draft.texts.items() if r in MONEY_ROLES}  # column order
        label = " ".join([t for r, ts in draft.texts.items() if r not in MONEY_ROLES for t in ts])
        kind = classify_marker(label) if label else None
        if kind is not None and not any(any(ch.isdigit() for ch in t) for _, t in draft.refs):
            found.markers.append(_Marker(len(found.drafts), kind, money))
            found.money_texts.extend(money.values())
            if kind in (RowKind.closing, RowKind.subtotal):
                found.outside.append(row)  # totals wording may name the closing balance ("Total <supplier>")
            continue
        if not any(is_amount(t) for t in money.values()):
            last = found.drafts[-1] if found.drafts else None
            if ColumnRole.date in draft.texts or draft.refs or last is None:
                found.outside.append(row)  # neither a line nor a wrapped description
            elif not _continues(last, row.page, draft.bbox):
                found.outside.append(row)
            else:  # a continuation row: wrapped text joins the line above
                for role, ts in draft.texts.items():
                    last.texts.setdefault(
                        role if role is ColumnRole.type else ColumnRole.description, []
                    ).extend(ts)
                last.bbox = _union(last.bbox, draft.bbox)
                last.conf = min(last.conf, draft.conf)
            continue
        if _is_summary(draft, header):
            found.outside.append(row)
            continue
        found.money_texts.extend(money.values())
        found.date_texts.extend(draft.texts.get(ColumnRole.date, []))
        found.currencies.extend(draft.texts.get(ColumnRole.currency, []))
        found.drafts.append(draft)
    return found


def rows_to_lines(
    rows: Sequence[SourceRow],
    *,
    context_text: str = "",
    convention: DecimalConvention | None = None,
    date_order: DateOrder | None = None,
    locale: str | None = None,
) -> LinesResult:
    """Statement lines on the receivable side from a document's visual table rows (see module doc).

    ``context_text`` is the text around the tables (payables-side cues); ``convention`` and
    ``date_order`` override what is inferred from the rows.
    """
    found = _rows_to_drafts(rows)
    drafts = found.drafts
    conv = convention or infer_convention(found.money_texts)
    order = date_order or infer_date_order(found.date_texts, locale)
    warnings: list[str] = []

    # The amounts as printed (debit positive), then the side of the books.
    raw_amounts = [_draft_amount(d.texts, conv) for d in drafts]
    raw_balances = [_signed(" ".join(d.texts.get(ColumnRole.balance, [])), conv) for d in drafts]
    votes = sum(
        line_side_vote(_side_text(d), a) for d, a in zip(drafts, raw_amounts, strict=True) if a is not None
    )
    payables, because = payables_side(votes, context_text, raw_balances)
    if payables:
        warnings.append(
            f"statement printed from the customer's payables side ({because}): "
            "amounts flipped to the receivable side"
        )
    printed_by_customer = payables or customer_print_cue_in_text(context_text)
    sign = Decimal(-1) if payables else Decimal(1)
    amounts = [None if a is None else _times(a, sign) for a in raw_amounts]
    bal_sign = balance_sign(raw_balances, amounts)
    balances = [None if b is None else _times(b, bal_sign) for b in raw_balances]

    opening: Decimal | None = None
    closing: Decimal | None = None
    for marker in found.markers:
        value = _marker_value(marker.money, conv)
        if value is None:
            continue
        value = _times(value, bal_sign if ColumnRole.balance in marker.money else sign)
        if marker.kind is RowKind.opening and marker.position == 0 and opening is None:
            opening = value
        elif marker.kind is RowKind.closing or (
            marker.kind is RowKind.carried and marker.position == len(drafts)
        ):
            closing = value

    lines: list[StatementLine] = []
    previous = opening
    for number, (draft, amount, balance) in enumerate(zip(drafts, amounts, balances, strict=True), start=1):
        if amount is None:
            continue
        line, problems = _draft_to_line(draft, amount, balance, previous, order, printed_by_customer)
        warnings.extend(f"line {number}{problem}" for problem in problems)
        lines.append(line)
        if balance is not None:
            previous = balance

    if opening is None and lines and lines[0].balance is not None:
        opening = lines[0].balance - lines[0].amount
    # A currency column, else the symbols / ISO codes printed with the amounts.
    currency = _common_currency(found.currencies) or _common_currency(
        code for text in found.money_texts if (code := currency_in_text(text)) is not None
    )
    return LinesResult(
        lines=tuple(lines),
        opening_balance=opening,
        closing_balance=closing,
        payables_side=payables,
        currency=currency,
        convention=conv,
        date_order=order,
        warnings=tuple(warnings),
        rows_outside=tuple(found.outside),
    )


def _draft_to_line(
    draft: _Draft,
    amount: Decimal,
    balance: Decimal | None,
    previous: Decimal | None,
    order: DateOrder,
    printed_by_customer: bool,
) -> tuple[StatementLine, list[str]]:
    """The statement line of a draft and what is wrong with it (warning texts after "line N")."""
    problems: list[str] = []
    dates = draft.texts.get(ColumnRole.date, [])
    date = parse_date(dates[0], order) if dates else None
    if date is None and dates and draft.bbox is None:
        date = excel_serial_to_date(dates[0])  # a spreadsheet date cell without a date format
    reference, others = choose_reference(draft.refs, printed_by_customer)
    description = " ".join(draft.texts.get(ColumnRole.description, [])) or " ".join(
        draft.texts.get(ColumnRole.type, [])
    )
    confidence = draft.conf
    field_confidence: dict[str, float] = {}
    if draft.conf < 1.0:
        field_confidence = {"date": draft.date_conf, "reference": draft.ref_conf, "amount": draft.amount_conf}
    if dates and date is None:
        problems.append(f": date {dates[0]!r} not understood")
        confidence = min(confidence, MISMATCH_CONFIDENCE)
    if balance is not None and previous is not None and previous + amount != balance:
        problems.append(
            f" ({reference or description or '?'}, page {draft.page}): running balance "
            f"{balance} != previous {previous} + amount {amount}"
        )
        confidence = min(confidence, MISMATCH_CONFIDENCE)
    line = StatementLine(
        date=date,
        reference=reference,
        description=description,
        amount=amount,
        balance=balance,
        other_references=others,
        confidence=confidence,
        field_confidence=field_confidence,
        page=draft.page,
        bbox=draft.bbox,
    )
    return line, problems


def _side_text(draft: _Draft) -> str:
    """What says which kind of item a line is: its type, description and references."""
    return " ".join(
        [
            *draft.texts.get(ColumnRole.type, []),
            *draft.texts.get(ColumnRole.description, []),
            *(r for _, r in draft.refs),
        ]
    )


def _times(value: Decimal, sign: Decimal) -> Decimal:
    """``value * sign`` without a negative zero."""
    return value * sign if value else value


def _signed(text: str, convention: DecimalConvention) -> Decimal | None:
    return parse_amount(text, convention) if text.strip() else None


def _draft_amount(texts: dict[ColumnRole, list[str]], conv: DecimalConvention) -> Decimal | None:
    """The row's amount as printed, debit positive: the Amount column, or |debit| - |credit|."""
    if ColumnRole.amount in texts:
        value = _signed(" ".join(texts[ColumnRole.amount]), conv)
        indicator = " ".join(texts.get(ColumnRole.sign, [])).strip().upper()
        if value is not None and indicator:
            # a Dr/Cr (or German S/H) column beside an unsigned amount says the side
            if indicator[0] in "CH-":
                return -abs(value)
            if indicator[0] in "DS+":
                return abs(value)
        return value
    debit = _signed(" ".join(texts.get(ColumnRole.debit, [])), conv)
    credit = _signed(" ".join(texts.get(ColumnRole.credit, [])), conv)
    if debit is None and credit is None:
        return None
    return abs(debit or Decimal("0.00")) - abs(credit or Decimal("0.00"))


def _marker_value(money: dict[ColumnRole, str], conv: DecimalConvention) -> Decimal | None:
    """What a brought-forward / closing row prints: its balance, else its amount."""
    if ColumnRole.balance in money:
        value = _signed(money[ColumnRole.balance], conv)
        if value is not None:
            return value
    return _draft_amount({r: [t] for r, t in money.items()}, conv)


def _common_currency(values: Iterable[str]) -> str | None:
    counts: dict[str, int] = {}
    for v in values:
        code = v.strip().upper()
        if len(code) == 3 and code.isalpha():
            counts[code] = counts.get(code, 0) + 1
    return max(counts, key=lambda c: counts[c]) if counts else None

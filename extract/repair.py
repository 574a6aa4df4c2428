"""OCR field repair and validation: fix what tesseract confuses, and know which lines to doubt.

Two stages, both pure:

* ``words_to_repaired`` (page words, before table reconstruction): inside number-shaped tokens
  (amounts, numeric dates, the digit run of a reference) letters tesseract confuses with digits
  become digits (O/o/D -> 0, I/l/| -> 1, S/s -> 5, B -> 8, Z -> 2); words with letters elsewhere
  (descriptions, month names, ``CR``) are left alone.
* ``statement_to_repaired`` (the statement built from OCR'd pages): references are checked against
  the document's dominant reference shapes and repaired toward them; the running balance locates
  wrong amounts and fixes those whose correct value is an OCR slip away (lost decimal point or
  minus, one confused digit); the stated totals check the lines when there is no balance column.
  Each field's confidence is tesseract's word confidence combined with that validation, and a
  line's confidence is its weakest field: a line that fails validation ends below ``DOUBT``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from extract.headers import is_header_row
from extract.layout import Word
from extract.lines import SourceRow
from models.statement import NormalizedStatement, StatementLine

__all__ = [
    "DOUBT",
    "RepairOptions",
    "reference_to_shape",
    "rows_to_header_conf",
    "statement_to_repaired",
    "token_to_repaired",
    "words_to_repaired",
]

# A line at or above this confidence is trusted without review; every wrong line must end below it.
DOUBT = 0.8

_TO_DIGIT = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "Q": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "i": "1",
        "!": "1",
        "S": "5",
        "s": "5",
        "§": "5",
        "B": "8",
        "Z": "2",
        "z": "2",
    }
)
_TO_LETTER = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G"}
_CONFUSABLE = frozenset("OoDQIl|i!SsBZz§")
# Characters that ruling-line remnants and scanner dust turn into at the edges of words.
_DEBRIS = "|~_—–=©¦«»‘’“”`^*°\"'"
_SEPARATORS = frozenset(".,'/-() ")
# Glyphs OCR makes out of a speck or a rule remnant inside a word: thin strokes and dots.
_THIN_GLYPHS = frozenset("1lIi|!.,:;'`-_°")
_AMOUNT_SHAPE = re.compile(
    r"^[-(]?\d{1,3}(?:[,.' ]\d{3})*(?:[.,]\d{1,2})?\)?-?$|^[-(]?\d+(?:[.,]\d{1,2})?\)?-?$"
)
_DATE_SHAPE = re.compile(r"^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}$")


@dataclass(frozen=True, slots=True)
class RepairOptions:
    """How much to trust OCR: tesseract confidence at which a validated field counts as certain."""

    trusted_word_conf: float = 0.90
    # a field whose token had to be repaired, or a line located by the balance check, ends here
    repaired_conf: float = 0.79
    flagged_conf: float = 0.5


# --- tokens -----------------------------------------------------------------------------------


def token_to_repaired(token: str) -> str:
    """``token`` with digit look-alike letters made digits where the token is number-shaped."""
    if len(token) > 1 and token[-1] in ".:;," and token[-2].isdigit():
        token = token[:-1]  # a speck after a number: amounts and references never end in punctuation
    if not any(ch in _CONFUSABLE for ch in token) or sum(ch.isdigit() for ch in token) < 1:
        return token
    mapped = token.translate(_TO_DIGIT)
    first = next(i for i, ch in enumerate(token) if ch.isdigit())
    # Whole token is an amount or a numeric date once mapped: every look-alike was a digit. Without
    # a separator, leading look-alikes are more likely a prefix (SO12345) than digits.
    separated = any(ch in _SEPARATORS for ch in token)
    leading = any(ch in _CONFUSABLE for ch in token[:first])
    if (
        (separated or not leading)
        and all(ch.isdigit() or ch in _SEPARATORS for ch in mapped)
        and (_AMOUNT_SHAPE.match(mapped) or _DATE_SHAPE.match(mapped))
    ):
        real_digits = sum(ch.isdigit() for ch in token)
        if real_digits * 2 >= sum(ch.isdigit() for ch in mapped):
            return mapped
        return token
    # A reference like INV-10O0231 or INV1OO0231: map only inside the digit run (after its first
    # real digit), never the letters of the prefix.
    tail = token[first:]
    tail_mapped = tail.translate(_TO_DIGIT)
    if all(ch.isdigit() or ch in _SEPARATORS for ch in tail_mapped) and tail_mapped != tail:
        return token[:first] + tail_mapped
    return token


def words_to_clean(words: Iterable[Word]) -> list[Word]:
    """OCR'd words without ruling-line debris: edge junk stripped, punctuation-only words dropped.

    A lone minus or opening parenthesis right before a number is glued back onto it.
    """
    ordered = sorted(words, key=lambda w: (round((w.top + w.bottom) / 2), w.x0))
    out: list[Word] = []
    pending: Word | None = None
    for word in ordered:
        text = word.text.strip(_DEBRIS)
        if text in ("-", "(") and word.conf >= 0.3:
            pending = Word(text, word.x0, word.top, word.x1, word.bottom, word.conf)
            continue
        if not any(ch.isalnum() for ch in text) or (len(text) == 1 and text.isalpha() and word.conf < 0.3):
            pending = None  # punctuation debris, or a stray letter tesseract itself doubts
            continue
        if pending is not None:
            height = max(word.bottom - word.top, 1.0)
            same_line = abs((pending.top + pending.bottom) - (word.top + word.bottom)) < height
            if same_line and 0 <= word.x0 - pending.x1 < 0.6 * height and text[0].isdigit():
                text = pending.text + text
                word = Word(text, pending.x0, word.top, word.x1, word.bottom, min(word.conf, pending.conf))
            pending = None
        if text != word.text:
            word = Word(text, word.x0, word.top, word.x1, word.bottom, word.conf)
        out.append(word)
    return out


# Column header words: a doubtful OCR word one letter away from one of these is that word.
HEADER_WORDS = (
    "Date", "Type", "Document", "Reference", "Description", "Particulars", "Details", "Debit",
    "Credit", "Balance", "Amount", "Invoice", "Voucher",
)  # fmt: skip


def word_to_header_word(text: str, conf: float) -> str:
    """``text`` as the header word it misspells when tesseract doubted it (``pate``, ``sBallance``):
    one edit away for short words, two for words of seven letters or more."""
    from rapidfuzz.distance import Levenshtein

    if conf >= 0.9 or len(text) < 4 or not text.isalpha():
        return text
    for word in HEADER_WORDS:
        allowed = 2 if len(word) >= 7 else 1
        distance = Levenshtein.distance(text.lower(), word.lower(), score_cutoff=allowed)
        if 0 < distance <= allowed:
            return word
    return text


def words_to_repaired(words: Iterable[Word]) -> tuple[Word, ...]:
    """OCR'd words cleaned and number-shaped tokens repaired; a repaired word's confidence drops below 0.8."""
    out: list[Word] = []
    for word in words_to_clean(words):
        fixed = token_to_repaired(word_to_header_word(word.text, word.conf))
        if fixed == word.text:
            out.append(word)
            continue
        # A dropped speck leaves the characters as read; a swapped character is a guess to confirm.
        swapped = fixed != word.text[: len(fixed)]
        conf = min(word.conf, DOUBT - 0.01) if swapped else word.conf
        out.append(Word(fixed, word.x0, word.top, word.x1, word.bottom, conf))
    return tuple(out)


# --- references -------------------------------------------------------------------------------


def reference_to_shape(reference: str) -> str:
    """A reference's shape: digits as 9, letters as A, the rest kept (``INV-0012`` -> ``AAA-9999``)."""
    return "".join("9" if ch.isdigit() else "A" if ch.isalpha() else ch for ch in reference)


def _dominant_shapes(references: Sequence[str]) -> set[str]:
    counts = Counter(reference_to_shape(r) for r in references)
    total = len(references)
    return {shape for shape, n in counts.items() if n >= 3 and n * 10 >= total}


def _reference_toward(reference: str, shapes: set[str]) -> str | None:
    """``reference`` made to fit one of ``shapes`` by swapping look-alike characters, else None."""
    for shape in shapes:
        if len(shape) != len(reference):
            continue
        chars: list[str] = []
        for ch, want in zip(reference, shape, strict=True):
            if want == "9" and not ch.isdigit():
                fixed = ch.translate(_TO_DIGIT)
                if not fixed.isdigit():
                    break
                chars.append(fixed)
            elif want == "A" and not ch.isalpha():
                letter = _TO_LETTER.get(ch)
                if letter is None:
                    break
                chars.append(letter)
            elif want not in "9A" and ch != want:
                break
            else:
                chars.append(ch)
        else:
            return "".join(chars)
    return None


def _reference_in_description(description: str, shapes: set[str]) -> str | None:
    """The one word (or pair of words) of the description shaped like the document's references."""
    words = [w.strip(".,;:()") for w in description.split()]
    candidates = {w for w in words if reference_to_shape(w) in shapes}
    candidates |= {
        f"{a} {b}" for a, b in itertools.pairwise(words) if reference_to_shape(f"{a} {b}") in shapes
    }
    return candidates.pop() if len(candidates) == 1 else None


def _echo_in_description(reference: str, description: str, shapes: set[str]) -> str | None:
    """The one description word that is ``reference`` with one character changed, or without one
    thin glyph OCR adds from specks and rule remnants (``W1T4421`` beside "Wire WT4421") when the
    word has one of the document's reference ``shapes``."""
    words = {w.strip(".,;:()") for w in description.split()}
    if reference in words:
        return None
    near = [
        w
        for w in words
        if (
            len(w) == len(reference)
            and reference_to_shape(w) == reference_to_shape(reference)
            and sum(a != b for a, b in zip(w, reference, strict=True)) == 1
        )
        or (
            len(w) + 1 == len(reference)
            and reference_to_shape(w) in shapes
            and any(
                ch in _THIN_GLYPHS and reference[:i] + reference[i + 1 :] == w
                for i, ch in enumerate(reference)
            )
        )
    ]
    return near[0] if len(near) == 1 else None


# --- amounts ----------------------------------------------------------------------------------


def _ocr_slip(read: Decimal, true: Decimal) -> bool:
    """Whether ``true`` is one OCR slip from ``read``: lost point or minus, or one digit changed."""
    if read == true:
        return True
    if read == -true or read == true * 100 or read == -true * 100 or read * 100 == true:
        return True
    a, b = f"{abs(read):.2f}", f"{abs(true):.2f}"
    if (read < 0) != (true < 0) and read != 0 and true != 0:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(long) - len(short) != 1:
        return False
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


# --- the statement ----------------------------------------------------------------------------


def rows_to_header_conf(rows: Iterable[SourceRow]) -> float:
    """The lowest word confidence in the table header rows (1.0 for a text layer or no header).

    A misread header word moves a whole column (which one is the reference, which the debit), an
    error no line-level check can see; so a doubtful header puts every line up for review.
    """
    confs = [
        cell.conf
        for row in rows
        if is_header_row([cell.text for cell in row.cells])
        for cell in row.cells
        if cell.text.strip()
    ]
    return min(confs, default=1.0)


def statement_to_repaired(
    statement: NormalizedStatement, options: RepairOptions | None = None, header_conf: float = 1.0
) -> NormalizedStatement:
    """The OCR'd statement with references and amounts repaired where validation proves them wrong,
    and every line's confidence combining its word confidences with the checks it passed."""
    opts = options or RepairOptions()
    lines = list(statement.lines)
    if not lines:
        return statement
    warnings = [w for w in statement.warnings if not _is_balance_warning(w)]

    references = [ln.reference for ln in lines if ln.reference]
    shapes = _dominant_shapes(references)
    ref_conf: list[float] = []
    new_refs: list[str | None] = []
    for number, line in enumerate(lines, start=1):
        conf = _field(line, "reference")
        ref = line.reference
        if ref and shapes and conf < 1.0 and reference_to_shape(ref) not in shapes:
            fixed = _reference_toward(ref, shapes)
            if fixed is not None:
                warnings.append(f"line {number}: reference {ref!r} read as {fixed!r} (OCR look-alikes)")
                ref, conf = fixed, min(conf, opts.repaired_conf)
            else:
                conf = min(conf, opts.repaired_conf)  # an odd shape from OCR: a person should look
        scanned = bool(line.field_confidence) or line.confidence < 1.0
        if ref is None and scanned:
            # No reference read on a scanned line: its column may have run into the description.
            found = _reference_in_description(line.description, shapes)
            if found is not None:
                warnings.append(f"line {number}: reference {found!r} taken from the description")
            ref, conf = found, min(conf, opts.repaired_conf)
        echo = _echo_in_description(ref, line.description, shapes) if ref and conf < 1.0 else None
        if echo is not None and ref is not None:
            # The description repeats the reference one character apart: two readings disagree.
            if conf < opts.trusted_word_conf:
                warnings.append(f"line {number}: reference {ref!r} read as {echo!r} (as in the description)")
                ref = echo
            conf = min(conf, opts.repaired_conf)
        new_refs.append(ref)
        ref_conf.append(conf)

    amounts = [ln.amount for ln in lines]
    balances = [ln.balance for ln in lines]
    amount_conf = [_field(ln, "amount") for ln in lines]
    checked = [False] * len(lines)
    located = [False] * len(lines)
    opening = statement.opening_balance
    has_balances = sum(b is not None for b in balances) >= max(2, len(lines) // 2)
    if has_balances:
        _balance_repair(amounts, balances, opening, checked, located, warnings)
    else:
        _totals_check(amounts, opening, statement.closing_balance, checked, located, warnings)

    with_ref = sum(1 for ln in lines if ln.reference)
    if with_ref >= 0.8 * len(lines):
        # Nearly every line carries a reference: one without is more likely a misread cell.
        ref_conf = [
            c if ln.reference else min(c, opts.repaired_conf) for c, ln in zip(ref_conf, lines, strict=True)
        ]
    doubtful_header = header_conf < opts.trusted_word_conf
    if doubtful_header:
        warnings.append(
            f"the table header was read with doubt (confidence {header_conf:.2f}): every line needs review"
        )
    # A balance chain broken in many places means whole columns or signs were misread (a header
    # not recognised on a scanned page, say): then no line of the document can be trusted.
    broken = sum(1 for i in range(len(lines)) if located[i] and amounts[i] == lines[i].amount)
    if broken > max(1, len(lines) // 10):
        doubtful_header = True
        warnings.append(f"the running balance fails on {broken} lines: every line needs review")

    date_conf = [_field(ln, "date") for ln in lines]
    for i in _dates_out_of_order([ln.date for ln in lines]):
        date_conf[i] = min(date_conf[i], opts.repaired_conf)

    out: list[StatementLine] = []
    for i, line in enumerate(lines):
        a_conf = amount_conf[i]
        if located[i]:
            a_conf = min(a_conf, opts.repaired_conf if amounts[i] != line.amount else opts.flagged_conf)
        elif checked[i]:
            # The balance (or the totals) confirms the amount as read: a misread amount cannot
            # also carry one printed balance to the next.
            a_conf = max(a_conf, 0.95)
        d_conf = date_conf[i] if line.date is not None else min(date_conf[i], opts.flagged_conf)
        fields = {
            "date": _calibrated(d_conf, opts),
            "reference": _calibrated(ref_conf[i], opts),
            "amount": a_conf if located[i] or checked[i] else _calibrated(a_conf, opts),
        }
        confidence = min(fields.values())
        if doubtful_header:
            confidence = min(confidence, opts.repaired_conf)
        out.append(
            line.model_copy(
                update={
                    "reference": new_refs[i],
                    "amount": amounts[i],
                    "balance": balances[i],
                    "field_confidence": {k: round(v, 3) for k, v in fields.items()},
                    "confidence": round(confidence, 3),
                }
            )
        )
    return statement.model_copy(update={"lines": out, "warnings": warnings})


def _field(line: StatementLine, name: str) -> float:
    return float(line.field_confidence.get(name, line.confidence))


def _calibrated(conf: float, opts: RepairOptions) -> float:
    """A field no check confirms: trusted only when tesseract was very sure of every word in it."""
    if conf >= opts.trusted_word_conf:
        return conf
    # Below the trusted level the scale is squeezed under DOUBT, so such a field is reviewed.
    return conf * (DOUBT - 0.01) / opts.trusted_word_conf


def _is_balance_warning(warning: str) -> bool:
    return "running balance" in warning or "totals do not add up" in warning


def _balance_repair(
    amounts: list[Decimal],
    balances: list[Decimal | None],
    opening: Decimal | None,
    checked: list[bool],
    located: list[bool],
    warnings: list[str],
) -> None:
    """Walk the running balance: confirm each amount, fix one-slip misreads, locate what is left."""
    n = len(amounts)

    def prev_balance(i: int) -> Decimal | None:
        return opening if i == 0 else balances[i - 1]

    for i in range(n):
        before, after = prev_balance(i), balances[i]
        if before is None or after is None:
            continue
        if before + amounts[i] == after:
            checked[i] = True
            continue
        implied = after - before
        next_ok = i + 1 < n and balances[i + 1] is not None and after + amounts[i + 1] == balances[i + 1]
        last_line = i + 1 == n
        if _ocr_slip(amounts[i], implied) and (next_ok or last_line):
            warnings.append(f"line {i + 1}: amount {amounts[i]} read as {implied} (the running balance)")
            amounts[i] = implied
            located[i] = True
            continue
        # Perhaps the balance is the misread one: the amount then carries to the next balance.
        fixed_balance = before + amounts[i]
        following = balances[i + 1] if i + 1 < n else None
        if (
            following is not None
            and fixed_balance + amounts[i + 1] == following
            and _ocr_slip(after, fixed_balance)
        ):
            warnings.append(f"line {i + 1}: balance {after} read as {fixed_balance} (the running balance)")
            balances[i] = fixed_balance
            checked[i] = True
            continue
        located[i] = True
        warnings.append(
            f"line {i + 1}: running balance {after} != previous {before} + amount {amounts[i]}; "
            "the line needs review"
        )
        if i + 1 < n:
            located[i + 1] = located[i + 1] or not next_ok


def _totals_check(
    amounts: list[Decimal],
    opening: Decimal | None,
    closing: Decimal | None,
    checked: list[bool],
    located: list[bool],
    warnings: list[str],
) -> None:
    """Without a balance column the stated totals are the only check: all lines pass or none do."""
    if opening is None or closing is None:
        return
    total = sum(amounts, Decimal("0.00"))
    if opening + total == closing:
        for i in range(len(amounts)):
            checked[i] = True
        return
    gap = closing - opening - total
    candidates = [i for i, a in enumerate(amounts) if _ocr_slip(a, a + gap)]
    if len(candidates) == 1:
        i = candidates[0]
        warnings.append(f"line {i + 1}: amount {amounts[i]} read as {amounts[i] + gap} (the totals)")
        amounts[i] += gap
        located[i] = True
        for j in range(len(amounts)):
            checked[j] = j != i
        return
    warnings.append(f"totals do not add up by {gap}: every line needs review")
    for i in range(len(amounts)):
        located[i] = True


def _dates_out_of_order(dates: Sequence[dt.date | None]) -> list[int]:
    """Lines whose date breaks an otherwise chronological statement (a misread digit, most likely)."""
    known = [(i, d) for i, d in enumerate(dates) if d is not None]
    if len(known) < 4:
        return []
    ordered = sum(1 for (_, a), (_, b) in itertools.pairwise(known) if a <= b)
    if ordered < 0.8 * (len(known) - 1):
        return []  # not a chronological statement: order says nothing
    out: list[int] = []
    for k, (i, d) in enumerate(known):
        before = known[k - 1][1] if k > 0 else None
        after = known[k + 1][1] if k + 1 < len(known) else None
        broken = (before is not None and d < before) or (after is not None and d > after)
        # only the odd one out: neighbours that are in order between themselves confirm each other
        if broken and (before is None or after is None or before <= after):
            out.append(i)
    return out

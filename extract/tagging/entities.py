"""Description text -> entities: referenced invoice, credit/debit note, RMA, PO and payment numbers,
percentages, amounts and dates, as ``models.Entity(label, text)`` in reading order.

Regular expressions on the original text, not spaCy token patterns: references arrive glued to
their keyword (``INV12345``, ``RMA-5567``, ``PO#4500012345``) in shapes a tokenizer splits
unpredictably. A reference glued to its keyword keeps the keyword (``RMA-5567``, as the other book
writes it); one separated by a space, ``#`` or ``no.`` is the number alone (``inv 12345`` -> ``12345``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from models import Entity
from models.tags import EntityLabel

_REF_KEYWORDS: tuple[tuple[EntityLabel, str], ...] = (
    (
        EntityLabel.credit_note_ref,
        r"credit\s*notes?|credit\s*memo|cr\.?\s*memo|cr\.?\s*note|crn|cn|cm|gutschrift|avoir",
    ),
    (EntityLabel.debit_note_ref, r"debit\s*notes?|debit\s*memo|dr\.?\s*memo|dr\.?\s*note|dbn|dn|dm"),
    (EntityLabel.rma, r"rma|rga|rtv|return\s+auth(?:ori[sz]ation)?"),
    (EntityLabel.po, r"p\.?\s?o\.?|purchase\s+order|order"),
    (EntityLabel.payment_ref, r"cheque|chq|check|ck|receipt|rcpt|remittance|remit|ach|eft|wire|bacs|trx|txn"),
    (
        EntityLabel.invoice_ref,
        r"invoices?|invoice|invc|inv|bill|our\s+ref|your\s+ref|rechnung|facture|fattura|factura",
    ),
)
_REF_TAIL = (
    r"(?![a-z])(?:(?P<glued>[-/]?\d[\w/-]*)|\.?\s*(?:no\.?|nr\.?|number|num|ref\.?)?\s*[:#]?\s*"
    r"(?P<ref>[0-9oOIl]*\d[\w/-]*|[a-z]{1,4}-?\d[\w/-]*)(?P<more>(?:\s*(?:,|&|and|/)\s*\d{3,}[\w-]*)*))"
)
# One pass for every kind of reference; the keyword that matched tells the label.
_REFERENCE = re.compile(
    rf"\b(?P<kw>{'|'.join(keywords for _, keywords in _REF_KEYWORDS)}){_REF_TAIL}"
)
_KEYWORD_LABELS: tuple[tuple[EntityLabel, re.Pattern[str]], ...] = tuple(
    (label, re.compile(keywords, re.IGNORECASE)) for label, keywords in _REF_KEYWORDS
)
_DIGIT = re.compile(r"\d")
_REPAIRABLE = re.compile(r"[0-9oOIl]+")
_OCR_DIGITS = str.maketrans("oOIl", "0011")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    rf"\b(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}"
    rf"|\d{{1,2}}[ -]?{_MONTH}[ ,-]?\d{{2,4}}"
    rf"|{_MONTH} \d{{1,2}},? \d{{4}})\b"
)
_PERCENT = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?\s?(?:%|pct\b|percent\b)")
_AMOUNT = re.compile(
    r"(?:(?:[$€£]|\b(?:usd|eur|gbp|cad|aud|chf|inr)\b)\s?-?\d[\d,.' ]*\d"
    r"|(?<![\w.,])-?\d{1,3}(?:[,.' ]\d{3})*[.,]\d{2}(?![\d%]))"
)
# Cheap necessary conditions: most descriptions hold no date, percentage or amount, and a full
# pattern tries every position of the text (the hints are supersets: they never drop a match).
_DATE_HINT = re.compile(r"\d[/.-]\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec")
_AMOUNT_HINT = re.compile(r"[$€£]|usd|eur|gbp|cad|aud|chf|inr|\d[.,]\d\d")
_REF_SPLIT = re.compile(r"\s*(?:,|&|\band\b|/)\s*")


def text_to_entities(text: str) -> list[Entity]:
    """The entities found in one description, in reading order, each (label, text) once."""
    if not _DIGIT.search(text):
        return []  # every entity holds a digit
    # Patterns are lower case: matching the lowered text is much faster than IGNORECASE, and
    # ASCII lowering keeps every position, so values are cut from the original text.
    lowered = text.lower()
    if len(lowered) != len(text):  # a few non-ASCII letters lower to two characters
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    found: list[tuple[int, int, str, str]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _, _ in found)

    if _DATE_HINT.search(lowered):
        # Dates come first and never overlap one another: no free() check needed.
        for m in _DATE.finditer(lowered):
            found.append((m.start(), m.end(), EntityLabel.date, text[m.start() : m.end()].strip()))
    if "%" in lowered or "pct" in lowered or "percent" in lowered:
        for m in _PERCENT.finditer(lowered):
            if free(m.start(), m.end()):
                found.append((m.start(), m.end(), EntityLabel.percent, text[m.start() : m.end()].strip()))
    for m in _REFERENCE.finditer(lowered):
        if not free(m.start(), m.end()):
            continue
        label = _keyword_to_label(m.group("kw"))
        if m.group("glued"):
            refs = [text[m.start("kw") : m.end("glued")]]
        else:
            more = text[m.start("more") : m.end("more")]
            refs = [text[m.start("ref") : m.end("ref")], *_REF_SPLIT.split(more)]
        texts = [_repair_reference(r) for r in refs if r and r.strip()]
        found.extend((m.start(), m.end(), label, t) for t in texts if any(c.isdigit() for c in t))
    if _AMOUNT_HINT.search(lowered):
        for m in _AMOUNT.finditer(lowered):
            if free(m.start(), m.end()):
                found.append((m.start(), m.end(), EntityLabel.amount, text[m.start() : m.end()].strip()))
    found.sort(key=lambda f: (f[0], f[1]))
    return [_entity(label, value) for label, value in dict.fromkeys((f[2], f[3]) for f in found)]


@lru_cache(maxsize=100_000)
def _entity(label: str, value: str) -> Entity:
    # Entities are frozen: equal ones (the same "2%", the same RMA) can be one object.
    return Entity.model_construct(label=str(label), text=value)


@lru_cache(maxsize=1024)
def _keyword_to_label(keyword: str) -> EntityLabel:
    return next(label for label, pattern in _KEYWORD_LABELS if pattern.fullmatch(keyword))


def _repair_reference(ref: str) -> str:
    """A reference with OCR letter confusions fixed where it is mostly digits (``1OO23`` -> ``10023``)."""
    ref = ref.strip().rstrip("-/.")
    if not ref.isdigit() and _REPAIRABLE.fullmatch(ref) and _DIGIT.search(ref):
        return ref.translate(_OCR_DIGITS)
    return ref

"""Document references reduced to comparable keys: the two books never print them the same way.

Our ``INV-0012345`` is their ``12345``, ``INV12345`` or ``Inv 12345``: the key drops case,
separators, a leading letter prefix and leading zeros. The OCR key also folds the letters OCR
confuses with digits (O/0, I/l/1, S/5, B/8, Z/2).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
MAX_PREFIX = 6
MIN_BARE_NUMBER = 3
_SEPARATORS = str.maketrans("", "", " -/._#:")
_LETTERS = string.ascii_uppercase
_OCR_FOLD = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2"})


def reference_to_key(reference: str | None) -> str:
    """``"INV-0012345"`` -> ``"12345"``; ``""`` when there is nothing to compare."""
    if not reference:
        return ""
    # str methods run in C: this is the hottest line of a million-item reconciliation.
    compact = reference.upper().translate(_SEPARATORS)
    if not (compact.isascii() and compact.isalnum()):
        compact = _NOT_ALNUM.sub("", compact)
    if compact[:1].isalpha():
        rest = compact.lstrip(_LETTERS)
        if rest[:1].isdigit() and len(compact) - len(rest) <= MAX_PREFIX:
            number = rest.lstrip("0")
            # A short number keeps its prefix: "CN-0034" = "CN34", never plain "34".
            return number if len(number) >= MIN_BARE_NUMBER else compact[: len(compact) - len(rest)] + number
    return compact.lstrip("0")


def key_to_ocr_key(key: str) -> str:
    """A reference key with the letters OCR confuses with digits folded: ``"12B45"`` -> ``"12845"``.

    Keys have their prefix already dropped, so a misread leading digit (``"l2345"``) is lost to
    the prefix rule; the fuzzy pass still pairs it (one edit).
    """
    return key.translate(_OCR_FOLD).lstrip("0")


# The rules of reference_to_key over many references at once: the references are joined into one
# text, each behind a line break, so upper-casing and each rule is a single pass of C code over the
# whole text instead of a few Python calls per reference (a pattern starting with a literal line
# break is searched for fast). Lines only hold [0-9A-Z] once the first rule ran.
_JOINED_NOT_ALNUM = re.compile(r"[^0-9A-Z\n]+")
# A short number keeps its prefix (only its leading zeros go); this runs first, and its results
# (at most two characters after the letters) can never match the long-number rule below.
_JOINED_SHORT_NUMBER = re.compile(
    rf"\n([A-Z]{{1,{MAX_PREFIX}}})(?=[0-9])0*+(?=[0-9A-Z]{{0,{MIN_BARE_NUMBER - 1}}}(?:\n|$))"
)
_JOINED_PREFIX = re.compile(rf"\n[A-Z]{{1,{MAX_PREFIX}}}(?=[0-9])0*+(?=[0-9A-Z]{{{MIN_BARE_NUMBER}}})")
_JOINED_LEADING_ZEROS = re.compile(r"\n0+")


def _joined_to_keys(texts: list[str]) -> list[str] | None:
    """reference_to_key of many texts in a few passes over their joined text; None when a text
    holds a line break itself (the caller then takes them one by one)."""
    joined = "\n" + "\n".join(texts)
    if joined.count("\n") != len(texts):
        return None
    compact = joined.upper().translate(_SEPARATORS)
    if not (compact.isascii() and compact.replace("\n", "").isalnum()):
        compact = _JOINED_NOT_ALNUM.sub("", compact)
    compact = _JOINED_SHORT_NUMBER.sub("\n\\1", compact)
    compact = _JOINED_PREFIX.sub("\n", compact)
    keys = _JOINED_LEADING_ZEROS.sub("\n", compact).split("\n")
    del keys[0]  # the empty text before the first line break
    return keys


def references_to_keys(references: Iterable[str | None]) -> list[str]:
    """Many references -> their keys, equal to reference_to_key of each."""
    return texts_to_keys([r or "" for r in references])


def texts_to_keys(texts: list[str]) -> list[str]:
    """references_to_keys of references that are all texts ("" for none)."""
    if not texts:
        return []
    keys = _joined_to_keys(texts)
    return keys if keys is not None else [reference_to_key(t) for t in texts]


def keys_to_ocr_keys(keys: list[str]) -> list[str]:
    """key_to_ocr_key of many keys, in two passes over their joined text."""
    if not keys:
        return []
    folded = ("\n" + "\n".join(keys)).translate(_OCR_FOLD)
    return _JOINED_LEADING_ZEROS.sub("\n", folded).split("\n")[1:]


def is_single_digit_substitution(a: str, b: str) -> bool:
    """Whether two keys differ by one digit replaced by another: that is a different document
    in a numbering sequence (10023 vs 10024), not a typo of the same one."""
    if len(a) != len(b):
        return False
    diffs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(diffs) == 1 and diffs[0][0].isdigit() and diffs[0][1].isdigit()

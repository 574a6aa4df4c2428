"""Document references reduced to comparable keys: the two books never print them the same way.

Our ``INV-0012345`` is their ``12345``, ``INV12345`` or ``Inv 12345``: the key drops case,
separators, a leading letter prefix and leading zeros. The OCR key also folds the letters OCR
confuses with digits (O/0, I/l/1, S/5, B/8, Z/2).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

import pandas as pd

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


def references_to_keys(references: Iterable[str | None]) -> pd.Series:
    """Many references -> their keys (object Series), each distinct text normalized once."""
    seen: dict[str | None, str] = {}
    keys = [seen[r] if r in seen else seen.setdefault(r, reference_to_key(r)) for r in references]
    return pd.Series(keys, dtype=object)


def is_single_digit_substitution(a: str, b: str) -> bool:
    """Whether two keys differ by one digit replaced by another: that is a different document
    in a numbering sequence (10023 vs 10024), not a typo of the same one."""
    if len(a) != len(b):
        return False
    diffs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(diffs) == 1 and diffs[0][0].isdigit() and diffs[0][1].isdigit()

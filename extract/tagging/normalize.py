"""Description text -> canonical words: lower case, OCR repair, numbers folded, glued refs split.

The lookup lemmatizer's table is case-sensitive ("RETURNED" stays unlemmatized), and ledgers
write the same word as ``Fre1ght``, ``FREIGHT`` or ``frt``; the tagger therefore sees canonical
words only. Entities are read from the original text (``extract.tagging.entities``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from extract.tagging.rules import lexicon_words

BOS = "xbos"
NUMBER = "0"
_ALNUM = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
_WORD = re.compile(r"(?<![a-z])[a-z]{1,2}/[a-z]{1,4}(?![a-z])|[^\W_]+|[%&#]")
# _WORD without its "w/o" alternative, which costs a try at every position: for texts without "/".
_PLAIN_WORD = re.compile(r"[^\W_]+|[%&#]")
_GROUPS = re.compile(r"[^\W\d_]+|\d+")
# Digits OCR reads in place of letters, most likely letter first.
_DIGIT_LETTERS: dict[str, str] = {
    "0": "o", "1": "il", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b",
}
# Letters tesseract reads in place of others, as (read as, meant): "darnaged", "clisc", "lafe".
_LETTER_CONFUSIONS: tuple[tuple[str, str], ...] = (
    ("rn", "m"), ("cl", "d"), ("li", "h"), ("vv", "w"), ("ii", "u"), ("f", "t"), ("t", "f"), ("c", "e"),
    ("e", "c"), ("o", "a"), ("a", "o"), ("q", "g"), ("b", "h"), ("h", "b"), ("u", "v"), ("v", "u"),
    ("l", "i"), ("i", "l"), ("n", "h"), ("h", "n"), ("p", "r"), ("r", "p"), ("o", "d"), ("m", "rn"),
    ("d", "cl"), ("e", "o"), ("c", "o"),
)
_LEXICON: frozenset[str] = lexicon_words()
_LEXICON_LIST: tuple[str, ...] = tuple(sorted(_LEXICON))


def text_to_words(text: str) -> list[str]:
    """The canonical words of a description, starting with the marker ``xbos`` (start of text)."""
    lowered = text.casefold().replace("|", "l")
    repaired = _ALNUM.sub(lambda m: _repair_token(m.group()), lowered)
    folded = _NUMBER.sub(f" {NUMBER} ", repaired)
    return [BOS, *(_WORD if "/" in folded else _PLAIN_WORD).findall(folded)]


@lru_cache(maxsize=200_000)
def _repair_token(token: str) -> str:
    """One alphanumeric token repaired: OCR digits inside words, glued ``inv12345`` split."""
    if token.isdigit():
        return token
    if token.isalpha():
        return _snap_to_lexicon(token)
    groups = _GROUPS.findall(token)
    letters = sum(len(g) for g in groups if g.isalpha())
    long_digit_run = any(g.isdigit() and len(g) >= 2 for g in groups)
    if long_digit_run or letters < 3:
        return " ".join(groups)
    candidates = [""]
    for ch in token:
        options = _DIGIT_LETTERS.get(ch, ch) if ch.isdigit() else ch
        candidates = [c + o for c in candidates for o in options][:16]
    for candidate in candidates:
        if candidate in _LEXICON:
            return candidate
    return _snap_to_lexicon(candidates[0])


@lru_cache(maxsize=200_000)
def _snap_to_lexicon(word: str) -> str:
    """An unknown word one OCR confusion or a short edit away from a lexicon word becomes that word."""
    if len(word) < 4 or word in _LEXICON:
        return word
    for read_as, meant in _LETTER_CONFUSIONS:
        start = word.find(read_as)
        while start >= 0:
            candidate = word[:start] + meant + word[start + len(read_as) :]
            if candidate in _LEXICON:
                return candidate
            start = word.find(read_as, start + 1)
    if len(word) < 5:
        return word
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    cutoff = 1 if len(word) < 8 else 2
    found = process.extractOne(word, _LEXICON_LIST, scorer=OSA.distance, score_cutoff=cutoff)
    return str(found[0]) if found else word

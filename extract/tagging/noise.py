"""Text -> a copy with the damage ledgers and OCR inflict: case, typos, OCR character confusions.

Seeded by the caller's ``random.Random``; used by the corpus generator and the benchmark's
OCR-noised copy of the held-out split.
"""

from __future__ import annotations

import random

# Confusions tesseract makes on statement scans, as (seen, read-as).
OCR_CONFUSIONS: tuple[tuple[str, str], ...] = (
    ("i", "1"), ("l", "1"), ("I", "1"), ("o", "0"), ("O", "0"), ("D", "O"), ("e", "3"), ("S", "5"),
    ("s", "5"), ("B", "8"), ("m", "rn"), ("rn", "m"), ("cl", "d"), ("d", "cl"), ("h", "li"), ("g", "q"),
    ("a", "o"), ("c", "e"), ("t", "f"), ("u", "v"), ("E", "F"), ("G", "C"), ("R", "P"), ("n", "h"),
)


def text_to_ocr_noise(text: str, rng: random.Random, rate: float = 0.5) -> str:
    """The text with OCR confusions in about ``rate`` of its words of 4+ letters (one per word)."""
    words = text.split(" ")
    for index, word in enumerate(words):
        if len(word) < 4 or not any(c.isalpha() for c in word) or rng.random() >= rate:
            continue
        options = [(a, b) for a, b in OCR_CONFUSIONS if a in word]
        if options:
            seen, read_as = rng.choice(options)
            positions = [i for i in range(len(word)) if word.startswith(seen, i)]
            at = rng.choice(positions)
            words[index] = word[:at] + read_as + word[at + len(seen) :]
    return " ".join(words)


def text_to_typo(text: str, rng: random.Random) -> str:
    """The text with one typing slip (dropped, doubled or swapped letter) in one longer word."""
    words = text.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return text
    index = rng.choice(long_words)
    word = words[index]
    at = rng.randrange(1, len(word) - 1)
    slip = rng.choice(("drop", "double", "swap"))
    if slip == "drop":
        word = word[:at] + word[at + 1 :]
    elif slip == "double":
        word = word[:at] + word[at] + word[at:]
    else:
        word = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    words[index] = word
    return " ".join(words)


def text_to_case_style(text: str, rng: random.Random) -> str:
    """The text in one of the case styles ERPs print: as written, UPPER, lower or Title."""
    style = rng.random()
    if style < 0.3:
        return text.upper()
    if style < 0.4:
        return text.lower()
    if style < 0.5:
        return text.title()
    return text

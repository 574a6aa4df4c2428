"""Canonical words: case, OCR repair, glued references, folded numbers."""

from __future__ import annotations

import pytest

from extract.tagging.normalize import text_to_words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Frt chg inv#10023", ["frt", "chg", "inv", "#", "0"]),
        ("RETURNEO goods", ["returned", "goods"]),
        ("Fre1ght", ["freight"]),
        ("DARNAGED", ["damaged"]),
        ("c0nsulting 1ate fee", ["consulting", "late", "fee"]),
        ("no cliarge", ["no", "charge"]),
        ("INV12345 S&H", ["inv", "0", "s", "&", "h"]),
        ("Balance b/f 1,234.56 2%", ["balance", "b/f", "0", "0", "%"]),
        ("Überweisung UEB-8837", ["überweisung", "ueb", "0"]),
        ("widgets pallet", ["widgets", "pallet"]),
    ],
)
def test_text_to_words(text: str, words: list[str]) -> None:
    assert text_to_words(text) == ["xbos", *words]

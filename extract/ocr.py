"""OCR engines behind one small interface: an image in, words with pixel boxes and confidences out.

The engine is chosen by name from ``ENGINES`` (as camelot picks its backends); tesseract through
pytesseract ``image_to_data`` is the one shipped. Engines know nothing of statements or layout.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from extract.layout import Word
from models.errors import ExtractionError, ResourceLimitError

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """What an engine is asked for: language, tesseract page segmentation mode, per-call time limit."""

    lang: str = "eng"
    psm: int = 6
    timeout_s: float = 60.0


class OcrEngine(Protocol):
    """Reads the words of one image; boxes in that image's pixels, ``conf`` in 0..1."""

    name: str

    def image_to_words(self, image: Image.Image, settings: OcrSettings) -> list[Word]: ...

    def image_to_rotation(self, image: Image.Image) -> int | None:
        """The clockwise rotation (0/90/180/270) that makes the image upright, None when unsure."""
        ...

    def version(self) -> str:
        """A string that changes whenever the engine's output could change (part of cache keys)."""
        ...


class TesseractEngine:
    """tesseract via pytesseract, one subprocess per call, restricted to one OpenMP thread."""

    name = "tesseract"

    def __init__(self) -> None:
        # Debian's tesseract is built with OpenMP and runs 4-5x slower per page when its threads
        # fight over the cores we already share out between page processes. pytesseract passes
        # os.environ to its subprocess, so the limit must live there.
        os.environ["OMP_THREAD_LIMIT"] = "1"

    def image_to_words(self, image: Image.Image, settings: OcrSettings) -> list[Word]:
        """Words of ``image`` as tesseract's ``image_to_data`` sees them, empty words dropped."""
        import pytesseract

        # Inverted-text retries cost time and statements print dark on light.
        config = f"--psm {settings.psm} -c tessedit_do_invert=0"
        # pytesseract hands the image over as a temporary file in image.format, PNG by default.
        # Uncompressed BMP: no PNG compression in Python (~0.05-0.3 s a page) and, unlike PGM
        # (which leptonica reads pixel by pixel, ~0.08 s a 300 dpi page), read in one copy.
        image = image.convert("L") if image.mode not in ("L", "1") else image.copy()
        image.format = "BMP"
        try:
            data = pytesseract.image_to_data(
                image,
                lang=settings.lang,
                config=config,
                output_type=pytesseract.Output.DICT,
                timeout=settings.timeout_s,
            )
        except pytesseract.TesseractError as exc:
            raise ExtractionError(f"tesseract failed: {exc}") from exc
        except RuntimeError as exc:  # pytesseract signals its timeout as a bare RuntimeError
            raise ResourceLimitError(f"OCR of one page took longer than {settings.timeout_s:g} s") from exc
        return data_to_words(data)

    def image_to_rotation(self, image: Image.Image) -> int | None:
        """Rotation from tesseract's orientation detection (OSD), None when it cannot tell."""
        import pytesseract

        try:
            osd = pytesseract.image_to_osd(
                image, config="--psm 0 -c min_characters_to_try=20", output_type=pytesseract.Output.DICT
            )
        except pytesseract.TesseractError:
            return None  # too little text to decide: OSD refuses, and upright is the likely case
        if float(osd.get("orientation_conf", 0.0)) < 2.0:
            return None
        return int(osd["rotate"]) % 360

    def version(self) -> str:
        import pytesseract

        return f"tesseract-{pytesseract.get_tesseract_version()}"


def data_to_words(data: dict[str, list[object]]) -> list[Word]:
    """Words from a pytesseract ``image_to_data`` dict: level-5 entries with text, conf / 100.

    A word's box spans its text line's height (as a font box does in a PDF text layer) unless the
    line is more than twice as tall as the word, which happens when tesseract joins two rows.
    """

    def number(key: str, i: int) -> int:
        return int(str(data[key][i]))

    lines: dict[tuple[int, int, int], tuple[int, int]] = {}
    for i, level in enumerate(data["level"]):
        if int(str(level)) == 4:
            key = (number("block_num", i), number("par_num", i), number("line_num", i))
            lines[key] = (number("top", i), number("top", i) + number("height", i))
    words: list[Word] = []
    for i, text in enumerate(data["text"]):
        token = str(text).strip()
        conf = float(str(data["conf"][i]))
        if not token or conf < 0:
            continue
        left, top = number("left", i), number("top", i)
        right, bottom = left + number("width", i), top + number("height", i)
        line = lines.get((number("block_num", i), number("par_num", i), number("line_num", i)))
        if line is not None and line[1] - line[0] <= 2 * max(1, bottom - top):
            top, bottom = min(top, line[0]), max(bottom, line[1])
        words.append(Word(token, left, top, right, bottom, min(1.0, conf / 100.0)))
    return words


ENGINES: dict[str, Callable[[], OcrEngine]] = {"tesseract": TesseractEngine}


def engine_by_name(name: str) -> OcrEngine:
    """The OCR engine registered under ``name``; ValueError names the known ones."""
    try:
        factory = ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown OCR engine {name!r}; known: {', '.join(sorted(ENGINES))}") from None
    return factory()

"""OCR engines behind one small interface: an image in, words with pixel boxes and confidences out.

The engine is chosen by name from ``ENGINES`` (as camelot picks its backends); tesseract through
its C API (tesserocr, in process) is the one shipped. Engines know nothing of statements or layout.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

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
    """tesseract through its C API (tesserocr), in this process: the model is loaded once per
    engine, not once per page, and images go over in memory (no subprocess, no temporary file)."""

    name = "tesseract"

    def __init__(self) -> None:
        # A tesseract built with OpenMP runs several times slower per page when its threads fight
        # over the cores we already share out between page processes; the limit is read at load.
        os.environ["OMP_THREAD_LIMIT"] = "1"
        self._apis: dict[tuple[str, int], Any] = {}

    def _api(self, lang: str, psm: int) -> Any:
        api = self._apis.get((lang, psm))
        if api is None:
            import tesserocr

            try:
                api = tesserocr.PyTessBaseAPI(path=tessdata_dir(), lang=lang, psm=psm)
            except RuntimeError as exc:
                raise ExtractionError(f"tesseract cannot load language {lang!r}: {exc}") from exc
            # Inverted-text retries cost time and statements print dark on light.
            api.SetVariable("tessedit_do_invert", "0")
            if psm == OSD_PSM:
                api.SetVariable("min_characters_to_try", "20")
            self._apis[(lang, psm)] = api
        return api

    def image_to_words(self, image: Image.Image, settings: OcrSettings) -> list[Word]:
        """Words of ``image`` as tesseract's TSV output (``image_to_data``) has them, empty words dropped."""
        api = self._api(settings.lang, settings.psm)
        api.SetImage(image.convert("L") if image.mode not in ("L", "1") else image)
        if not api.Recognize(timeout=max(1, int(settings.timeout_s * 1000))):
            raise ResourceLimitError(f"OCR of one page took longer than {settings.timeout_s:g} s")
        return data_to_words(tsv_to_data(api.GetTSVText(0)))

    def image_to_rotation(self, image: Image.Image) -> int | None:
        """Rotation from tesseract's orientation detection (OSD), None when it cannot tell."""
        api = self._api("osd", OSD_PSM)
        api.SetImage(image.convert("L") if image.mode not in ("L", "1") else image)
        osd = api.DetectOrientationScript()
        if not osd or float(osd["orient_conf"]) < 2.0:
            return None  # too little text to decide, and upright is the likely case
        # orient_deg is how far the image is turned clockwise; turning it back is the rest of 360.
        return (360 - int(osd["orient_deg"])) % 360

    def version(self) -> str:
        import tesserocr

        return f"tesseract-{tesserocr.tesseract_version().split()[1]}"


OSD_PSM = 0  # tesseract's orientation and script detection only


@functools.cache
def tessdata_dir() -> str:
    """Where tesseract's language models are: $TESSDATA_PREFIX, else the installed tesseract's own."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    if prefix:
        return prefix.rstrip("/") + "/"
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ExtractionError(f"tesseract is not installed (its language models are needed): {exc}") from exc
    found = re.search(r'"([^"]+)"', out)
    if found is None:
        raise ExtractionError(f"tesseract --list-langs names no model folder: {out[:200]!r}")
    return found.group(1).rstrip("/") + "/"


def tsv_to_data(tsv: str) -> dict[str, list[object]]:
    """tesseract's TSV output (no header line) as columns, the shape pytesseract's ``image_to_data`` gives."""
    columns: dict[str, list[object]] = {name: [] for name in TSV_COLUMNS}
    for row in tsv.splitlines():
        cells = row.split("\t", len(TSV_COLUMNS) - 1)
        if len(cells) < len(TSV_COLUMNS):
            cells.append("")  # a structure row with no text
        for name, cell in zip(TSV_COLUMNS, cells, strict=True):
            columns[name].append(cell)
    return columns


TSV_COLUMNS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num",
               "left", "top", "width", "height", "conf", "text")


def data_to_words(data: dict[str, list[object]]) -> list[Word]:
    """Words from tesseract's TSV columns (``image_to_data``): level-5 entries with text, conf / 100.

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

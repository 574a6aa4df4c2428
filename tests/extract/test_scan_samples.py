"""End to end on the scanned samples with the real tesseract: line F1 and trustworthy confidences.

A line is right when its date, reference and amount all equal the truth's. Every sample is read
once per session (two OCR processes, no page cache: a stale cache could hide a regression).
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from extract.repair import DOUBT
from extract.statement import ExtractOptions, statement_from_bytes
from models.statement import NormalizedStatement

pytestmark = pytest.mark.ocr

SCANNED = Path(__file__).resolve().parents[2] / "samples" / "scanned"
KINDS = (".pdf", ".png", ".jpg", ".tiff")
SAMPLES = sorted(p for p in SCANNED.iterdir() if p.suffix in KINDS) if SCANNED.is_dir() else []
# The 200 dpi samples (fax, low-resolution scans) have a lower bar than the 300 dpi ones.
LOW_RES = {"acme-2026-09-scan-200dpi.pdf", "elbe-2026-09-200dpi.pdf", "kestrel-2026-09-fax.tiff"}

Key = tuple[str | None, str | None, Decimal]


def truth_of(sample: Path) -> dict[str, Any]:
    """The sample's expected statement as JSON data."""
    stem = sample.name.rsplit(".", 1)[0]
    data: dict[str, Any] = json.loads((SCANNED / f"{stem}.expected.json").read_text(encoding="utf-8"))
    return data


def line_keys(lines: list[dict[str, Any]]) -> Counter[Key]:
    return Counter((ln["date"], ln["reference"], Decimal(ln["amount"])) for ln in lines)


def statement_keys(statement: NormalizedStatement) -> list[tuple[Key, float]]:
    return [
        ((ln.date.isoformat() if ln.date else None, ln.reference, ln.amount), ln.confidence)
        for ln in statement.lines
    ]


def line_f1(expected: Counter[Key], got: list[tuple[Key, float]]) -> float:
    right = sum((expected & Counter(k for k, _ in got)).values())
    if not right:
        return 0.0
    precision, recall = right / len(got), right / sum(expected.values())
    return 2 * precision * recall / (precision + recall)


@functools.cache
def extracted(sample: Path) -> NormalizedStatement:
    """The sample read by the real pipeline (tesseract, 2 processes), once per session.

    The OCR time limit is generous: on a machine shared with other jobs the default could stop
    OCR part-way, and that would test the load, not the reading.
    """
    options = ExtractOptions(ocr_processes=2, tag=False, ocr_time_limit_s=3600)
    return statement_from_bytes(sample.read_bytes(), sample.name, options)


def test_there_are_enough_scanned_samples() -> None:
    assert len(SAMPLES) >= 8
    assert {s.suffix for s in SAMPLES} >= {".pdf", ".png", ".jpg", ".tiff"}
    assert all(s.stat().st_size < 600_000 for s in SAMPLES)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_line_f1(sample: Path) -> None:
    statement = extracted(sample)
    truth = truth_of(sample)
    assert statement.source.form == truth["source"]["form"]
    f1 = line_f1(line_keys(truth["lines"]), statement_keys(statement))
    assert f1 >= (0.97 if sample.name in LOW_RES else 0.99), f"line F1 {f1:.3f}"


@pytest.mark.timeout(1800)  # reads every sample when run on its own
def test_no_wrong_line_passes_with_high_confidence() -> None:
    confident_wrong = []
    for sample in SAMPLES:
        expected = line_keys(truth_of(sample)["lines"])
        for key, confidence in statement_keys(extracted(sample)):
            if expected[key] > 0:
                expected[key] -= 1
            elif confidence >= DOUBT:
                confident_wrong.append((sample.name, key, confidence))
    assert confident_wrong == []

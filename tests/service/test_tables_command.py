"""``arrecon tables``: JSON and text output on a real sample PDF, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "elbe-2026-09.pdf"


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tables", str(SAMPLE), "--pages", "1"]) == 0
    tables = json.loads(capsys.readouterr().out)
    assert [t["page"] for t in tables] == [1, 1]
    header, first = tables[1]["rows"][:2]
    assert header == ["Doc Date", "Document No", "Your Ref", "Details", "Debit", "Credit", "Balance"]
    assert first == ["01.09.2026", "ER-631953", "103006", "Rechnung 103006", "", "884,00", "16 204,40 CR"]
    assert len(tables[1]["bbox"]) == 4


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tables", str(SAMPLE), "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "page 1  bbox [43, 186, 552, 394]  16 rows x 7 columns" in out


@pytest.mark.parametrize(
    ("content", "pages", "message"),
    [
        (b"", None, "arrecon: unreadable_document: the PDF is empty (zero bytes)"),
        (b"hello", None, "arrecon: unreadable_document: not a PDF: no %PDF header"),
        (None, "2", "arrecon: unreadable_document: page 2 is out of range (the PDF has 1 pages)"),
        (None, "1-x", "arrecon: bad_input: --pages: '1-x' is not a page number or range like 3-5"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, pages: str | None, message: str
) -> None:
    path = tmp_path / "in.pdf"
    path.write_bytes(SAMPLE.read_bytes() if content is None else content)
    argv = ["tables", str(path)] + (["--pages", pages] if pages else [])
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines() == [message]


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tables", str(tmp_path / "nope.pdf")]) == 2
    assert capsys.readouterr().err.startswith("arrecon: bad_input: cannot read")

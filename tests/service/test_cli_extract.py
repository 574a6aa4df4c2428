"""``arrecon extract``: JSON contract, tables, directories, and bad input as exit 2 with one line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from reportlab.pdfgen.canvas import Canvas

from service.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CSV = (
    "Customer: Acme Trading Ltd\r\nAccount No: C-1001\r\nStatement date: 30/09/2026\r\n\r\n"
    "Date,Reference,Description,Amount,Balance\r\n"
    '01/09/2026,,Opening balance,,"1,000.00"\r\n'
    '03/09/2026,INV-0012345,Goods,"1,234.56","2,234.56"\r\n'
    '17/09/2026,PMT-7788,Payment,(234.56),"2,000.00"\r\n'
    'Closing balance,,,,"2,000.00"\r\n'
)


@pytest.fixture()
def statement_csv(tmp_path: Path) -> Path:
    """A small CSV statement in a temporary directory."""
    path = tmp_path / "acme.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_one_file_prints_the_json_contract(statement_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(statement_csv), "--no-tags"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["source"]["form"] == "csv"
    assert out["customer"] == {"name": "Acme Trading Ltd", "account": "C-1001"}
    assert out["statement_date"] == "2026-09-30"
    assert (out["opening_balance"], out["closing_balance"]) == ("1000.00", "2000.00")
    assert [(ln["date"], ln["reference"], ln["amount"], ln["balance"]) for ln in out["lines"]] == [
        ("2026-09-03", "INV-0012345", "1234.56", "2234.56"),
        ("2026-09-17", "PMT-7788", "-234.56", "2000.00"),
    ]
    assert out["warnings"] == []


def test_one_file_as_a_table(statement_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(statement_csv), "--format", "table", "--no-tags"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "customer: Acme Trading Ltd  account: C-1001  date: 2026-09-30  currency: -"
    assert lines[3].split() == ["2026-09-03", "INV-0012345", "1234.56", "2234.56", "1.00", "Goods"]


def test_a_directory_prints_one_row_per_file_and_skips_ledgers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ledgers").mkdir()
    (tmp_path / "ledgers" / "acme.csv").write_text("Posting Date,Document Number,Amount\n", encoding="utf-8")
    (tmp_path / "acme.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "acme.expected.json").write_text("{}", encoding="utf-8")
    assert main(["extract", str(tmp_path), "--format", "table", "--no-tags"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 2
    assert rows[1].split()[:6] == ["acme.csv", "csv", "Acme", "Trading", "Ltd", "2"]


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "empty.pdf", "unreadable_document"),
        (b"%PDF-1.7\n" + b"\x13garbage" * 50, "corrupt.pdf", "unreadable_document"),
        (bytes(range(256)) * 4, "statement.xlsx", "unsupported_format"),
        (b"Dear customer, a letter without a table.\n", "note.csv", "unsupported_format"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, name: str, code: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["extract", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1
    assert captured.err.startswith(f"arrecon: {code}: ")


def _pdf(pages: int, encrypt: str | None = None) -> bytes:
    """A text PDF of ``pages`` pages made with reportlab."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, encrypt=encrypt)
    for n in range(pages):
        canvas.drawString(72, 720, f"page {n + 1}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _formula_only_xlsx() -> bytes:
    """A workbook whose cells are formulas never calculated (no cached values)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Date", "Ref", "Amount"])
    sheet.append(["=TODAY()", "=A1", "=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "name", "extra", "code"),
    [
        (lambda: _pdf(1, encrypt="secret"), "locked.pdf", [], "encrypted_document"),
        (lambda: _pdf(500), "long.pdf", ["--max-pages", "100"], "resource_limit"),
        (_formula_only_xlsx, "formulas.xlsx", [], "unreadable_document"),
    ],
)
def test_more_bad_input_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: Callable[[], bytes],
    name: str,
    extra: list[str],
    code: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(make())
    assert main(["extract", str(path), *extra]) == 2
    captured = capsys.readouterr()
    assert (captured.out, len(captured.err.splitlines())) == ("", 1)
    assert captured.err.startswith(f"arrecon: {code}: ")


def test_a_pdf_without_a_statement_exits_1_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "letter.pdf"
    path.write_bytes(_pdf(1))
    assert main(["extract", str(path)]) == 1
    assert capsys.readouterr().err.startswith(
        "arrecon: no_statement_found: letter.pdf: no table of statement lines"
    )


def test_bad_input_through_the_console_script_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "statement.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x13garbage" * 50)
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "extract", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("arrecon: unreadable_document: ")
    assert "Traceback" not in done.stderr


def test_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(tmp_path / "nope.pdf")]) == 2
    assert capsys.readouterr().err.startswith("arrecon: unreadable_document: ")


@pytest.mark.skipif(not (SAMPLES / "acme-2026-09.pdf").exists(), reason="samples not generated")
def test_a_sample_pdf_prints_its_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(SAMPLES / "acme-2026-09.pdf"), "--no-tags"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["source"]["form"] == "digital_pdf"
    assert len(out["lines"]) == 29


def test_an_empty_directory_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("arrecon: unreadable_document: no statement files")

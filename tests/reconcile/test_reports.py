"""Reports (XLSX read back by openpyxl, standalone HTML with its chart), stats, and the CLI exit codes."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from models import Ledger, NormalizedStatement, Reconciliation
from reconcile import reconcile
from reconcile.report_html import reconciliation_to_html
from reconcile.report_xlsx import reconciliation_to_xlsx
from reconcile.stats import reconciliation_to_reason_totals, reconciliations_to_stats
from service.cli import main

LEDGER_CSV = (
    "Posting Date,Document No.,Document Type,Description,Amount\n"
    "2026-09-01,INV-0010001,Invoice,Goods,1000.00\n"
    "2026-09-05,INV-0010002,Invoice,Goods,250.00\n"
    "2026-10-03,INV-0010003,Invoice,Goods,75.00\n"
)


@pytest.fixture
def result(statement: NormalizedStatement, ledger: Ledger) -> Reconciliation:
    """The reconciliation of the small account."""
    return reconcile(statement, ledger)


def test_xlsx_has_summary_chart_items_and_resolutions(result: Reconciliation) -> None:
    book = openpyxl.load_workbook(io.BytesIO(reconciliation_to_xlsx(result)))
    assert book.sheetnames == ["Summary", "Items", "Resolutions"]
    summary = book["Summary"]
    assert len(summary._charts) == 1
    rows = list(book["Items"].iter_rows(values_only=True))
    assert len(rows) == 1 + len(result.items)
    assert rows[2][:3] == ("difference", "INV-0010002", "INV10002")
    assert rows[2][5] == -9.0
    resolutions = list(book["Resolutions"].iter_rows(values_only=True))
    assert len(resolutions) == 1 + sum(1 for i in result.items if i.status.value != "matched")
    assert resolutions[1][0] == "billing_error"


def test_html_is_standalone_with_an_svg_chart(result: Reconciliation) -> None:
    html = reconciliation_to_html(result)
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html and "Differences by reason" in html
    assert "<rect" in html and "timing_difference" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in html and "<link" not in html


def test_reason_totals_and_stats(result: Reconciliation) -> None:
    totals = {t.reason: t for t in reconciliation_to_reason_totals(result)}
    assert totals["timing_difference"].count == 2
    assert totals["timing_difference"].difference == Decimal("1700.00")
    assert sum(t.difference for t in totals.values()) == result.difference
    other = result.model_copy(update={"customer": "Other plc"})
    stats = reconciliations_to_stats([result, other, result])
    by_customer = {(r.group, r.reason): r for r in stats["customer"]}
    assert by_customer[("Acme Ltd", "interest_penalty")].count == 4
    assert by_customer[("Other plc", "interest_penalty")].count == 2
    by_period = {(r.group, r.reason): r for r in stats["period"]}
    assert by_period[("2026-09", "interest_penalty")].count == 6
    assert by_period[("2026-09", "interest_penalty")].difference == Decimal("112.20")


def _files(tmp_path: Path, statement: NormalizedStatement) -> tuple[Path, Path]:
    statement_path = tmp_path / "acme-2026-09.json"
    statement_path.write_text(statement.model_dump_json())
    ledger_path = tmp_path / "ledger.csv"
    ledger_path.write_text(LEDGER_CSV)
    return statement_path, ledger_path


def test_cli_reconcile_formats_and_stats(
    tmp_path: Path, statement: NormalizedStatement, capsys: pytest.CaptureFixture[str]
) -> None:
    statement_path, ledger_path = _files(tmp_path, statement)
    base = ["reconcile", "--statement", str(statement_path), "--ledger", str(ledger_path), "--no-tags"]
    assert main([*base, "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["ledger_balance"] == "1325.00"
    assert payload["items"][0]["status"] == "matched"
    assert main([*base, "--format", "table"]) == 0
    assert "timing_difference" in capsys.readouterr().out
    assert main([*base, "--format", "xlsx", "--out", str(tmp_path / "r.xlsx")]) == 0
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "Summary"
    assert main([*base, "--format", "html", "--out", str(tmp_path / "r.html")]) == 0
    assert "<svg" in (tmp_path / "r.html").read_text()
    out_json = tmp_path / "recs" / "r.json"
    out_json.parent.mkdir()
    assert main([*base, "--out", str(out_json)]) == 0
    assert main(["stats", str(out_json.parent), "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert {r["reason"] for r in stats["period"]} >= {"timing_difference"}


def test_cli_exit_codes(
    tmp_path: Path, statement: NormalizedStatement, capsys: pytest.CaptureFixture[str]
) -> None:
    statement_path, ledger_path = _files(tmp_path, statement)
    bad_ledger = tmp_path / "bad.csv"
    bad_ledger.write_text("Date,Description,Amount\n2026-09-01,x,1.00\n")
    argv = ["reconcile", "--statement", str(statement_path), "--no-tags", "--ledger"]
    assert main([*argv, str(bad_ledger)]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("arrecon: ledger_format: ledger column(s) missing: reference") and err.count("\n") == 1
    )
    assert main([*argv, str(tmp_path / "missing.csv")]) == 2
    assert main([*argv, str(ledger_path), "--format", "xlsx"]) == 2
    assert main([*argv, str(ledger_path), "--ledger-columns", "when=Date"]) == 2
    not_json = tmp_path / "x.json"
    not_json.write_text("{}")
    assert main(["reconcile", "--statement", str(not_json), "--ledger", str(ledger_path), "--no-tags"]) == 2
    assert main(["stats", str(not_json)]) == 2


def test_cli_reconciles_a_statement_document_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    samples = Path(__file__).resolve().parents[2] / "samples"
    statement, ledger = samples / "isar-2026-08.csv", samples / "ledgers" / "isar.csv"
    if not statement.exists() or not ledger.exists():
        pytest.skip("isar sample not generated")
    assert main(["reconcile", "--statement", str(statement), "--ledger", str(ledger)]) == 0
    payload = json.loads(capsys.readouterr().out)
    differences = {
        (i["status"], i["difference"], i["reason"]) for i in payload["items"] if i["status"] != "matched"
    }
    assert differences == {
        ("ledger_only", "52.30", "interest_penalty"),
        ("statement_only", "410.00", "dispute"),
    }
    assert payload["difference"] == "462.30"

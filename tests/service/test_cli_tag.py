"""``arrecon tag`` and ``arrecon train-tagger``: JSON lines out, bad input as exit 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from extract.tagging.corpus import DEFAULT_CORPUS_DIR, HELDOUT, TRAIN
from service.cli import main


def test_tag_prints_one_json_object_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tag", "short paid inv 12345", "freight included - no charge"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        {
            "text": "short paid inv 12345",
            "tags": ["short_payment"],
            "entities": [{"label": "INVOICE_REF", "text": "12345"}],
        },
        {"text": "freight included - no charge", "tags": [], "entities": []},
    ]


def test_tag_reads_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("PROMO ALLOW Q3\nRet. RMA-5567 dmgd\n"))
    assert main(["tag", "--stdin"]) == 0
    tags = [json.loads(line)["tags"] for line in capsys.readouterr().out.splitlines()]
    assert tags == [["promotion"], ["damaged", "return"]]


def test_tag_without_text_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tag"]) == 2
    assert capsys.readouterr().err.startswith("arrecon: bad_input: nothing to tag")


def test_train_tagger_refuses_an_inconsistent_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / TRAIN).write_text(
        json.dumps({"text": "RMA 1", "tags": ["nonsense"]}) + "\n", encoding="utf-8"
    )
    assert main(["train-tagger", "--corpus", str(tmp_path), "--out", str(tmp_path / "model")]) == 2
    assert "bad_corpus" in capsys.readouterr().err
    assert not (tmp_path / "model").exists()


def test_train_tagger_trains_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # The whole corpus: check_corpus wants every tag represented; one epoch keeps it quick.
    for name in (TRAIN, HELDOUT):
        (corpus / name).write_bytes((DEFAULT_CORPUS_DIR / name).read_bytes())
    assert main(["train-tagger", "--corpus", str(corpus), "--out", str(tmp_path / "m"), "--epochs", "1"]) == 0
    assert capsys.readouterr().out.startswith("trained on 2600 descriptions, 1 epochs, seed 0")
    assert (tmp_path / "m" / "config.cfg").exists()

"""OCR benchmark: prints our scanned-statement extraction beside plain ``tesseract --psm 6``.

    .venv/bin/python bench/ocr.py [--receipts 20] [--skip-parallel]

In one run, on the same page images (the scanned samples rendered as our pipeline sees them):
1. seconds per page: our whole extraction (render, preprocess, OCR, tables, repair) with one
   process vs the plain ``tesseract <page> stdout --psm 6`` command on that page image (with the
   environment as it is, and with ``OMP_THREAD_LIMIT=1``);
2. the speed-up of 2 processes over 1 on a multi-page TIFF vs a trivial CPU-bound loop's;
3. accuracy per sample: our statement lines exactly right (date, reference, amount) and line F1,
   beside plain tesseract's rows exactly right (the digital row's text found verbatim in its
   output) and amounts found;
4. case-insensitive line CER on the real receipts in ``../shared/external/sroie-receipts``.
The machine is shared: figures measured while others run are pessimistic.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.ocr import OcrSettings, TesseractEngine  # noqa: E402
from extract.raster import PageImage, RasterLimits, image_to_page_images, pdf_to_page_images  # noqa: E402
from extract.scan import ScanOptions, image_to_scan, page_image_to_scanned  # noqa: E402
from extract.statement import ExtractOptions, statement_from_bytes  # noqa: E402

SCANNED = ROOT / "samples" / "scanned"
EXTERNAL = ROOT.parent / "shared" / "external"
AMOUNT = re.compile(r"^[-($€£]*\d{1,3}(?:[,. ]\d{3})*[.,]\d{2}\)?-?$")
DATE = re.compile(r"\d{1,2}[/.\-](?:\d{1,2}|[A-Za-z]{3})[/.\-]\d{2,4}")


def page_images(sample: Path) -> list[PageImage]:
    """The page images our pipeline OCRs for a sample (scanned PDF pages at 300 dpi, or the image)."""
    data = sample.read_bytes()
    if sample.suffix == ".pdf":
        from extract.pdf import pdf_to_pages
        from extract.scan import page_needs_ocr

        numbers = [p.number for p in pdf_to_pages(data) if page_needs_ocr(p)]
        return list(pdf_to_page_images(data, numbers, 300.0, RasterLimits()))
    return list(image_to_page_images(data, RasterLimits()))


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (tesseract runs as a child)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def plain_tesseract(path: Path, omp_limit: bool) -> tuple[float, str]:
    """CPU seconds and text of ``tesseract <path> stdout --psm 6`` (CPU, not wall: the machine is shared)."""
    env = dict(os.environ)
    env.pop("OMP_THREAD_LIMIT", None)
    if omp_limit:
        env["OMP_THREAD_LIMIT"] = "1"
    start = cpu_seconds()
    out = subprocess.run(
        ["tesseract", str(path), "stdout", "--psm", "6"], capture_output=True, env=env, check=True
    )
    return cpu_seconds() - start, out.stdout.decode("utf-8", "replace")


def normalized(text: str) -> str:
    return " ".join(text.split())


def plain_normalized(text: str) -> str:
    """Plain tesseract's line without the bars and rules it reads from table grids (a fair baseline)."""
    return normalized(re.sub(r"[|\[\]{}_—–]", " ", text))


def digital_rows(sample_name: str) -> list[str]:
    """The table rows of the digital original as printed text lines (a date and an amount in them)."""
    from extract.pdf import pdf_to_layout

    stem = re.sub(r"-(scan|skewed|sideways|200dpi|phone|fax|mixed|bad-ocr-layer).*$", "", sample_name)
    layout = pdf_to_layout((ROOT / "samples" / f"{stem}.pdf").read_bytes())
    rows = []
    for page in layout.pages:
        for line in words_to_lines([(w.text, w.x0, w.top, w.bottom) for w in page.words]):
            tokens = line.split()
            if any(DATE.fullmatch(t) for t in tokens) and any(AMOUNT.match(t) for t in tokens):
                rows.append(line)
    return rows


def words_to_lines(words: list[tuple[str, float, float, float]]) -> list[str]:
    """Words (text, x0, top, bottom) grouped into text lines by vertical overlap, left to right."""
    lines: list[list[tuple[str, float, float, float]]] = []
    for word in sorted(words, key=lambda w: ((w[2] + w[3]) / 2, w[1])):
        centre = (word[2] + word[3]) / 2
        if lines:
            last = lines[-1]
            top = min(w[2] for w in last)
            bottom = max(w[3] for w in last)
            if top <= centre <= bottom:
                last.append(word)
                continue
        lines.append([word])
    return [" ".join(w[0] for w in sorted(line, key=lambda w: w[1])) for line in lines]


def line_scores(
    sample: Path, statement_lines: list[tuple[str | None, str | None, Decimal]]
) -> tuple[float, ...]:
    """(share of truth lines read exactly, line F1) for our statement lines."""
    stem = sample.name.rsplit(".", 1)[0]
    truth = json.loads((SCANNED / f"{stem}.expected.json").read_text(encoding="utf-8"))
    expected = Counter((ln["date"], ln["reference"], Decimal(ln["amount"])) for ln in truth["lines"])
    right = sum((expected & Counter(statement_lines)).values())
    total = sum(expected.values())
    if not right:
        return 0.0, 0.0
    precision, recall = right / len(statement_lines), right / total
    return right / total, 2 * precision * recall / (precision + recall)


def burn(n: int) -> int:
    """A trivial CPU-bound task."""
    acc = 0
    for i in range(n):
        acc = (acc + i * i) % 1_000_003
    return acc


def loop_speedup(tasks: int = 4, n: int = 6_000_000) -> tuple[float, float]:
    """Seconds for ``tasks`` CPU-bound tasks on 1 and on 2 processes."""
    timings = []
    for workers in (1, 2):
        with multiprocessing.get_context("forkserver").Pool(workers) as pool:
            pool.map(burn, [1000] * workers)  # start the workers before the clock
            start = time.perf_counter()
            pool.map(burn, [n] * tasks)
            timings.append(time.perf_counter() - start)
    return timings[0], timings[1]


def cer(truth: str, read: str) -> float:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(truth, read) / max(1, len(truth))


def receipt_text(lines: list[str]) -> str:
    return "\n".join(normalized(line).lower() for line in lines if line.strip())


def sroie(limit: int) -> None:
    folder = EXTERNAL / "sroie-receipts"
    if not folder.is_dir():
        print(f"\nSROIE: {folder} is missing (it lives beside the repository as ../shared/external); skipped")
        return
    engine = TesseractEngine()
    ids = sorted(p.stem for p in (folder / "img").glob("*.jpg"))[:limit]
    ours_total = plain_total = chars = 0.0
    print(f"\nSROIE receipts ({len(ids)}): case-insensitive line CER, lines in reading order")
    print(f"{'receipt':>8} {'chars':>6} {'ours':>7} {'plain':>7}")
    for rid in ids:
        gt_lines = []
        for raw in (folder / "box" / f"{rid}.csv").read_text(encoding="utf-8", errors="replace").splitlines():
            parts = raw.split(",", 8)
            if len(parts) == 9:
                xs, ys = [int(v) for v in parts[0:8:2]], [int(v) for v in parts[1:8:2]]
                gt_lines.append((parts[8], min(xs), min(ys), max(ys)))
        truth = receipt_text(words_to_lines(gt_lines))
        image_path = folder / "img" / f"{rid}.jpg"
        page = next(image_to_page_images(image_path.read_bytes(), RasterLimits()))
        scanned = page_image_to_scanned(page, engine, OcrSettings())
        ours = receipt_text(words_to_lines([(w.text, w.x0, w.top, w.bottom) for w in scanned.page.words]))
        _, plain = plain_tesseract(image_path, omp_limit=True)
        plain_text = receipt_text(plain.splitlines())
        a, b = cer(truth, ours), cer(truth, plain_text)
        ours_total += a * len(truth)
        plain_total += b * len(truth)
        chars += len(truth)
        print(f"{rid:>8} {len(truth):6d} {a:7.3f} {b:7.3f}")
    print(f"{'all':>8} {int(chars):6d} {ours_total / chars:7.3f} {plain_total / chars:7.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=20, help="how many SROIE receipts (0: none)")
    parser.add_argument("--skip-parallel", action="store_true")
    parser.add_argument(
        "--skip-pages", action="store_true", help="skip the per-page table (parallel, SROIE only)"
    )
    args = parser.parse_args(argv)
    if not SCANNED.is_dir():
        print(f"{SCANNED} is missing: run samples/generate_scans.py first")
        return 1
    samples = sorted(p for p in SCANNED.iterdir() if p.suffix in (".pdf", ".png", ".jpg", ".tiff"))
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("\nper page (s) and accuracy on the same page images")
    header = f"{'sample':36} {'pages':>5} {'ours cpu/p':>10} {'plain cpu/p':>11} {'plain1 cpu/p':>12} "
    header += f"{'ours lines':>10} {'ours F1':>7} {'plain rows':>10} {'plain amts':>10}"
    print(header)
    totals = Counter[str]()
    all_images: list[PageImage] = []
    with tempfile.TemporaryDirectory() as tmp:
        for sample in samples:
            if args.skip_pages:
                all_images.extend(page_images(sample))
                continue
            images = page_images(sample)
            all_images.extend(images)
            options = ExtractOptions(ocr_processes=1, tag=False)
            start, wall = cpu_seconds(), time.perf_counter()
            statement = statement_from_bytes(sample.read_bytes(), sample.name, options)
            ours, ours_wall = cpu_seconds() - start, time.perf_counter() - wall
            read = [
                (ln.date.isoformat() if ln.date else None, ln.reference, ln.amount) for ln in statement.lines
            ]
            exact, f1 = line_scores(sample, read)
            plain_s = plain1_s = 0.0
            plain_text = ""
            for k, image in enumerate(images):
                path = Path(tmp) / f"{sample.stem}-{k}.png"
                image.image.save(path)
                seconds, text = plain_tesseract(path, omp_limit=False)
                plain_s += seconds
                seconds, text = plain_tesseract(path, omp_limit=True)
                plain1_s += seconds
                plain_text += text + "\n"
            plain_lines = {plain_normalized(line) for line in plain_text.splitlines()}
            rows = digital_rows(sample.name)
            rows_right = sum(1 for row in rows if normalized(row) in plain_lines) / max(1, len(rows))
            plain_tokens = Counter(plain_normalized(plain_text).split())
            amounts = [t for row in rows for t in row.split() if AMOUNT.match(t)]
            found = sum((Counter(amounts) & plain_tokens).values()) / max(1, len(amounts))
            n = len(images)
            totals.update({"pages": n, "ours": ours, "plain": plain_s, "plain1": plain1_s, "wall": ours_wall})
            print(
                f"{sample.name:36} {n:5d} {ours / n:10.2f} {plain_s / n:11.2f} {plain1_s / n:12.2f} "
                f"{exact:10.3f} {f1:7.3f} {rows_right:10.3f} {found:10.3f}"
            )
    pages = totals["pages"] or 1
    print(
        f"{'all':36} {pages:5d} {totals['ours'] / pages:10.2f} {totals['plain'] / pages:11.2f} "
        f"{totals['plain1'] / pages:12.2f}"
    )
    print(f"(CPU seconds; our wall clock was {totals['wall'] / pages:.2f} s/page at this load)")
    print("ours: the whole extraction of the file (render, preprocess, OCR, tables, repair), 1 process;")
    print("plain: `tesseract page.png stdout --psm 6` on the page image; plain1: OMP_THREAD_LIMIT=1")
    print("plain rows: the digital row's text found verbatim in plain's lines (grid bars removed)")

    if not args.skip_parallel:
        import numpy as np
        from PIL import Image

        # Fresh images: frames decoded from a PNG or a G4 TIFF carry encoder settings of their own.
        pages_for_tiff = [Image.fromarray(np.asarray(p.image.convert("L"))) for p in all_images[:4]]
        buf = io.BytesIO()
        pages_for_tiff[0].save(buf, "TIFF", save_all=True, append_images=pages_for_tiff[1:], dpi=(300, 300))
        data = buf.getvalue()
        timings = []
        for workers in (1, 2):
            start = time.perf_counter()
            image_to_scan(data, ScanOptions(processes=workers, time_limit_s=3600))
            timings.append(time.perf_counter() - start)
        loop1, loop2 = loop_speedup()
        ours_up, loop_up = timings[0] / timings[1], loop1 / loop2
        print(f"\nparallel, {len(pages_for_tiff)} pages: 1 process {timings[0]:.1f} s, 2: {timings[1]:.1f} s")
        print(f"speed-up ours {ours_up:.2f}x, trivial CPU loop {loop_up:.2f}x ({loop1:.1f} -> {loop2:.1f} s)")
        print(f"ours / loop: {ours_up / loop_up:.0%}")

    if args.receipts:
        sroie(args.receipts)
    return 0


if __name__ == "__main__":
    sys.exit(main())

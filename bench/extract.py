"""Extraction speed and memory: pages/s per form over the samples, our layout + tables against
pdfplumber ``extract_tables`` and camelot stream / lattice on the SAME pages, side by side, and a
long ruled statement (200 pages, 35 statement lines a page by default: the issue's "digital 35-line
page") whose throughput and peak memory are measured in a fresh child process per mode.

    .venv/bin/python bench/extract.py [--repeat 3] [--long-pages 200] [--lines-per-page 35]
                                      [--same-pages 10] [--no-camelot]

Times are CPU seconds of the measuring process (waiting for a core on a shared machine is not
the code's cost), the best of ``--repeat`` runs with the median beside it; everything runs on one
core, one process at a time. In-process repeats reuse warm parser and tagger caches; the long
statement's child processes start cold (the tagger model is loaded before the clock starts). The
long statement also shows its wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
# This script is named like the package it measures: put the repository root, not bench/, first.
if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(ROOT)


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best, median) CPU seconds of this process over ``repeat`` calls of ``run``.

    CPU time, not wall time: on a shared machine waiting for a core is not the code's cost.
    Every tool measured here runs in this process (camelot renders with pdfium in-process).
    """
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times), statistics.median(times)


def digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def line_recall(tables: list[list[list[str]]], lines: list[dict[str, object]]) -> int:
    """How many expected statement lines one table row holds: a cell with the amount's digits and,
    when the line has a reference, a cell containing it (letters and digits compared)."""
    rows = [row for table in tables for row in table]
    found = 0
    for line in lines:
        amount = digits(f"{abs(Decimal(str(line['amount']))):.2f}")
        reference = re.sub(r"[^0-9a-z]", "", str(line.get("reference") or "").lower())
        for cells in rows:
            if not any(digits(c) == amount for c in cells):
                continue
            if reference and not any(reference in re.sub(r"[^0-9a-z]", "", c.lower()) for c in cells):
                continue
            found += 1
            break
    return found


def pdf_pages(data: bytes) -> int:
    from extract.pdf import pdf_page_count

    return pdf_page_count(data)


def is_digital(data: bytes) -> bool:
    from extract.pdf import page_has_text, pdf_to_layout

    return page_has_text(pdf_to_layout(data, pages=[1]).pages[0])


def ours_layout(data: bytes) -> object:
    from extract.pdf import pdf_to_pages

    return [page.number for page in pdf_to_pages(data)]


def ours_tables(data: bytes) -> list[list[list[str]]]:
    from extract.pdf import pdf_to_pages
    from extract.tables import page_to_tables

    return [table.texts() for page in pdf_to_pages(data) for table in page_to_tables(page)]


def statement(data: bytes, name: str, tag: bool) -> object:
    from extract import ExtractOptions, statement_from_bytes

    return statement_from_bytes(data, name, ExtractOptions(tag=tag))


def plumber_tables(path: Path) -> list[list[list[str]]]:
    import pdfplumber

    with pdfplumber.open(path) as document:
        tables = [table for page in document.pages for table in page.extract_tables()]
    return [[[cell or "" for cell in row] for row in table] for table in tables]


def camelot_tables(path: Path, flavor: str) -> list[list[list[str]]]:
    import camelot

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = camelot.read_pdf(str(path), pages="all", flavor=flavor, suppress_stdout=True)
    return [table.df.astype(str).values.tolist() for table in tables]


def row(label: str, pages: int, best: float, median: float) -> str:
    return (
        f"  {label:34} {1000 * best / pages:8.1f} {1000 * median / pages:8.1f} {pages / best:9.1f}"
    )


HEADER = f"  {'':34} {'ms/page':>8} {'(median)':>8} {'pages/s':>9}"


def bench_samples(repeat: int, camelot: bool) -> None:
    """Per form: full extraction over the samples; then the digital PDFs' pages through every table tool."""
    forms: dict[str, list[Path]] = {"digital pdf": [], "scanned pdf": [], "xlsx": [], "csv": []}
    for path in sorted(SAMPLES.glob("*")):
        if path.suffix == ".pdf":
            forms["digital pdf" if is_digital(path.read_bytes()) else "scanned pdf"].append(path)
        elif path.suffix in (".xlsx", ".csv"):
            forms[path.suffix[1:]].append(path)
    print("Full extraction (statement_from_bytes) over samples/, per form; a spreadsheet counts as one page")
    print(HEADER + "   peak traced MiB")
    for form, paths in forms.items():
        if not paths or form == "scanned pdf":
            continue
        blobs = [(p.read_bytes(), p.name) for p in paths]
        pages = sum(pdf_pages(d) if form == "digital pdf" else 1 for d, _ in blobs)
        for tag in (False, True):
            for d, n in blobs:  # warm: imports, spaCy model load
                statement(d, n, tag)
            def run(blobs: list[tuple[bytes, str]] = blobs, tag: bool = tag) -> object:
                return [statement(d, n, tag) for d, n in blobs]

            best, median = timed(run, repeat)
            peak = traced_peak(run)
            label = f"{form} ({len(paths)} files){' + tags' if tag else ''}"
            print(row(label, pages, best, median) + f"   {peak:8.1f}")
    if forms["scanned pdf"]:
        print(f"  (scanned PDFs skipped here: {len(forms['scanned pdf'])} files, OCR has its own bench)")

    paths = forms["digital pdf"]
    truth = [json.loads(p.with_suffix(".expected.json").read_text())["lines"] for p in paths]
    pages = sum(pdf_pages(p.read_bytes()) for p in paths)
    print(f"\nThe same {pages} digital PDF pages ({len(paths)} files) through each tool;")
    print("  lines found = expected lines whose amount and reference sit in one row of a found table")
    same_pages(paths, truth, repeat, camelot)


def same_pages(paths: list[Path], truth: list[list[dict[str, object]]], repeat: int, camelot: bool) -> None:
    """The PDFs ``paths`` (their expected lines ``truth``) through our layout, tables and statement,
    pdfplumber ``extract_tables`` and camelot, side by side; prints the speed-ups over pdfplumber."""
    pages = sum(pdf_pages(p.read_bytes()) for p in paths)
    blobs = [p.read_bytes() for p in paths]
    names = [p.name for p in paths]
    n_lines = sum(len(t) for t in truth)
    print(HEADER + "   lines found")
    for d, n in zip(blobs, names, strict=True):  # warm: imports
        statement(d, n, False)
    ours_full = timed(lambda: [statement(d, n, False) for d, n in zip(blobs, names, strict=True)], repeat)
    layout = timed(lambda: [ours_layout(d) for d in blobs], repeat)
    print(row("arrecon layout (pdf_to_layout)", pages, *layout))
    tools: list[tuple[str, Callable[[int], list[list[list[str]]]], int]] = [
        ("arrecon layout + tables", lambda k: ours_tables(blobs[k]), repeat),
        ("pdfplumber extract_tables", lambda k: plumber_tables(paths[k]), max(1, repeat // 2)),
    ]
    if camelot:  # one run each: they take seconds, and their ratio to ours is what counts
        tools.append(("camelot stream", lambda k: camelot_tables(paths[k], "stream"), 1))
        tools.append(("camelot lattice", lambda k: camelot_tables(paths[k], "lattice"), 1))
    best: dict[str, float] = {}
    for label, tool, times in tools:
        found = sum(line_recall(tool(k), truth[k]) for k in range(len(paths)))
        spent = timed(lambda tool=tool: [tool(k) for k in range(len(paths))], times)
        best[label] = spent[0]
        print(row(label, pages, *spent) + f"   {found:5d} / {n_lines}")
    print(row("arrecon full statement (no tags)", pages, *ours_full))
    plumber, ours = best["pdfplumber extract_tables"], best["arrecon layout + tables"]
    print(
        f"  speed-up over pdfplumber extract_tables: layout + tables {plumber / ours:.1f}x, "
        f"full statement {plumber / ours_full[0]:.1f}x"
    )


def traced_peak(run: Callable[[], object]) -> float:
    """Peak MiB that Python allocations reach while ``run`` runs (tracemalloc; C libraries not seen)."""
    import tracemalloc

    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def long_statement(pages: int, lines_per_page: int) -> tuple[bytes, list[dict[str, object]]]:
    """The samples generator's long ruled statement, ``lines_per_page`` statement lines on every page
    after the first (whose header block leaves room for fewer), and its expected lines."""
    from samples.generate import generate_long_statement

    data, truth = generate_long_statement(pages, lines_per_page)
    return data, truth["lines"]


def peak_rss_kib() -> int:
    """This process's peak resident set (VmHWM; ru_maxrss would include the parent's peak on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(mode: str, path: str) -> None:
    """In a fresh process: import, note the RSS, extract, note the peak RSS; print JSON."""
    data = Path(path).read_bytes()
    import extract.pdf
    import extract.tables

    if mode != "tables":
        import extract  # noqa: F401
    if mode == "tags":
        from extract.tagging import load_tagger

        load_tagger()  # the model loads once per process (a service keeps it): not a page's cost
    before = peak_rss_kib()
    start = time.process_time()
    wall = time.perf_counter()
    if mode == "tables":
        ours_tables(data)
    else:
        statement(data, "long.pdf", mode == "tags")
    seconds = time.process_time() - start
    wall = time.perf_counter() - wall
    after = peak_rss_kib()
    print(json.dumps({"seconds": seconds, "wall": wall, "rss_before_kib": before, "rss_peak_kib": after}))


LONG_MODES = (
    ("tables", "arrecon layout + tables"),
    ("statement", "arrecon full statement (no tags)"),
    ("tags", "arrecon full statement + tags"),
)


def bench_long(pages: int, lines_per_page: int) -> dict[str, tuple[float, float]]:
    """The long statement, each mode in a fresh child process; {mode: (CPU s/page, peak RSS MiB)}."""
    data, truth = long_statement(pages, lines_per_page)
    count = pdf_pages(data)
    n_lines = len(truth)
    size = len(data) / 2**20
    print(
        f"\nA {count}-page ruled statement, {lines_per_page} statement lines a page ({n_lines} lines, "
        f"{n_lines / count:.1f} a page on average; {size:.1f} MiB), each mode in a fresh child process"
    )
    print(f"  {'':34} {'ms/page':>8} {'pages/s':>9} {'(wall)':>7} {'RSS after imports':>18} {'peak RSS':>9}")
    figures: dict[str, tuple[float, float]] = {}
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        for mode, label in LONG_MODES:
            env = dict(os.environ, OMP_NUM_THREADS="1")
            out = subprocess.run(
                [sys.executable, __file__, "--child", mode, handle.name],
                capture_output=True, text=True, env=env, check=False,
            )
            if out.returncode != 0:
                print(f"  {label:34} failed: {out.stderr.strip().splitlines()[-1:]}")
                continue
            result = json.loads(out.stdout.strip().splitlines()[-1])
            s, wall = result["seconds"], result["wall"]
            figures[mode] = (s / count, result["rss_peak_kib"] / 1024)
            print(
                f"  {label:34} {1000 * s / count:8.1f} {count / s:9.1f} {count / wall:7.1f} "
                f"{result['rss_before_kib'] / 1024:14.0f} MiB {result['rss_peak_kib'] / 1024:5.0f} MiB"
            )
    return figures


def bench_same_pages(pages: int, lines_per_page: int, repeat: int, camelot: bool) -> None:
    """``pages`` pages of the long statement's layout through every tool, in this process."""
    data, truth = long_statement(pages, lines_per_page)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"long-{pages}-pages.pdf"
        path.write_bytes(data)
        print(f"\nThe long statement's layout: {pages} pages, {lines_per_page} statement lines a page")
        same_pages([path], [truth], repeat, camelot)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--long-pages", type=int, default=200)
    parser.add_argument("--lines-per-page", type=int, default=35,
                        help="statement lines a page of the long statement")
    parser.add_argument("--same-pages", type=int, default=10,
                        help="pages of the long statement's layout run through every tool in-process")
    parser.add_argument("--no-camelot", action="store_true", help="skip the (slow) camelot baselines")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PDF"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} (other processes make figures pessimistic)\n")
    bench_samples(args.repeat, camelot=not args.no_camelot)
    bench_same_pages(args.same_pages, args.lines_per_page, args.repeat, camelot=not args.no_camelot)
    figures = bench_long(args.long_pages, args.lines_per_page)
    if "statement" in figures:
        per_page, peak = figures["statement"]
        print(
            f"\nIssue figure: full statement of a digital {args.lines_per_page}-line page "
            f"{1000 * per_page:.1f} ms = {1 / per_page:.0f} pages/s on one core (target >= 40); "
            f"{args.long_pages} pages in {peak:.0f} MiB peak RSS (target < 200)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

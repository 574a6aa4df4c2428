"""ICDAR 2013 table competition: cell-adjacency precision / recall / F1 of our table layer against
camelot stream, camelot lattice and pdfplumber ``extract_tables``, side by side, plus time per page.

Reads ``../shared/external/icdar2013/`` (relative to the repository root; never copied into the
repo). Every method reads whole pages without region hints, as ``arrecon tables`` does. On each
annotated page, the ground-truth relations are those of all its annotated tables (alternative
"b" annotations skipped); the predicted relations are those of the predicted tables that overlap
an annotated table region (tables elsewhere on the page are detection, not structure, and are
ignored for every method alike). A relation is (text, text of the nearest non-empty cell to the
right in the same row | below in the same column, direction), texts lower-cased and stripped to
letters and digits; relations compare as multisets and are micro-averaged over the pages.
Time is CPU time of this process per page (reading the PDF included), so other load on a shared
machine does not count.

    .venv/bin/python bench/icdar2013.py [--methods ours,stream,lattice,plumber] [--limit N]
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "external" / "icdar2013"
# bench/extract.py would shadow the extract package: put the repository root, not bench/, first.
if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(ROOT)

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom: top-left origin, PDF points
Found = list[tuple[BBox, list[list[str]]]]
Relation = tuple[str, str, str]


def normalize(text: str) -> str:
    """Cell text as compared: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def rows_to_relations(rows: Sequence[Sequence[str]]) -> list[Relation]:
    """The ICDAR 2013 adjacency relations of a table given as rows of cell texts."""
    grid = [[normalize(cell) for cell in row] for row in rows]
    n_cols = max((len(r) for r in grid), default=0)
    grid = [list(r) + [""] * (n_cols - len(r)) for r in grid]
    relations: list[Relation] = []
    for i, row in enumerate(grid):
        for j, text in enumerate(row):
            if not text:
                continue
            right = next((t for t in row[j + 1 :] if t), None)
            if right is not None:
                relations.append((text, right, "h"))
            below = next((grid[k][j] for k in range(i + 1, len(grid)) if grid[k][j]), None)
            if below is not None:
                relations.append((text, below, "v"))
    return relations


def overlaps(a: BBox, b: BBox) -> bool:
    """Whether two boxes share a tenth of the smaller one's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return False
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])) or 1.0
    return w * h >= 0.1 * smaller


def load_truth() -> dict[tuple[Path, int], list[tuple[BBox, list[list[str]]]]]:
    """Annotated tables per (pdf, page): region box (top-left origin) and rows; b-variants skipped."""
    import pypdfium2 as pdfium

    heights: dict[tuple[Path, int], float] = {}
    truth: dict[tuple[Path, int], list[tuple[BBox, list[list[str]]]]] = collections.defaultdict(list)
    for path in sorted((DATA / "tables_json").glob("*/*.json")):
        record = json.loads(path.read_text())
        if record.get("annotation_variant") == "b":
            continue
        pdf = DATA / "raw" / path.parent.name / record["pdf"]
        key = (pdf, int(record["page"]))
        if key not in heights:
            document = pdfium.PdfDocument(pdf)
            heights[key] = document[key[1] - 1].get_height()
            document.close()
        region = record["region_bbox"] or _cells_box(record["cells"])
        height = heights[key]
        x1, y1, x2, y2 = (float(region[k]) for k in ("x1", "y1", "x2", "y2"))
        box = (x1, height - y2, x2, height - y1)
        truth[key].append((box, record["rows"]))
    return truth


def _cells_box(cells: list[dict[str, object]]) -> dict[str, float]:
    """The union of the cells' boxes, for the regions annotated without a box of their own."""
    boxes = [c["bbox"] for c in cells if isinstance(c["bbox"], dict) and isinstance(c["bbox"].get("x1"), int)]
    lows = {k: min(float(b[k]) for b in boxes) for k in ("x1", "y1")}
    return lows | {k: max(float(b[k]) for b in boxes) for k in ("x2", "y2")}


def ours(pdf: Path, page: int) -> Found:
    from extract.pdf import pdf_to_layout
    from extract.tables import page_to_tables

    layout = pdf_to_layout(pdf.read_bytes(), pages=[page])
    return [(t.bbox, t.texts()) for t in page_to_tables(layout.pages[0])]


def camelot_flavor(flavor: str) -> Callable[[Path, int], Found]:
    def run(pdf: Path, page: int) -> Found:
        import camelot
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(pdf)
        height = document[page - 1].get_height()
        document.close()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables = camelot.read_pdf(str(pdf), pages=str(page), flavor=flavor, suppress_stdout=True)
        found: Found = []
        for table in tables:
            x1, y1, x2, y2 = table._bbox
            found.append(((x1, height - y2, x2, height - y1), table.df.astype(str).values.tolist()))
        return found

    return run


def plumber(pdf: Path, page: int) -> Found:
    import pdfplumber

    with pdfplumber.open(pdf, pages=[page]) as document:
        found: Found = []
        for table in document.pages[0].find_tables():
            found.append((table.bbox, [[c or "" for c in row] for row in table.extract()]))
        return found


METHODS: dict[str, Callable[[Path, int], Found]] = {
    "ours": ours,
    "stream": camelot_flavor("stream"),
    "lattice": camelot_flavor("lattice"),
    "plumber": plumber,
}
LABELS = {
    "ours": "arrecon tables",
    "stream": "camelot stream",
    "lattice": "camelot lattice",
    "plumber": "pdfplumber extract_tables",
}


def score(
    method: Callable[[Path, int], Found], truth: dict[tuple[Path, int], list[tuple[BBox, list[list[str]]]]]
) -> tuple[int, int, int, float, int]:
    """(correct, predicted, truth relations, seconds, pages that raised) over all annotated pages."""
    correct = predicted = expected = failed = 0
    seconds = 0.0
    for (pdf, page), tables in truth.items():
        truth_relations = collections.Counter(r for _box, rows in tables for r in rows_to_relations(rows))
        start = time.process_time()
        try:
            found = method(pdf, page)
        except Exception as exc:  # a baseline crashing on a page counts as finding nothing there
            print(f"  {pdf.name} p{page}: {type(exc).__name__}: {exc}", file=sys.stderr)
            found, failed = [], failed + 1
        seconds += time.process_time() - start
        regions = [box for box, _rows in tables]
        kept = [rows for box, rows in found if any(overlaps(box, region) for region in regions)]
        found_relations = collections.Counter(r for rows in kept for r in rows_to_relations(rows))
        correct += sum((truth_relations & found_relations).values())
        predicted += sum(found_relations.values())
        expected += sum(truth_relations.values())
    return correct, predicted, expected, seconds, failed


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--methods", default="ours,stream,lattice,plumber")
    parser.add_argument("--limit", type=int, default=0, help="only the first N annotated pages")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not (DATA / "tables_json").is_dir():
        print(f"ICDAR 2013 data not found at {DATA} (expected ../shared/external/icdar2013 beside the repo)")
        return 1
    truth = load_truth()
    if args.limit:
        truth = dict(list(truth.items())[: args.limit])
    print(f"{len(truth)} annotated pages, {sum(len(t) for t in truth.values())} tables")
    print(f"{'method':28} {'precision':>9} {'recall':>7} {'F1':>6} {'ms/page':>8}  relations ok/found/truth")
    for name in args.methods.split(","):
        correct, predicted, expected, seconds, failed = score(METHODS[name], truth)
        p = correct / predicted if predicted else 0.0
        r = correct / expected if expected else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        note = f"  ({failed} pages raised)" if failed else ""
        print(
            f"{LABELS[name]:28} {p:9.3f} {r:7.3f} {f1:6.3f} {1000 * seconds / len(truth):8.1f}"
            f"  {correct}/{predicted}/{expected}{note}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

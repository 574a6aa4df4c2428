"""The seeded generator of the labeled corpus: ``python -m extract.tagging.corpus_generator [DIR]``.

Descriptions are composed from labeled fragments (a document-type head, cue phrases, negated
phrases, neutral filler) in the layouts different ERPs print, then damaged (case, typos, OCR).
Labels are the union of the fragments' labels, so every label is known by construction; the
consistency rules of ``extract.tagging.corpus.check_corpus`` are asserted at the end.
Every fourth phrasing of each list and some layouts are held-out only: training never sees them.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from extract.tagging.corpus import DEFAULT_CORPUS_DIR, HELDOUT, TRAIN, check_corpus
from extract.tagging.noise import text_to_case_style, text_to_ocr_noise, text_to_typo

SEED = 20261204
TRAIN_SIZE = 2600
HELDOUT_SIZE = 900

DOCUMENT_HEADS: dict[str, tuple[str, ...]] = {
    "invoice": (
        "Invoice {inv}", "INV {inv}", "Inv# {inv}", "INV-{inv}", "Sales Invoice {inv}", "Tax Invoice {inv}",
        "Invoice no. {inv}", "Customer invoice {inv}", "Inv {inv}", "Bill {inv}", "AR Invoice {inv}",
        "Invc {inv}", "Our invoice {inv}", "{inv} Invoice", "RV {inv}", "Invoice #INV{inv}",
        "Sales inv. {inv}", "INVOICE {inv} DTD {date}", "Inv no {inv}", "Billing {inv}", "Facture {inv}",
        "Rechnung {inv}", "Fattura {inv}", "Factura {inv}", "Facture no {inv}", "Rechnung Nr. {inv}",
    ),
    "payment": (
        "Payment - thank you", "Payment received", "PMT {pay}", "Pymt rcvd {date}", "Receipt {pay}",
        "Rcpt #{pay}", "Chq {pay}", "Cheque no {pay}", "Check #{pay}", "ACH payment {pay}", "EFT {pay}",
        "Wire transfer {pay}", "BACS receipt {pay}", "Remittance {pay}", "Cash received",
        "Customer payment {pay}",
        "Direct debit {date}", "Bank transfer ref {pay}", "Received with thanks", "Payment {date}",
        "Customer Payment #PYMT{pay}", "Cash receipt {pay}", "DZ {pay} Zahlung", "SEPA credit {pay}",
        "Returned cheque {pay}", "NSF cheque {pay}", "Bounced payment {pay}", "Returned check #{pay}",
        "Dishonoured cheque {pay}", "Payment reversal - NSF", "Virement VIR-{pay}", "Ueberweisung UEB-{pay}",
        "Paiement {pay}", "Lastschrift {pay}", "Faster pmt FP-{pay}", "Règlement {pay}", "Überweisung {pay}",
        "Virement reçu {date}",
    ),
    "credit_note": (
        "Credit note {cn}", "CN {cn}", "CN-{cn}", "Credit memo {cn}", "Cr memo {cn}", "CM {cn}",
        "Credit {cn}",
        "CRN {cn}", "Credit inv {cn}", "Credit Memo #CM{cn}", "Cr note {cn}", "Gutschrift {cn}", "Avoir {cn}",
        "Avoir no {cn}", "Gutschrift Nr. {cn}",
    ),
    "debit_note": (
        "Debit note {dn}", "DN {dn}", "DN-{dn}", "Debit memo {dn}", "DM {dn}", "Dr memo {dn}", "Debit {dn}",
        "Supplementary invoice {dn}", "Debit Memo #DM{dn}", "Dr note {dn}", "DBN {dn}", "Debit inv {dn}",
    ),
    "adjustment": (
        "Adjustment", "Adj {ref}", "Journal entry {ref}", "JE {ref}", "Correction", "Reclass {ref}",
        "Reversal of {ref}", "Manual adjustment", "GL adj {ref}", "Contra entry", "Adjustment {ref}",
        "Jnl {ref}", "Account adjustment", "Offset {ref}", "Adj. {date}", "Correction entry {ref}",
    ),
    "opening_balance": (
        "Opening balance", "Balance b/f", "Bal b/f", "Balance brought forward", "Bal fwd", "Balance forward",
        "Opening bal", "Previous balance", "Beginning balance", "B/F balance", "Balance b/fwd {date}",
        "Opening balance as at {date}", "Saldovortrag", "Solde reporté", "Anfangssaldo {date}",
    ),
}

CUE_PHRASES: dict[str, tuple[str, ...]] = {
    "freight": (
        "freight", "frt chg", "freight charge", "shipping", "shpg", "shipping & handling",
        "carriage",
        "delivery charge", "del chg", "haulage", "courier charge", "postage", "fuel surcharge",
        "inbound freight",
        "transport cost", "freight recovery", "S&H", "pallet charge", "frt out", "cartage", "frt",
        "delivery fee", "shipping charges", "freight surcharge",
    ),
    "promotion": (
        "promo allow", "promo allowance", "trade promotion", "promotional allowance", "co-op advertising",
        "co op", "display allowance", "slotting fee", "scan down", "MDF", "coupon redemption", "feature ad",
        "ad allowance", "listing fee", "marketing contribution", "billback", "TPR", "off invoice allowance",
        "promo {quarter}", "promo deal", "allow.", "trade promo", "endcap display", "scan deal",
    ),
    "discount": (
        "discount", "disc taken", "early payment discount", "prompt pay disc", "settlement discount",
        "cash discount {pct}", "EPD", "trade discount", "terms discount", "disc {pct}", "skonto {pct}",
        "prompt payment discount", "{pct} disc", "discount taken",
    ),
    "rebate": (
        "rebate", "volume rebate", "growth rebate", "year end rebate", "RBT", "retro bonus", "volume bonus",
        "annual rebate {quarter}", "loyalty bonus", "incentive rebate", "tier bonus", "rebate {quarter}",
    ),
    "return": (
        "return", "returned goods", "goods returned", "RMA {rma}", "RMA-{rma}", "ret.", "RTV {rma}",
        "restocking fee", "return auth {rma}", "goods back", "RGA {rma}", "returned material", "rtn",
        "returns", "RMA#{rma}", "sent back",
    ),
    "interest_penalty": (
        "late payment interest", "interest on overdue", "int. on overdue", "late fee", "penalty", "pen. int.",
        "overdue charge", "finance charge", "fin chg", "default interest", "dunning fee", "reminder fee",
        "statutory interest", "late charge", "LPI", "overdue interest", "interest", "late pmt penalty",
    ),
    "dispute": (
        "disputed", "dispute", "claim {ref}", "chargeback", "charge back", "deduction", "query",
        "on hold", "short shipment", "short shipped", "not received", "POD requested",
        "unauthorised deduction", "in dispute", "under investigation", "shortage", "qty difference", "disp.",
        "customer claim", "chbk {ref}", "lost in transit",
    ),
    "short_payment": (
        "short paid", "short pd", "short pay", "underpaid", "underpayment", "partial payment", "part pmt",
        "balance due", "residual", "short remittance", "shortfall", "partially paid", "short payment",
        "under paid", "short remit", "part payment",
    ),
    "damaged": (
        "damaged", "dmgd", "damaged goods", "broken", "defective", "faulty", "spoiled", "crushed", "leaking",
        "breakage", "dented", "expired stock", "quality claim", "unsaleable", "dmg", "damaged on arrival",
        "damaged in transit", "broken in transit",
    ),
    "service": (
        "installation", "maintenance", "consulting", "consultancy fees", "labour", "support contract",
        "repair", "training", "call out charge", "site visit", "commissioning", "servicing", "engineer visit",
        "service fee", "technician hours", "setup fee", "implementation", "maint. contract", "svc",
        "annual service",
    ),
    "price_rate": (
        "price difference", "price diff", "price variance", "PPV", "overcharged", "wrong price",
        "contract price", "unit price diff", "price adj", "rate difference", "tariff difference",
        "price increase not agreed", "price protection", "pricing error", "undercharged", "agreed price",
        "prc diff", "rate diff",
    ),
    "tax": (
        "VAT", "GST", "sales tax", "withholding tax", "WHT", "HST", "tax", "excise", "TDS", "tax exempt",
        "reverse charge VAT", "use tax", "VAT {pct}", "GST adj", "PST", "withholding tax {pct}",
        "WHT {pct}", "GST {pct}", "VAT difference",
    ),
    "write_off": (
        "write off", "w/o", "written off", "small balance w/o", "bad debt", "rounding", "round off",
        "de minimis write-off", "writeoff", "sml bal w/o", "rounding diff", "bad debt w/o",
    ),
    "duplicate": (
        "duplicate", "duplicate invoice", "dup inv", "billed twice", "double billing", "double charged",
        "paid twice", "duplicate payment", "already paid", "already invoiced", "repeat invoice", "dupe",
    ),
    "no_po": (
        "no PO", "PO missing", "without PO", "missing PO", "PO required", "no purchase order", "not approved",
        "unapproved", "no approval", "not authorised", "PO not received", "invalid PO", "PO mismatch",
        "not ordered", "no PO number", "wrong PO",
    ),
    "in_transit": (
        "funds in transit", "in transit", "sent in post {date}", "funds sent {date}", "remitted {date}",
        "pending clearance", "uncleared", "awaiting clearance", "scheduled {date}", "value date {date}",
        "not yet cleared", "in the post",
    ),
}

# Phrases that deny a cue, by the cue they deny: the line carries no tag for them.
NEGATED_PHRASES: dict[str, tuple[str, ...]] = {
    "freight": (
        "freight included - no charge", "no freight", "free shipping", "freight n/a", "shipping incl.",
        "freight free", "delivery included", "no freight charge", "frt incl", "free delivery",
        "carriage free", "shipping - no charge",
    ),
    "discount": ("no discount", "discount not taken", "no disc", "disc n/a"),
    "interest_penalty": ("no interest", "interest free", "no late fee", "interest n/a"),
    "damaged": ("not damaged", "no damage", "no damages found"),
    "return": ("no returns", "return n/a"),
}
NEGATED_FLAT: tuple[tuple[str, str], ...] = tuple(
    (cue, phrase) for cue, phrases in NEGATED_PHRASES.items() for phrase in phrases
)

NEUTRAL: tuple[str, ...] = (
    "widgets", "order {po}", "PO {po}", "ref {ref}", "{date}", "{quarter}", "wk {week}", "store #{store}",
    "DC {store}", "spare parts", "as per contract", "see remittance", "per email {date}", "per our call",
    "pallets", "materials", "stock", "merch", "{amount}", "acct {store}", "ref your letter", "goods",
    "shipped {date}", "delivered {date}", "due {date}", "terms net 30", "dispatched {date}",
)

Filler = dict[str, Callable[[random.Random], str]]
FILLERS: Filler = {
    "inv": lambda r: r.choice(("{:05d}", "{:06d}", "{:07d}", "00{:05d}")).format(r.randrange(10000, 99999)),
    "pay": lambda r: str(r.randrange(100000, 999999)),
    "cn": lambda r: str(r.randrange(1000, 99999)),
    "dn": lambda r: str(r.randrange(100, 9999)),
    "rma": lambda r: str(r.randrange(1000, 99999)),
    "po": lambda r: r.choice(("45000", "PO", "")) + str(r.randrange(10000, 99999)),
    "ref": lambda r: str(r.randrange(100, 999999)),
    "store": lambda r: str(r.randrange(1, 999)),
    "week": lambda r: str(r.randrange(1, 53)),
    "pct": lambda r: r.choice(("2%", "3%", "1.5%", "2 %", "5%",
    "10%")),
    "quarter": lambda r: r.choice(("Q1", "Q2", "Q3", "Q4", "Q3 2026", "H1", "FY26")),
    "date": lambda r: r.choice(
        ("{d:02d}/{m:02d}/2026", "2026-{m:02d}-{d:02d}", "{d:02d}-Sep-2026", "{d}.{m}.26")
    )
    .format(d=r.randrange(1, 29), m=r.randrange(1, 13)),
    "amount": lambda r: r.choice(("{:,}.{:02d}", "${:,}.{:02d}", "EUR {}.{:02d}")).format(
        r.randrange(5, 20000), r.randrange(0, 100)
    ),
}

# Goods on an invoice line: "24 x Grease EP2 18kg pail", "Goods Bearing 6204-2RS PO 38723".
PRODUCTS: tuple[str, ...] = (
    "Bearing 6205-ZZ", "Hydraulic hose 3/8in x 1m", "Pneumatic valve 5/2", "Conveyor belt 600mm",
    "V-belt XPZ 1000", "Gear pump GP-20", "Pressure gauge 0-10 bar", "Cable tie 300mm bag/100",
    "Safety gloves L", "Paper towels case", "Detergent 5L", "Copy paper A4 box", "Coffee beans 1kg",
    "Olive oil 12x1L", "Canned tomatoes 24x400g", "Steel pipe 2in x 6m", "Copper wire 2.5mm2 100m",
    "LED panel 60x60", "Circuit breaker 16A", "Motor 1.5kW IE3", "Hex bolts M10 box/100",
    "Lubricant spray 400ml", "Filter cartridge F7", "Pallet wrap 500mm", "Toner cartridge", "Laptop 14in",
    "Office chair", "Spare parts kit", "Drill bits HSS set", "Welding rods 3.2mm", "Sealant tube",
    "Nitrile gloves M box/100", "Cardboard boxes 40x30x30", "Mineral water 24x500ml",
    "Frozen fries 4x2.5kg",
)


def product_line(rng: random.Random, split: str) -> tuple[str, set[str], bool]:
    product = pick(rng, PRODUCTS, split)
    frame = pick(rng, (
        "{q} x {p}", "{p}", "Goods {p} PO {po}", "{p} inv INV{inv}", "Purchase {q} x {p}", "{p} - PO-{po}",
        "{inv} - {q} x {p}", "{q} {p}", "{p} {q} pcs", "{q} cs {p}", "{p} delivered {date}", "Sale {q} x {p}",
    ), split)
    text = frame.text.replace("{q}", str(rng.choice((1, 2, 4, 6, 10, 12, 20, 24, 36, 50, 100, 120)))).replace(
        "{p}", product.text
    )
    return text, {"invoice"}, product.heldout_only or frame.heldout_only


JOINERS: tuple[str, ...] = (" - ", " ", " / ", ": ", ", ", " re ", " for ")


@dataclass(frozen=True)
class Pick:
    """A phrasing chosen from a list, and whether it is held-out only."""

    text: str
    heldout_only: bool


def pick(rng: random.Random, phrasings: Sequence[str], split: str) -> Pick:
    """A phrasing for ``split``: training never gets every fourth one; held-out prefers those."""
    shared = [p for i, p in enumerate(phrasings) if i % 4 != 3]
    reserved = [p for i, p in enumerate(phrasings) if i % 4 == 3]
    if split == "heldout" and reserved and rng.random() < 0.4:
        return Pick(rng.choice(reserved), True)
    return Pick(rng.choice(shared), False)


def fill(template: str, rng: random.Random) -> str:
    """The template with its ``{slot}``s filled with fresh numbers, dates and amounts."""
    for name, make in FILLERS.items():
        while "{" + name + "}" in template:
            template = template.replace("{" + name + "}", make(rng), 1)
    return template


def cue_ref(rng: random.Random) -> str:
    """How a deduction names the invoice it deducts from."""
    return rng.choice(("inv {inv}", "on inv {inv}", "INV{inv}", "inv# {inv}", "re invoice {inv}", "{inv}",
                       "invoice {inv}", "against inv {inv}", "ref {inv}"))


# A layout returns (template text, tags, held-out only?). The last ones are held-out only.
Layout = Callable[[random.Random, str], tuple[str, set[str], bool]]


def head_alone(rng: random.Random, split: str) -> tuple[str, set[str], bool]:
    doc = rng.choice(list(DOCUMENT_HEADS))
    head = pick(rng, DOCUMENT_HEADS[doc], split)
    extra = "" if rng.random() < 0.5 else rng.choice(JOINERS[:3]) + pick(rng, NEUTRAL, split).text
    return head.text + extra, {doc}, head.heldout_only


def head_with_cues(rng: random.Random, split: str) -> tuple[str, set[str], bool]:
    doc = rng.choice(("invoice", "credit_note", "credit_note", "debit_note", "debit_note", "payment",
                      "adjustment", "adjustment"))
    head = pick(rng, DOCUMENT_HEADS[doc], split)
    cues = rng.sample(list(CUE_PHRASES), 2 if rng.random() < 0.25 else 1)
    picks = [pick(rng, CUE_PHRASES[c], split) for c in cues]
    body = rng.choice((" ", " & ", " + ", ", ")).join(p.text for p in picks)
    tail = "" if rng.random() < 0.6 else " " + rng.choice((cue_ref(rng), pick(rng, NEUTRAL, split).text))
    text = head.text + rng.choice(JOINERS) + body + tail
    return text, {doc, *cues}, head.heldout_only or any(p.heldout_only for p in picks)


def cues_with_ref(rng: random.Random, split: str) -> tuple[str, set[str], bool]:
    cues = rng.sample(list(CUE_PHRASES), 2 if rng.random() < 0.3 else 1)
    picks = [pick(rng, CUE_PHRASES[c], split) for c in cues]
    body = rng.choice((" ", " & ", " - ", " / ")).join(p.text for p in picks)
    ref = fill(cue_ref(rng) if rng.random() < 0.7 else pick(rng, NEUTRAL, split).text, rng)
    text = f"{body} {ref}" if rng.random() < 0.8 else f"{ref} {body}"
    if text.lower().startswith(("inv", "ref")):
        # A leading "inv 10023" would name the line an invoice; keep such lines cue-first.
        text = f"{body} {ref}"
    return text, set(cues), any(p.heldout_only for p in picks)


def negated(rng: random.Random, split: str) -> tuple[str, set[str], bool]:
    phrase = pick(rng, [p for _, p in NEGATED_FLAT], split)
    denied = next(c for c, p in NEGATED_FLAT if p == phrase.text)
    roll = rng.random()
    if roll < 0.45:
        doc = rng.choice(("invoice", "credit_note", "debit_note"))
        head = pick(rng, DOCUMENT_HEADS[doc], split)
        text = head.text + rng.choice((" - ", " ", ", ")) + phrase.text
        return text, {doc}, head.heldout_only or phrase.heldout_only
    if roll < 0.75:
        cue = rng.choice([c for c in CUE_PHRASES if c != denied])
        other = pick(rng, CUE_PHRASES[cue], split)
        text = f"{other.text} {cue_ref(rng)} - {phrase.text}"
        return text, {cue}, phrase.heldout_only or other.heldout_only
    return phrase.text + " " + cue_ref(rng), set(), phrase.heldout_only


def sentence(rng: random.Random, split: str) -> tuple[str, set[str], bool]:
    cue = rng.choice(list(CUE_PHRASES))
    phrase = pick(rng, CUE_PHRASES[cue], split)
    frame = rng.choice((
        "Customer took {c} against invoice {inv}",
        "{C} taken on our invoice {inv}",
        "Cust says {c} on inv {inv}",
        "Remittance note: {c} inv {inv}",
    ))
    text = frame.replace("{c}", phrase.text).replace("{C}", phrase.text[:1].upper() + phrase.text[1:])
    tags = {cue} | ({"payment"} if frame.startswith("Remittance") else set())
    return text, tags, phrase.heldout_only


def heldout_sentence(rng: random.Random, split: str) -> tuple[str, set[str], bool]:
    cue = rng.choice(list(CUE_PHRASES))
    phrase = pick(rng, CUE_PHRASES[cue], split)
    frame = rng.choice((
        "Withheld by customer - {c} ({inv})",
        "{c} per customer remittance, inv {inv}",
        "Item {inv}: {c}",
        "Variance {inv} {c}",
    ))
    return frame.replace("{c}", phrase.text), {cue}, True


def heldout_sap(rng: random.Random, split: str) -> tuple[str, set[str], bool]:
    doc = rng.choice(("invoice", "credit_note", "payment", "debit_note"))
    head = pick(rng, DOCUMENT_HEADS[doc], split)
    cue = rng.choice(list(CUE_PHRASES))
    phrase = pick(rng, CUE_PHRASES[cue], split)
    return fill(f"{head.text} {phrase.text} {{date}}", rng).upper(), {doc, cue}, True


LAYOUTS: tuple[tuple[Layout, float], ...] = (
    (head_alone, 0.22), (head_with_cues, 0.30), (cues_with_ref, 0.30), (negated, 0.08), (sentence, 0.10),
    (product_line, 0.10),
)
HELDOUT_LAYOUTS: tuple[tuple[Layout, float], ...] = ((heldout_sentence, 0.08), (heldout_sap, 0.07))


def damage(text: str, rng: random.Random, noisy: bool) -> str:
    """The description as a ledger prints it: case style, sometimes a typo, sometimes OCR damage."""
    text = text_to_case_style(text, rng)
    if rng.random() < 0.08:
        text = text_to_typo(text, rng)
    if noisy and rng.random() < 0.15:
        text = text_to_ocr_noise(text, rng, rate=0.4)
    return text


def generate(split: str, size: int, rng: random.Random, exclude: set[str]) -> list[dict[str, object]]:
    """``size`` distinct labeled descriptions of ``split`` ("train" or "heldout"), none in ``exclude``."""
    layouts = list(LAYOUTS) + (list(HELDOUT_LAYOUTS) if split == "heldout" else [])
    functions = [layout for layout, _ in layouts]
    weights = [weight for _, weight in layouts]
    records: list[dict[str, object]] = []
    seen = set(exclude)
    while len(records) < size:
        layout = rng.choices(functions, weights)[0]
        template, tags, heldout_only = layout(rng, split)
        text = damage(fill(template, rng), rng, noisy=True).strip()
        if text in seen or (split == "train" and heldout_only):
            continue
        seen.add(text)
        kind = "heldout_only" if heldout_only else "shared"
        records.append({"text": text, "tags": sorted(tags), "template": f"{layout.__name__}:{kind}"})
    return records


def write_corpus(corpus_dir: Path, seed: int = SEED) -> None:
    """Write train.jsonl and heldout.jsonl into ``corpus_dir``; raise if a consistency rule fails."""
    rng = random.Random(seed)
    train = generate("train", TRAIN_SIZE, rng, set())
    heldout = generate("heldout", HELDOUT_SIZE, rng, {str(r["text"]) for r in train})
    corpus_dir.mkdir(parents=True, exist_ok=True)
    for name, records in ((TRAIN, train), (HELDOUT, heldout)):
        with (corpus_dir / name).open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    problems = check_corpus(corpus_dir)
    if problems:
        raise SystemExit("corpus inconsistent:\n" + "\n".join(problems[:50]))


if __name__ == "__main__":
    write_corpus(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS_DIR)

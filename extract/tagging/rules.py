"""The rule side of the tagger: cue and document-type phrases, negations, and their spaCy component.

Phrases are written in canonical form (see ``extract.tagging.normalize``) and matched on lemmas,
or on the exact lowercase form when prefixed with ``=`` (``=shipping`` must not match "shipped").
The component ``arrecon_cue_rules`` writes its ``RuleFindings`` to ``doc.user_data["cues"]``: cues
found, cues a negation governs ("freight included - no charge"), and the leading document type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NamedTuple

from models.tags import Cue, DocumentType

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

COMPONENT = "arrecon_cue_rules"
TOKENIZER = "arrecon.canonical_words.v1"
SPAN_KEY = "cues"
# Phrases that look like a cue but are not one ("returned cheque" is a bounced payment).
IGNORE = "ignore"

CUE_PHRASES: dict[str, tuple[str, ...]] = {
    Cue.freight: (
        "freight", "frt", "frght", "fght", "=shipping", "shpg", "shipg", "=shipping charge", "=shipping fee",
        "carriage", "delivery charge", "delivery fee", "delivery cost", "del chg", "dlvy", "dlv chg",
        "haulage", "postage", "courier", "cartage", "fuel surcharge", "transport", "transportation",
        "s & h", "s/h", "p & p", "p/p", "shipping and handling", "handling charge", "inbound freight",
        "outbound freight", "frt in", "frt out", "logistics charge", "pallet charge", "drop fee",
    ),
    Cue.promotion: (
        "promo", "promotion", "promotional", "trade promotion", "trade promo", "allowance", "allow",
        "allw", "alw", "co op", "coop", "display allowance", "slotting", "slotting fee", "scan down",
        "scandown", "scan deal", "mdf", "market development fund", "coupon", "feature ad", "ad allowance",
        "advertising allowance", "advertising", "listing fee", "marketing fund", "marketing contribution",
        "billback", "bill back", "off invoice", "oi deal", "endcap", "end cap", "flyer", "tpr",
        "temporary price reduction", "mcb", "deal",
    ),
    Cue.discount: (
        "discount", "disc", "dsc", "dis", "early payment discount", "prompt payment", "prompt pay",
        "settlement discount", "cash discount", "epd", "trade discount", "terms discount", "skonto",
    ),
    Cue.rebate: (
        "rebate", "rbt", "rebt", "volume rebate", "growth rebate", "year end rebate", "retro", "retro bonus",
        "volume bonus", "annual bonus", "loyalty bonus", "incentive", "bonus", "kickback", "tier bonus",
    ),
    Cue.return_: (
        "return", "ret", "rtn", "rtrn", "rma", "rtv", "rga", "returned good", "good returned", "good back",
        "restocking", "restock", "restocking fee", "returned material", "return to vendor", "sent back",
        "collection note", "uplift", "goods return",
    ),
    Cue.interest_penalty: (
        "interest", "int", "intr", "late payment interest", "late fee", "late charge", "late payment",
        "penalty", "pen", "pnlty", "overdue charge", "overdue interest", "finance charge", "fin chg",
        "fin charge", "default interest", "dunning fee", "dunning charge", "reminder fee", "collection fee",
        "statutory interest", "late payment compensation", "overdue fee", "lpi",
    ),
    Cue.dispute: (
        "dispute", "disputed", "dispt", "disp", "claim", "clm", "chargeback", "charge back", "chbk", "chgbk",
        "deduction", "deduct", "ded", "ddn", "query", "queried", "contested", "contest", "on hold", "hold",
        "short shipment", "short ship", "short shipped", "short delivery", "short delivered", "not received",
        "non delivery", "undelivered", "pod request", "pod required", "unauthorised deduction",
        "unauthorized deduction", "in dispute", "investigation", "under review", "shortage", "missing item",
        "missing good", "qty difference", "quantity difference", "over shipment", "lost in transit",
    ),
    Cue.short_payment: (
        "short paid", "short pay", "short pd", "shortpaid", "shortpay", "short payment", "short pmt",
        "underpaid", "underpayment", "under paid", "under payment", "partial payment", "part payment",
        "part pmt", "partial pmt", "part paid", "partially paid", "balance due", "bal due",
        "remaining balance",
        "residual", "residual amount", "short remit", "short remittance", "unpaid balance", "shortfall",
    ),
    Cue.damaged: (
        "damaged", "damage", "dmgd", "dmg", "dmged", "broken", "defective", "faulty", "spoiled", "spoilt",
        "crushed", "leaking", "leak", "breakage", "dented", "torn", "wet", "expired", "rejected goods",
        "quality issue", "quality claim", "defect", "unsaleable", "unsalable", "damaged in transit",
        "damage in transit", "broken in transit",
    ),
    Cue.service: (
        "service", "svc", "srv", "svcs", "installation", "install", "maintenance", "maint", "consulting",
        "consultancy", "labour", "labor", "support", "repair", "training", "callout", "call out",
        "site visit", "commissioning", "servicing", "engineer visit", "technician", "hourly", "man hour",
        "professional fee", "setup fee", "set up fee", "onboarding", "subscription", "implementation",
    ),
    Cue.price_rate: (
        "price", "pricing", "rate", "price difference", "price diff", "price variance", "ppv",
        "overcharge", "overcharged", "over charged", "wrong price", "contract price", "unit price",
        "price adj", "price adjustment", "rate difference", "rate diff", "tariff", "price increase",
        "price protection", "price correction", "price dispute", "prc", "prc diff", "cost variance",
        "rate variance", "agreed price", "quoted price", "list price", "undercharge", "undercharged",
    ),
    Cue.tax: (
        "tax", "vat", "gst", "hst", "pst", "qst", "sales tax", "=withholding", "withholding tax", "wht",
        "excise", "tds", "use tax", "tax exempt", "exemption certificate", "reverse charge", "iva", "mwst",
    ),
    Cue.write_off: (
        "write off", "written off", "w/o", "writeoff", "wrt off", "bad debt", "small balance", "sml bal",
        "rounding", "round off", "rounding difference", "de minimis", "wo",
    ),
    Cue.duplicate: (
        "duplicate", "dup", "dupl", "dupe", "double", "twice", "billed twice", "double billing",
        "double billed", "duplicated", "double charged", "double payment", "paid twice", "double entry",
        "already paid", "already invoiced", "already credited", "repeat invoice",
    ),
    Cue.no_po: (
        "no po", "without po", "missing po", "po missing", "po required", "no purchase order",
        "missing purchase order", "purchase order required", "not approved", "unapproved", "no approval",
        "not authorised", "not authorized", "po not received", "invalid po", "wrong po", "po mismatch",
        "po not found", "no order", "not ordered", "unordered", "no po number", "po number missing",
    ),
    Cue.in_transit: (
        "in transit", "payment in transit", "in the post", "in post", "cheque sent", "check sent",
        "payment sent", "pmt sent", "remitted", "pending clearance", "uncleared", "awaiting clearance",
        "not yet cleared", "payment pending", "pmt pending", "payment scheduled", "scheduled payment",
        "payment run", "value date", "funds sent", "sent in post",
    ),
}

# Document types count only near the start of a description: "inv 10023 frt" is an invoice,
# "frt chg inv 10023" is a freight charge that refers to one.
DOCUMENT_PHRASES: dict[str, tuple[str, ...]] = {
    DocumentType.invoice: (
        "invoice", "inv", "invc", "sales invoice", "tax invoice", "=bill", "=billing", "ar invoice", "si",
        "customer invoice", "inv no", "our invoice", "your invoice", "rv", "facture", "rechnung", "fattura",
        "factura", "faktura",
    ),
    DocumentType.payment: (
        "payment", "pmt", "pymt", "=pay", "paymt", "receipt", "rcpt", "rct", "cheque", "chq", "check", "ck",
        "ach", "eft", "wire", "bacs", "remittance", "=remit", "cash", "bank transfer", "direct debit", "dd",
        "sepa", "cash receipt", "customer payment", "payment received", "pmt rcvd", "received with thanks",
        "zahlung", "dz", "giro", "virement", "ueberweisung", "überweisung", "paiement", "règlement",
        "reglement", "lastschrift", "faster pmt", "faster payment", "pago", "bonifico",
    ),
    DocumentType.credit_note: (
        "credit note", "cn", "credit memo", "cr memo", "cm", "credit", "cr note", "crn", "cr", "credit inv",
        "credit invoice", "cr nt", "crnote", "creditnote", "gutschrift", "avoir", "abono", "nota di credito",
    ),
    DocumentType.debit_note: (
        "debit note", "dn", "debit memo", "dm", "dr memo", "dbn", "debit", "dr note", "db note",
        "debit invoice", "supplementary invoice", "dr",
    ),
    DocumentType.adjustment: (
        "adjustment", "adj", "adjust", "journal", "je", "jnl", "jrnl", "correction", "reclass",
        "reclassification", "reversal", "rev", "contra", "gl adjustment", "manual adjustment",
        "offset", "netting",
    ),
    DocumentType.opening_balance: (
        "opening balance", "balance b/f", "bal b/f", "b/f", "balance forward", "bal fwd", "bal forward",
        "brought forward", "balance brought forward", "opening bal", "open bal", "ob", "balance bf",
        "bal bf", "previous balance", "prior balance", "beginning balance", "balance carried forward",
        "balance c/f", "bfwd", "b/fwd", "carried forward", "opening", "start balance", "saldovortrag",
        "solde reporté", "anfangssaldo", "report à nouveau",
    ),
}

# Returned cheques bounce; "price list" or "rate card" alone say nothing about a difference.
IGNORED_PHRASES: tuple[str, ...] = (
    "returned cheque", "returned check", "return cheque", "return check", "returned payment", "nsf",
    "customer service", "service desk", "terms net", "per contract", "tax invoice", "tax id",
    "vat no", "vat number", "vat reg",
)

# A lone "no"/"not" before a cue, or "included"/"n/a" after it, says there is nothing to charge.
NEGATION_BEFORE: frozenset[str] = frozenset(
    {"no", "not", "without", "free", "nil", "zero", "non", "w/out", "exclude"}
)
NEGATION_AFTER: frozenset[str] = frozenset(
    {"include", "included", "incl", "inclusive", "n/a", "free", "nil", "na"}
)
# Two-word negations after a cue: "freight - no charge", "discount not taken".
NEGATION_AFTER_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {("no", "charge"), ("not", "take"), ("not", "charge"), ("not", "applicable"), ("no", "cost"),
     ("not", "due"), ("not", "claim"), ("not", "deduct"), ("no", "fee")}
)
# Document types may follow these (e.g. "our inv", "ref 4410 payment").
DOCUMENT_PREFIX: frozenset[str] = frozenset(
    {"xbos", "0", "our", "your", "ur", "cust", "customer", "ref", "doc", "no", "nr", "#", "a/c", "acct", "/"}
)
BEFORE_WINDOW = 2
AFTER_WINDOW = 3


def negation_words() -> frozenset[str]:
    """Every word a negation rule looks at (their lemmas must survive table pruning)."""
    pairs = {w for pair in NEGATION_AFTER_PAIRS for w in pair}
    return frozenset(NEGATION_BEFORE | NEGATION_AFTER | pairs | {"taken", "charged", "claimed", "deducted"})


def phrase_table() -> Iterator[tuple[str, str]]:
    """Every (label, phrase) pair the component matches; label is a tag, a document type or ``ignore``."""
    for label, phrases in (*CUE_PHRASES.items(), *DOCUMENT_PHRASES.items()):
        for phrase in phrases:
            yield str(label), phrase
    for phrase in IGNORED_PHRASES:
        yield IGNORE, phrase


def lexicon_words() -> frozenset[str]:
    """The words of every phrase: the vocabulary OCR repair snaps unknown words to."""
    words: set[str] = {w for w in NEGATION_BEFORE | NEGATION_AFTER if w.isalpha() and len(w) >= 4}
    for _, phrase in phrase_table():
        words.update(w for w in phrase.lstrip("=").split() if w.isalpha() and len(w) >= 4)
    return frozenset(words)


class RuleFindings(NamedTuple):
    """What the rules found in one doc: cues (not negated), cues negated, leading document type."""

    cues: frozenset[str]
    negated: frozenset[str]
    document_type: str | None


Match = tuple[str, int, int]


class PhraseIndex:
    """Every phrase of ``phrase_table`` keyed by its lemma words (or exact lowercase words for ``=``
    phrases), matched on tuples of strings: plain dict lookups, no Doc or Span objects.

    ``lemma_of`` is the lookup lemmatizer's table (word -> lemma, the word itself when absent);
    lemmas are cached per word string, since a ledger repeats few distinct words.
    """

    def __init__(self, lemma_of: Callable[[str], str]) -> None:
        self._table_lemma = lemma_of
        self._lemmas: dict[str, str] = {}
        self.by_lemma: dict[tuple[str, ...], list[str]] = {}
        self.by_lower: dict[tuple[str, ...], list[str]] = {}
        for label, phrase in phrase_table():
            words = phrase.lstrip("=").split()
            if phrase.startswith("="):
                labels = self.by_lower.setdefault(tuple(w.lower() for w in words), [])
            else:
                labels = self.by_lemma.setdefault(tuple(self.lemma(w) for w in words), [])
            if label not in labels:
                labels.append(label)
        self._lemma_lengths = _lengths_by_first_word(self.by_lemma)
        self._lower_lengths = _lengths_by_first_word(self.by_lower)
        self._lower_firsts = frozenset(self._lower_lengths)

    def lemma(self, word: str) -> str:
        """The lookup lemma of one word (cached)."""
        lemma = self._lemmas.get(word)
        if lemma is None:
            lemma = self._lemmas[word] = self._table_lemma(word)
        return lemma

    def words_to_findings(self, words: Sequence[str], lowers: Sequence[str] | None = None) -> RuleFindings:
        """The rules' findings on one sequence of words (``lowers``: their lowercase forms, when
        the words are not lowercase already as canonical words are)."""
        cache = self._lemmas
        lemmas = [cache.get(w) or self.lemma(w) for w in words]
        matches = _matches(lemmas, self.by_lemma, self._lemma_lengths)
        lowers = words if lowers is None else lowers
        if not self._lower_firsts.isdisjoint(lowers):  # few exact phrases: usually nothing to look up
            matches += _matches(lowers, self.by_lower, self._lower_lengths)
        if not matches:
            return NO_FINDINGS
        # Cues and document types overlap on purpose ("payment in transit" is both), so each kind
        # keeps its own longest matches.
        cues: list[Match] = []
        documents: list[Match] = []
        for match in matches:
            (documents if match[0] in DOCUMENT_PHRASES else cues).append(match)
        cues, documents = _longest(cues), _longest(documents)
        found: set[str] = set()
        negated: set[str] = set()
        if _NEGATING.isdisjoint(lemmas):  # the usual case: no word that could negate anything
            found.update(label for label, _, _ in cues if label != IGNORE)
        else:
            covered = {i for _, start, end in cues for i in range(start, end)} if len(cues) > 1 else set()
            size = len(words)
            for label, start, end in cues:
                if label == IGNORE:
                    continue
                before = [lemmas[i] for i in range(max(0, start - BEFORE_WINDOW), start) if i not in covered]
                after = [lemmas[i] for i in range(end, min(size, end + AFTER_WINDOW)) if i not in covered]
                is_negated = (
                    any(w in NEGATION_BEFORE for w in before)
                    or any(w in NEGATION_AFTER for w in after)
                    or any(pair in NEGATION_AFTER_PAIRS for pair in pairwise(after))
                )
                (negated if is_negated else found).add(label)
        prefix = DOCUMENT_PREFIX
        leading = next(
            (label for label, start, _ in documents if all(words[i] in prefix for i in range(start))), None
        )
        return RuleFindings(frozenset(found - negated), frozenset(negated), leading)


# Every lemma a negation rule starts from: a text with none of them has no negated cue.
_NEGATING: frozenset[str] = NEGATION_BEFORE | NEGATION_AFTER | {first for first, _ in NEGATION_AFTER_PAIRS}
NO_FINDINGS = RuleFindings(frozenset(), frozenset(), None)


def _lengths_by_first_word(phrases: dict[tuple[str, ...], list[str]]) -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for key in phrases:
        lengths.setdefault(key[0], set()).add(len(key))
    return {first: tuple(sorted(found)) for first, found in lengths.items()}


def _matches(
    words: Sequence[str], phrases: dict[tuple[str, ...], list[str]], lengths: dict[str, tuple[int, ...]]
) -> list[Match]:
    """Every (label, start, end) whose phrase occurs in ``words``, overlaps included (as a PhraseMatcher)."""
    found: list[Match] = []
    size = len(words)
    for start, word in enumerate(words):
        for length in lengths.get(word, ()):
            end = start + length
            if end <= size:
                labels = phrases.get(tuple(words[start:end]))
                if labels:
                    found.extend((label, start, end) for label in labels)
    return found


class CueRules:
    """The ``arrecon_cue_rules`` component: phrase matches -> ``RuleFindings`` in ``doc.user_data``.

    The phrase index is built on first use, because the lemmatizer's tables are only loaded after
    the pipeline's components are constructed. The tagger calls ``index`` directly on canonical
    words; a doc run through the pipeline gets the same findings.
    """

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self._index: PhraseIndex | None = None

    @property
    def index(self) -> PhraseIndex:
        """The phrase index over the pipeline's lemma table."""
        if self._index is None:
            table = self.nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]
            self._index = PhraseIndex(lambda word: str(table.get(word, word)))
        return self._index

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data[SPAN_KEY] = self.index.words_to_findings([t.text for t in doc], [t.lower_ for t in doc])
        return doc


def _longest(matches: list[Match]) -> list[Match]:
    """Non-overlapping matches, longer first, then earlier (as ``spacy.util.filter_spans``)."""
    if len(matches) < 2:
        return matches
    kept: list[Match] = []
    taken: set[int] = set()
    for match in sorted(matches, key=lambda m: (m[1] - m[2], m[1])):
        span = range(match[1], match[2])
        if not any(i in taken for i in span):
            kept.append(match)
            taken.update(span)
    return sorted(kept, key=lambda m: m[1])


def doc_to_rule_findings(doc: Doc) -> RuleFindings:
    """The component's findings on a processed doc."""
    findings: RuleFindings = doc.user_data[SPAN_KEY]
    return findings


def register_components() -> None:
    """Register the component and tokenizer with spaCy (idempotent); needed before building or loading."""
    from spacy.language import Language
    from spacy.util import registry

    if not Language.has_factory(COMPONENT):
        Language.factory(COMPONENT, func=lambda nlp, name: CueRules(nlp))
    if TOKENIZER not in registry.tokenizers:
        registry.tokenizers.register(TOKENIZER, func=_canonical_words_tokenizer)


class CanonicalWordsTokenizer:
    """Splits on spaces: texts reach the pipeline as canonical words already, and English's
    tokenizer (slow to load, with thousands of special cases) would only undo that."""

    def __init__(self, nlp: Language) -> None:
        self.vocab = nlp.vocab

    def __call__(self, text: str) -> Doc:
        from spacy.tokens import Doc

        return Doc(self.vocab, words=text.split())

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        """Nothing to save: the tokenizer has no state."""

    def from_disk(self, path: Any, **kwargs: Any) -> CanonicalWordsTokenizer:
        return self


def _canonical_words_tokenizer() -> Any:
    return CanonicalWordsTokenizer

"""The twelve sample customers: who they are, what happened on their account, how they print it.

Every reason code is injected at least twice across them (see samples/README.md for the table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from samples import stories as st
from samples.documents import Party, PrintSpec
from samples.stories import Voice
from samples.truth import Account, Numbering, money

Story = Callable[[Account, Voice, int, int], None]

# How each ERP numbers our documents: kind -> (prefix, separator, zero padding, first number).
SAP = Numbering({"invoice": ("", "", 8, 90012000), "credit_note": ("", "", 8, 91004000),
                 "debit_note": ("", "", 8, 90518000), "payment": ("", "", 10, 1400001200)})
QUICKBOOKS = Numbering({"invoice": ("", "", 0, 1040), "credit_note": ("CM", "", 0, 210),
                        "debit_note": ("FC", "", 0, 60), "payment": ("PMT", "", 0, 300)})
GENERIC = Numbering({"invoice": ("INV", "-", 7, 12300), "credit_note": ("CN", "-", 7, 1230),
                     "debit_note": ("DN", "-", 7, 450), "payment": ("RCPT", "-", 6, 4500)})
BUSINESS_CENTRAL = Numbering({"invoice": ("PS-INV", "", 6, 103000), "credit_note": ("PS-CR", "", 6, 104000),
                              "debit_note": ("FCM", "-", 5, 100), "payment": ("PMT", "-", 5, 2300)})
NETSUITE = Numbering({"invoice": ("INV", "", 0, 10200), "credit_note": ("CM", "", 0, 1020),
                      "debit_note": ("FC", "", 0, 100), "payment": ("PYMT", "", 0, 4400)})
XERO = Numbering({"invoice": ("INV", "-", 4, 340), "credit_note": ("CN", "-", 4, 30),
                  "debit_note": ("DN", "-", 4, 10), "payment": ("PMT", "-", 4, 100)})


@dataclass(frozen=True)
class Sample:
    """One customer's period: the account, how their statement prints, and our ledger's ERP format."""

    slug: str
    year: int
    month: int
    party: Party
    spec: PrintSpec
    numbering: Numbering
    ref_variant: str
    two_refs: bool
    voice: Voice
    story: Story
    ledger: str
    ledger_ext: str

    @property
    def stem(self) -> str:
        return f"{self.slug}-{self.year:04d}-{self.month:02d}"

    @property
    def filename(self) -> str:
        ext = {"pdf": "pdf", "xlsx": "xlsx", "csv": "csv"}[self.spec.form]
        return f"{self.stem}.{ext}"

    @property
    def ledger_filename(self) -> str:
        return f"ledgers/{self.slug}.{self.ledger_ext}"


def D(y: int, m: int, d: int) -> dt.date:
    return dt.date(y, m, d)


# --- stories: what happened on each account -----------------------------------------------------

def acme_story(a: Account, v: Voice, y: int, m: int) -> None:
    sales = st.ordinary_month(a, v, y, m, invoices=20, payments=5)
    st.rate_difference(a, v, D(y, m, 14), say_price=True)
    st.interest_charge(a, D(y, m, 28), money("86.40"), "Jul invoices")
    st.promotion_deduction(a, D(y, m, 22), "PROMO ALLOW Q3", money("450.00"),
                           ("adjustment", "promotion"), "DM-20931")
    st.payment_for_several(a, v, D(y, m, 24), sales[:3], ledger_split=True)
    st.matched_charge(a, "credit_note", D(y, m, 17), money("-128.50"), "Credit RMA-5521 damaged",
                      "Ret. RMA-5521 dmgd CN {ref}", ("credit_note", "damaged", "return"))


def borealis_story(a: Account, v: Voice, y: int, m: int) -> None:
    st.ordinary_month(a, v, y, m, invoices=9, payments=3)
    st.freight_excluded(a, v, D(y, m, 9), money("85.00"))
    st.dispute_deduction(a, D(y, m, 19), money("312.00"), "Short shipment PO 88231 - 24 pcs",
                         ("adjustment", "dispute"), "DM-7710")
    st.payment_in_transit(a, v, D(y, m, 29), money("2450.00"))


def cedar_story(a: Account, v: Voice, y: int, m: int) -> None:
    sales = st.ordinary_month(a, v, y, m, invoices=10, payments=3)
    st.returned_goods(a, D(y, m, 16), money("642.50"), "RMA-5567 returned goods", "LB-4471")
    st.duplicate_invoice(a, sales[2], "Invoice")
    st.promotion_netted(a, v, D(y, m, 11), money("180.00"))
    st.payment(a, v, D(y, m, 23), money("1120.00"), note="(duplicate)", tags=("duplicate", "payment"))


def dunmore_story(a: Account, v: Voice, y: int, m: int) -> None:
    sales = st.ordinary_month(a, v, y, m, invoices=62, payments=14, last=24)
    st.rate_difference(a, v, D(y, m, 8), say_price=False)
    st.freight_charge_missing(a, D(y, m, 12), money("145.00"), str(sales[0].doc))
    st.service_missing(a, D(y, m, 15), money("1850.00"), "Installation conveyor line 2")
    st.invoice_after_cutoff(a, D(y, m, 28), money("3120.40"), "24 x Gear motor 0.75kW")
    st.invoice_paid_in_parts(a, v, (D(y, m, 10), D(y, m, 20)), sales[1])
    st.matched_charge(a, "credit_note", D(y, m, 21), money("-4.37"), "Small balance write off",
                      "Small bal w/off {ref}", ("credit_note", "write_off"))


def elbe_story(a: Account, v: Voice, y: int, m: int) -> None:
    sales = st.ordinary_month(a, v, y, m, invoices=10, payments=3)
    st.interest_charge(a, D(y, m, 30), money("64.80"), "overdue Aug")
    st.dispute_deduction(a, D(y, m, 21), money("275.00"),
                         f"Ret. dmgd goods claim 7781 inv {sales[3].printed}",
                         ("adjustment", "damaged", "dispute"), "BL-5512")
    st.transposed_invoice(a, v, D(y, m, 13), money("1254.60"), money("1524.60"))


def fjord_story(a: Account, v: Voice, y: int, m: int) -> None:
    sales = st.ordinary_month(a, v, y, m, invoices=13, payments=2)
    st.returned_goods(a, D(y, m, 18), money("1320.00"), "Debit note RMA-6120 returned goods", "DN-3391")
    st.promotion_deduction(a, D(y, m, 23), "Co-op advertising Q3 2%", money("390.00"),
                           ("adjustment", "promotion"), "DN-3398")
    st.payment_in_transit(a, v, D(y, m, 29), money("4100.00"))
    st.payment_for_several(a, v, D(y, m, 25), sales[1:3], ledger_split=False)


def granite_story(a: Account, v: Voice, y: int, m: int) -> None:
    sales = st.ordinary_month(a, v, y, m, invoices=8, payments=3)
    st.service_rejected(a, v, D(y, m, 10), money("960.00"), "Maintenance visit Aug", "ADJ-1182")
    st.freight_deducted(a, D(y, m, 20), money("118.75"), "ADJ-1190", sales[0].printed)


def harbor_story(a: Account, v: Voice, y: int, m: int) -> None:
    sales = st.ordinary_month(a, v, y, m, invoices=9, payments=3)
    st.rate_difference(a, v, D(y, m, 6), say_price=False)
    st.duplicate_invoice(a, sales[4], "Invoice")
    st.matched_charge(a, "credit_note", D(y, m, 15), money("-36.20"), "VAT correction",
                      "VAT adj CN {ref}", ("credit_note", "tax"))


def isar_story(a: Account, v: Voice, y: int, m: int) -> None:
    sales = st.ordinary_month(a, v, y, m, invoices=8, payments=3)
    st.dispute_deduction(a, D(y, m, 19), money("410.00"), f"short pd - disputed inv {sales[1].printed}",
                         ("adjustment", "dispute", "short_payment"), "KZ-2209")
    st.interest_charge(a, D(y, m, 31), money("52.30"), "Jul")
    st.matched_charge(a, "credit_note", D(y, m, 12), money("-300.00"), "Rebate H1",
                      "Rebate H1 CN {ref}", ("credit_note", "rebate"))


def juniper_story(a: Account, v: Voice, y: int, m: int) -> None:
    st.ordinary_month(a, v, y, m, invoices=9, payments=3)
    st.returned_goods(a, D(y, m, 14), money("236.00"), "Ret. RMA-5567 dmgd", "DM-1045",
                      ("damaged", "debit_note", "return"))
    st.invoice_after_cutoff(a, D(y, m, 30), money("1768.00"), "40 x Proximity sensor M12 PNP")
    st.matched_charge(a, "credit_note", D(y, m, 9), money("-58.14"), "Early payment discount 2%",
                      "Early pay discount 2% {ref}", ("credit_note", "discount"))


def kestrel_story(a: Account, v: Voice, y: int, m: int) -> None:
    st.ordinary_month(a, v, y, m, invoices=26, payments=8)
    st.promotion_deduction(a, D(y, m, 15), "Rebate Q2 volume", money("720.00"), ("adjustment", "rebate"),
                           "CM-8812")
    st.transposed_invoice(a, v, D(y, m, 9), money("3871.20"), money("3781.20"))
    st.service_missing(a, D(y, m, 22), money("640.00"), "Preventive maintenance Sep")


def lumen_story(a: Account, v: Voice, y: int, m: int) -> None:
    st.ordinary_month(a, v, y, m, invoices=10, payments=3)
    st.rate_difference(a, v, D(y, m, 7), say_price=True)
    st.freight_excluded(a, v, D(y, m, 16), money("64.00"))
    st.dispute_deduction(a, D(y, m, 24), money("188.40"), "Damaged in transit - claim CL-2231 pending",
                         ("adjustment", "damaged", "dispute"), "CLM-2231")
    st.matched_charge(a, "debit_note", D(y, m, 5), money("42.75"), "Late payment interest Jul",
                      "Int. on overdue {ref}", ("debit_note", "interest_penalty"))


# --- the samples ----------------------------------------------------------------------------------

SIGNED = (("Amount", "amount", 70, "right"), ("Balance", "balance", 70, "right"))


def party(name: str, account: str, address: tuple[str, ...], currency: str, day: dt.date,
          opening: str) -> Party:
    return Party(name, account, address, currency, day, Decimal(opening))


SAMPLES: tuple[Sample, ...] = (
    Sample(
        "acme", 2026, 9,
        party("Acme Industrial Supply Ltd", "C10045", ("14 Dockside Road", "Hull HU1 2AB"), "GBP",
              D(2026, 9, 30), "18240.55"),
        PrintSpec("pdf", (("Date", "date", 55, "left"), ("Ref", "ref", 65, "left"),
                          ("Description", "desc", 190, "left"), *SIGNED),
                  dates="dmy_slash", amounts="us:minus", style="grid", title="SUPPLIER STATEMENT",
                  header=(("Supplier:", "=Northwind Components Ltd"), ("Our account no:", "account"),
                          ("Statement date:", "date"), ("Currency:", "currency"),
                          ("Opening balance:", "opening")),
                  footer=(("Closing balance", "closing"),), carry_key="balance",
                  first_page_lines=30, lines_per_page=44),
        SAP, "zeros", False,
        Voice(("Inv {ref}", "Invoice {ref} {item}", "{ref} {qty} x {item}, PO {po} delivered complete"),
              "BACS payment {pay}", "BP", "", "none"),
        acme_story, "sap_fbl5n", "csv"),
    Sample(
        "borealis", 2026, 9,
        party("Borealis Foods Inc.", "US-2207", ("2200 Lakeshore Blvd", "Duluth, MN 55802"), "USD",
              D(2026, 9, 30), "9875.20"),
        PrintSpec("pdf", (("Date", "date", 55, "left"), ("Invoice No", "ref", 60, "left"),
                          ("Description", "desc", 200, "left"), *SIGNED),
                  dates="mdy_slash", amounts="us:paren", symbol="$", style="underline", page="LETTER",
                  title="Vendor Statement",
                  header=(("Vendor ID", "=V-0981 Northwind Components"), ("Customer no.", "account"),
                          ("As of", "date"), ("Currency", "currency"), ("Beginning balance", "opening")),
                  footer=(("Ending balance", "closing"),)),
        QUICKBOOKS, "as_is", False,
        Voice(("Invoice {ref}", "Inv {ref} - {item}", "{item} PO {po}"),
              "Check payment {pay}", "CHK", "", "none"),
        borealis_story, "quickbooks", "csv"),
    Sample(
        "cedar", 2026, 9,
        party("Cedar & Vine SARL", "FR-3318", ("12 rue des Tanneurs", "69002 Lyon", "France"), "EUR",
              D(2026, 9, 30), "12650.00"),
        PrintSpec("pdf", (("Posting Date", "date", 60, "left"), ("Document No", "ref", 70, "left"),
                          ("Text", "desc", 180, "left"), ("Amount EUR", "amount", 70, "right"),
                          ("Balance", "balance", 70, "right")),
                  dates="dmy_slash", amounts="eu:minus", style="zebra", header_at="strip",
                  title="Account Statement",
                  header=(("Account", "account"), ("Date", "date"), ("Currency", "currency"),
                          ("Opening balance", "opening"), ("Closing balance", "closing"))),
        SAP, "digits", False,
        Voice(("Facture {ref}", "Inv {ref} {item}", "{ref} - {qty} x {item}"),
              "Virement {pay}", "VIR-", "BC-", "none"),
        cedar_story, "sap_fbl5n_de", "csv"),
    Sample(
        "dunmore", 2026, 9,
        party("Dunmore Engineering Ltd", "C20117", ("Mill Lane Works", "Sheffield S3 8RT"), "GBP",
              D(2026, 9, 25), "24780.10"),
        PrintSpec("pdf", (("Date", "date", 62, "left"), ("Type", "type", 30, "left"),
                          ("Document No", "ref", 72, "left"), ("Particulars", "desc", 190, "left"),
                          ("Debit", "debit", 62, "right"), ("Credit", "credit", 62, "right"),
                          ("Balance", "balance", 72, "right")),
                  dates="d_mon_y", amounts="us:minus", balances="us:cr", style="erp", font="mono",
                  size=7.5, opening_row="Opening balance", issued_by_customer=False,
                  title="STATEMENT OF ACCOUNT",
                  header=(("Account No.", "account"), ("Statement Date", "date"), ("Currency", "currency")),
                  notes=("Balance confirmation returned by the customer: items as booked in their records.",),
                  footer=(("Balance due", "closing"),), page_subtotal=("debit", "credit"),
                  carry_key="balance", first_page_lines=34, lines_per_page=42),
        GENERIC, "as_is", False,
        Voice(("{item}", "{qty} x {item}", "Goods {item} PO {po}"),
              "Payment recd {pay}", "BACS ", "", "none"),
        dunmore_story, "generic", "xlsx"),
    Sample(
        "elbe", 2026, 9,
        party("Elbe Logistik GmbH", "DE-4410", ("Hafenstrasse 21", "20457 Hamburg", "Germany"), "EUR",
              D(2026, 9, 30), "15320.40"),
        PrintSpec("pdf", (("Doc Date", "date", 55, "left"), ("Document No", "their_ref", 62, "left"),
                          ("Your Ref", "our_ref", 55, "left"), ("Details", "desc", 165, "left"),
                          ("Debit", "debit", 58, "right"), ("Credit", "credit", 58, "right"),
                          ("Balance", "balance", 70, "right")),
                  dates="dmy_dot", amounts="eu_space:minus", balances="eu_space:cr", payables=True,
                  style="underline", font="serif", title="Vendor Account Statement",
                  type_names={"invoice": "Invoice", "credit_note": "Credit memo",
                              "debit_note": "Debit memo", "payment": "Payment", "adjustment": "Adj."},
                  header=(("Vendor no.:", "=K-70012"), ("Your customer no.:", "account"),
                          ("Statement date:", "date"), ("Currency:", "currency"),
                          ("Opening balance:", "opening")),
                  footer=(("Balance due to Northwind Components Ltd", "closing"),)),
        BUSINESS_CENTRAL, "digits", True,
        Voice(("Rechnung {ref}", "Invoice {ref} {item}", "{qty} x {item}"),
              "Zahlung {pay}", "ZV-", "BE-", "voucher", "ER-"),
        elbe_story, "business_central", "xlsx"),
    Sample(
        "fjord", 2026, 9,
        party("Fjord Marine AS", "NO-5120", ("Bryggen 7", "5003 Bergen", "Norway"), "USD",
              D(2026, 9, 30), "21004.00"),
        PrintSpec("pdf", (("Date", "date", 55, "left"), ("Voucher", "their_ref", 60, "left"),
                          ("Invoice No", "our_ref", 55, "left"), ("Text", "desc", 175, "left"),
                          ("Amount", "amount", 75, "right"), ("Balance", "balance", 80, "right")),
                  dates="dmy_slash", amounts="us:trailing", symbol="USD ", payables=True, style="zebra",
                  title="Supplier Ledger - Account Statement",
                  header=(("Supplier", "=Northwind Components Ltd (70455)"), ("Customer account", "account"),
                          ("Period end", "date"), ("Currency", "currency"), ("Balance b/f", "opening")),
                  footer=(("Balance due to Northwind Components Ltd", "closing"),)),
        NETSUITE, "as_is", True,
        Voice(("Invoice {ref}", "{item} inv {ref}", "Purchase {qty} x {item}"),
              "Payment {pay}", "PAY-", "PO-", "voucher", "LV-"),
        fjord_story, "netsuite", "csv"),
    Sample(
        "granite", 2026, 9,
        party("Granite Construction Supply LLC", "US-3391", ("800 Quarry Rd", "Barre, VT 05641"), "USD",
              D(2026, 9, 30), "7420.00"),
        PrintSpec("xlsx", (("Date", "date", 60, "left"), ("Invoice #", "ref", 55, "left"),
                          ("Description", "desc", 180, "left"), ("Charges", "debit", 60, "right"),
                          ("Payments/Credits", "credit", 70, "right"), ("Balance", "balance", 60, "right")),
                  dates="mdy_slash", numeric=True, title="Statement of Account - Northwind Components",
                  header=(("Customer", "name"), ("Account", "account"), ("Statement date", "date"),
                          ("Currency", "currency"), ("Opening balance", "opening")),
                  footer=(("Total due", "closing"),)),
        NETSUITE, "digits", False,
        Voice(("Invoice {ref}", "{item}", "INV {ref} PO {po}"), "ACH payment {pay}", "ACH-", "", "none"),
        granite_story, "netsuite", "xlsx"),
    Sample(
        "harbor", 2026, 9,
        party("Harbor Hospitality Group plc", "C30552", ("Quay House, 3 Marina Way", "Southampton SO14 3QT"),
              "GBP", D(2026, 9, 30), "5310.75"),
        PrintSpec("xlsx", (("Posting Date", "date", 60, "left"), ("Ref", "ref", 50, "left"),
                          ("Particulars", "desc", 170, "left"), ("Amount (GBP)", "amount", 60, "right"),
                          ("Balance", "balance", 60, "right")),
                  dates="dmy_slash", amounts="us:paren", title="Supplier account - Northwind Components Ltd",
                  header=(("Customer", "name"), ("Account ref", "account"), ("Statement date", "date"),
                          ("Currency", "currency"), ("Opening balance", "opening")),
                  footer=(("Closing balance", "closing"),)),
        XERO, "compact", False,
        Voice(("Inv {ref}", "{ref} {item}", "{qty} {item}"), "Faster pmt {pay}", "FP-", "PO", "none"),
        harbor_story, "xero", "csv"),
    Sample(
        "isar", 2026, 8,
        party("Isar Kliniken AG", "DE-5071", ("Leopoldstrasse 40", "80802 Muenchen", "Germany"), "EUR",
              D(2026, 8, 31), "8890.60"),
        PrintSpec("csv", (("Date", "date", 0, ""), ("Document No", "ref", 0, ""),
                          ("Description", "desc", 0, ""), ("Amount", "amount", 0, ""),
                          ("Balance", "balance", 0, "")),
                  dates="dmy_dot", amounts="eu:minus", delimiter=";", encoding="utf-8-sig",
                  opening_row="Opening balance", title="Kontoauszug / Statement of account",
                  header=(("Customer", "name"), ("Account", "account"), ("Statement date", "date"),
                          ("Currency", "currency"), ("Opening balance", "opening")),
                  footer=(("Closing balance", "closing"),)),
        BUSINESS_CENTRAL, "digits", False,
        Voice(("Rechnung {ref}", "Inv {ref} {item}", "{item}"), "Ueberweisung {pay}", "UEB-", "BE-", "none"),
        isar_story, "business_central", "csv"),
    Sample(
        "juniper", 2026, 10,
        party("Juniper Outdoor Inc.", "US-4180", ("55 Cascade Ave", "Bend, OR 97701"), "USD",
              D(2026, 10, 27), "11234.90"),
        PrintSpec("csv", (("Date", "date", 0, ""), ("Type", "type", 0, ""), ("Num", "ref", 0, ""),
                          ("Memo", "desc", 0, ""), ("Amount", "amount", 0, "")),
                  dates="mdy_slash", amounts="us:minus",
                  type_names={"invoice": "Bill", "credit_note": "Vendor Credit",
                              "debit_note": "Vendor Credit", "payment": "Bill Payment",
                              "adjustment": "Journal"},
                  title="Vendor Balance Detail - Northwind Components",
                  header=(("Customer", "name"), ("Account #", "account"), ("Through", "date"),
                          ("Currency", "currency"), ("Beginning balance", "opening")),
                  footer=(("Total Northwind Components", "closing"),)),
        QUICKBOOKS, "as_is", False,
        Voice(("Inv {ref}", "{item}", "{qty} x {item} PO {po}"), "Check {pay}", "CK", "", "none"),
        juniper_story, "quickbooks", "xlsx"),
    Sample(
        "kestrel", 2026, 9,
        party("Kestrel Aviation Services", "US-5562", ("Hangar 9, Boeing Field", "Seattle, WA 98108"), "USD",
              D(2026, 9, 30), "31800.00"),
        PrintSpec("pdf", (("Date", "date", 55, "left"), ("Our Ref", "our_ref", 62, "left"),
                          ("Your Ref", "their_ref", 55, "left"), ("Description", "desc", 170, "left"),
                          ("Amount", "amount", 75, "right"), ("Balance", "balance", 80, "right")),
                  dates="iso", amounts="us:cr", style="grid", issued_by_customer=False,
                  title="Statement", header_at="strip",
                  header=(("Customer", "name"), ("Account", "account"), ("Date", "date"),
                          ("Currency", "currency"), ("Balance forward", "opening")),
                  notes=("Returned by customer with their open items; amounts as booked by the customer.",),
                  footer=(("Amount due", "closing"),), page_subtotal=("amount",),
                  first_page_lines=28, lines_per_page=44),
        GENERIC, "as_is", True,
        Voice(("{item}", "{qty} x {item}", "{item} - {po}"), "Wire {pay}", "WT", "PO-", "po"),
        kestrel_story, "generic", "csv"),
    Sample(
        "lumen", 2026, 9,
        party("Lumen Electrical Wholesale Ltd", "C40913", ("Unit 12, Canal Street", "Manchester M1 3HE"),
              "GBP", D(2026, 9, 30), "6055.30"),
        PrintSpec("pdf", (("Date", "date", 62, "left"), ("Invoice No", "ref", 55, "left"),
                          ("Details", "desc", 175, "left"), ("Amount", "amount", 70, "right"),
                          ("Balance", "balance", 70, "right")),
                  dates="mon_d_y", amounts="us:minus", symbol="£", style="underline", header_at="left",
                  title="Statement of Account",
                  header=(("Account number:", "account"), ("Statement date:", "date"),
                          ("Currency:", "currency"), ("Balance brought forward:", "opening")),
                  footer=(("Balance outstanding", "closing"),)),
        XERO, "spaced", False,
        Voice(("{ref} - {qty} pcs {item}, PO {po}, delivered to Manchester depot as per order",
               "{ref} {item} (PO {po}, partial delivery 2 of 3)", "{ref} {item}"),
              "Bank transfer {pay}", "BT-", "", "none"),
        lumen_story, "xero", "xlsx"),
)

"""Deterministic demo data: two organisations, contacts and invoice history.

Everything derives from ``random.Random(seed)`` so a given ``--seed`` and
``--contacts`` always produce the same ids, names and amounts (dates are
relative to today, so "overdue" stays overdue).  Invoices go through the same
arithmetic as the API (``invoice_rules.compute_lines``), which keeps contact
balances consistent with the invoices they come from.
"""
import datetime as dt
import hashlib
import random
import uuid
from decimal import Decimal

from . import xero_json
from .accounting import branding, contacts, credit_notes, items, quotes, settings, tracking
from .accounting.invoice_rules import commit, compute_lines, next_invoice_number
from .accounting.payments import add_payment
from .store import DEMO_ORG_NAME, SECOND_ORG_NAME, Org

_ADJ = ("Acme", "Bright", "Blue", "Golden", "Silver", "Rapid", "Green", "North", "Summit",
        "Pioneer", "Harbor", "Crystal", "Maple", "Cedar", "Iron", "Coastal", "Evergreen",
        "Lunar", "Solar", "Urban", "Prime", "Royal", "Swift", "Atlas", "Nova", "Alpine",
        "Granite", "Vivid", "Oak", "Delta", "Echo", "Falcon", "Horizon", "Keystone",
        "Liberty", "Metro", "Orchid", "Quantum", "Ridge", "Sterling")
_NOUN = ("Systems", "Traders", "Foods", "Logistics", "Studios", "Consulting", "Builders",
         "Labs", "Outfitters", "Media", "Energy", "Designs", "Farms", "Motors", "Health",
         "Analytics", "Supplies", "Partners", "Ventures", "Works", "Textiles", "Robotics",
         "Coffee", "Printing", "Travel", "Electric", "Marine", "Pharma", "Software",
         "Furniture", "Bakery", "Garden", "Optics", "Plastics", "Audio", "Security",
         "Cleaning", "Events", "Finance", "Freight")
_SUFFIX = ("Ltd", "Inc", "LLC", "Co", "Group", "& Sons", "Corp", "Holdings")
_FIRST = ("Anna", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hiro", "Isla", "Jack",
          "Kara", "Liam", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sam", "Tara")
_LAST = ("Smith", "Jones", "Garcia", "Chen", "Patel", "Müller", "Rossi", "Dubois", "Kim",
         "Silva", "Novak", "Brown", "Wilson", "Khan", "Nguyen", "Cohen", "Lopez", "Berg")
_CITIES = (("Oaktown", "CA", "94100", "United States"), ("Springfield", "IL", "62701",
           "United States"), ("London", "", "EC1A 1BB", "United Kingdom"),
           ("Berlin", "", "10115", "Germany"), ("Austin", "TX", "73301", "United States"))


def build_orgs(contact_count, seed):
    demo = _settings(Org(DEMO_ORG_NAME, "!dEm0C", "USD", "US", ["USD", "EUR", "GBP"]))
    second = _settings(Org(SECOND_ORG_NAME, "!s3C0n", "GBP", "GB", ["GBP", "EUR"]))
    _populate(demo, contact_count, "%s-demo" % seed)
    _populate(second, 6, "%s-second" % seed)
    # Quotes in the demo organisation only, from a stream of their own: the
    # contacts and invoices of a given seed stay exactly as they were.
    today = xero_json.now().date()
    quotes.seed(demo, random.Random("%s-demo-quotes" % seed), today, _latest(today))
    return [demo, second]


def build_extra_org(name, contact_count, seed):
    """One more organisation (benchmarks): like the demo one, its own data."""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
    org = _settings(Org(name, "!" + digest[:5], "USD", "US", ["USD", "EUR", "GBP"]))
    _populate(org, contact_count, "%s-%s" % (seed, name))
    return org


def _settings(org):
    created = dt.datetime(2020, 1, 1, tzinfo=xero_json.UTC)
    org.organisation = settings.build_organisation(org, org.country_code, created)
    org.accounts = settings.build_accounts(org.tenant_id, org.country_code, created)
    org.tax_rates = settings.build_tax_rates(org.country_code)
    org.currencies = [{"Code": c, "Description": settings.CURRENCY_NAMES[c]}
                      for c in org.enabled_currencies]
    org.items = items.build_items(org, created)
    org.tracking = tracking.build_categories(org)
    org.branding_themes = branding.build_themes(org)
    return org


def _uuid(rnd):
    return str(uuid.UUID(int=rnd.getrandbits(128), version=4))


def _populate(org, count, seed_text):
    rnd = random.Random(seed_text)
    now = xero_json.now()
    today = now.date()
    for index in range(count):
        record = _contact(org, index, rnd, now)
        archived = record["ContactStatus"] == "ARCHIVED"
        for _ in range(rnd.choice((0, 1, 2, 2, 3, 3, 4, 5))):
            _invoice(org, record["ContactID"], rnd, today, archived, "ACCREC")
        if rnd.random() < 0.15:
            _invoice(org, record["ContactID"], rnd, today, archived, "ACCPAY")
    # Its own random stream: adding credit notes left the contacts and
    # invoices of a given seed exactly as they were.
    credit_notes.seed(org, random.Random(seed_text + "-credit"), today, _latest(today))


def _contact(org, index, rnd, now):
    first, last = rnd.choice(_FIRST), rnd.choice(_LAST)
    if rnd.random() < 0.2:
        name = "%s %s" % (first, last)
    else:
        name = "%s %s %s" % (rnd.choice(_ADJ), rnd.choice(_NOUN), rnd.choice(_SUFFIX))
    base, n = name, 1
    while name.lower() in org.contact_names:
        n += 1
        name = "%s %d" % (base, n)
    slug = "".join(ch for ch in base.lower() if ch.isalnum())[:20] or "example"
    city, region, postcode, country = rnd.choice(_CITIES)
    data = {
        "ContactID": _uuid(rnd), "Name": name, "FirstName": first, "LastName": last,
        "EmailAddress": "%s.%s@%s.example.com" % (first.lower(), last.lower()
                                                  .replace("ü", "u"), slug),
        "CompanyNumber": "", "TaxNumber": "", "BankAccountDetails": "",
        "Addresses": [
            {"AddressType": "POBOX", "AddressLine1": "PO Box %d" % rnd.randint(10, 9999),
             "City": city, "Region": region, "PostalCode": postcode, "Country": country},
            {"AddressType": "STREET", "AddressLine1": "%d %s Street" % (
                rnd.randint(1, 400), rnd.choice(_LAST)), "City": city, "Region": region,
             "PostalCode": postcode, "Country": country}],
        "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "%03d-%04d" % (
            rnd.randint(200, 999), rnd.randint(0, 9999)), "PhoneAreaCode": "%03d" %
            rnd.randint(200, 999), "PhoneCountryCode": "1"}],
        "ContactPersons": [
            {"FirstName": rnd.choice(_FIRST), "LastName": rnd.choice(_LAST),
             "EmailAddress": "contact%d.%d@%s.example.com" % (index, p, slug),
             "IncludeInEmails": p == 0} for p in range(rnd.choice((0, 0, 1, 2)))],
    }
    if rnd.random() < 0.5:
        data["AccountNumber"] = "CUS-%05d" % (index + 1)
    if rnd.random() < 0.3:
        data["ContactNumber"] = "XC-%05d" % (index + 1)
    if rnd.random() < 0.3:
        data["Phones"].append({"PhoneType": "MOBILE", "PhoneNumber": "555-%04d" %
                               rnd.randint(0, 9999), "PhoneAreaCode": "", "PhoneCountryCode": "1"})
    if index % 33 == 7:
        data["ContactStatus"] = "ARCHIVED"
    updated = now - dt.timedelta(days=rnd.randint(1, 700), seconds=rnd.randint(0, 86399))
    return contacts.apply(org, data, when=updated)


def _invoice(org, contact_id, rnd, today, archived, invoice_type):
    if invoice_type == "ACCPAY":
        kind = rnd.choice(("PAID", "AUTHORISED", "AUTHORISED"))
    elif archived:
        kind = rnd.choice(("PAID", "PAID", "VOIDED"))
    else:
        kind = rnd.choices(("PAID", "AUTHORISED", "OVERDUE", "DRAFT", "VOIDED", "PARTIAL"),
                           (40, 20, 15, 10, 5, 10))[0]
    age = {"PAID": (35, 500), "AUTHORISED": (0, 20), "OVERDUE": (45, 150),
           "DRAFT": (0, 10), "VOIDED": (30, 300), "PARTIAL": (0, 60)}[kind]
    date = today - dt.timedelta(days=rnd.randint(*age))
    amount_types = rnd.choices(("Exclusive", "Inclusive", "NoTax"), (80, 15, 5))[0]
    codes = ("200", "260") if invoice_type == "ACCREC" else ("310", "429")
    lines = [{"Description": "%s services" % rnd.choice(_NOUN),
              "Quantity": rnd.randint(1, 10), "UnitAmount": Decimal(rnd.randint(40, 1000)) / 2,
              "AccountCode": rnd.choice(codes)} for _ in range(rnd.randint(1, 3))]
    errors = []
    items, subtotal, tax = compute_lines(org, lines, amount_types, invoice_type, errors, True)
    assert not errors, errors
    invoice = {
        "InvoiceID": _uuid(rnd), "Type": invoice_type, "ContactID": contact_id,
        "Status": "AUTHORISED" if kind in ("PAID", "OVERDUE", "PARTIAL") else kind,
        "LineItems": items, "LineAmountTypes": amount_types,
        "CurrencyCode": org.base_currency, "CurrencyRate": Decimal(1),
        "Reference": "PO-%d" % rnd.randint(1000, 9999) if rnd.random() < 0.5 else "",
        "SubTotal": subtotal, "TotalTax": tax, "Total": subtotal + tax,
        "AmountDue": subtotal + tax, "AmountPaid": Decimal(0), "AmountCredited": Decimal(0),
        "Payments": [], "CreditAllocations": [], "SentToContact": kind != "DRAFT", "Date": date,
        "BrandingThemeID": branding.default_theme_id(org),
        "DueDate": date + dt.timedelta(days=30), "FullyPaidOnDate": None,
        "InvoiceNumber": next_invoice_number(org) if invoice_type == "ACCREC"
        else "BILL-%d" % rnd.randint(1000, 99999),
    }
    latest = _latest(today)
    if kind in ("PAID", "PARTIAL"):
        paid_on = date + dt.timedelta(days=rnd.randint(1, 30) if kind == "PAID" else 1)
        amount = invoice["Total"] if kind == "PAID" else invoice["Total"] / 2
        add_payment(org, invoice, amount, paid_on, when=_noon(paid_on, latest))
    when = _noon(invoice["Payments"][-1]["Date"] if invoice["Payments"] else date, latest)
    commit(org, invoice, when=when)


def _latest(today):
    """Never in the future: If-Modified-Since syncs must not see seed data as new."""
    return dt.datetime.combine(today, dt.time(0), xero_json.UTC) - dt.timedelta(hours=1)


def _noon(day, latest):
    return min(dt.datetime.combine(day, dt.time(12), xero_json.UTC), latest)

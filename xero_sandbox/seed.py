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
import unicodedata
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
# Real books: people and places beyond ASCII, regions written as names or as
# codes (some no Odoo state matches: Bavaria, Greater London), countries as
# names or codes, and each country's phone code with an area code.
_FIRST_WORLD = ("Zoë", "José", "Hélène", "Björn", "Ümit", "François", "Chloé", "Iñaki")
_PLACES_WORLD = (("München", "Bavaria", "80331", "Germany", "89", "Königstraße"),
                 ("Zürich", "ZH", "8001", "Switzerland", "44", "Bahnhofstrasse"),
                 ("São Paulo", "SP", "01310-100", "Brazil", "11", "Rua Augusta"),
                 ("Malmö", "", "211 20", "Sweden", "40", "Östra Förstadsgatan"),
                 ("London", "Greater London", "EC1A 1BB", "United Kingdom", "20",
                  "Saint Martin's Le-Grand"),
                 ("Newark", "New Jersey", "07102", "US", "973", "Ferry Street"),
                 ("Montréal", "QC", "H2Y 1C6", "Canada", "514", "Rue de l'Église"))
_COUNTRY_CODES = {"United States": "1", "US": "1", "United Kingdom": "44", "Germany": "49",
                  "Switzerland": "41", "Brazil": "55", "Sweden": "46", "Canada": "1"}


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
    # Its own random stream for what makes the books real (phones of every
    # type, places, non-ASCII names): the main stream's contacts, invoices and
    # amounts stay exactly as they were for a given seed.
    books = random.Random(seed_text + "-books")
    now = xero_json.now()
    today = now.date()
    for index in range(count):
        record = _contact(org, index, rnd, now, books)
        archived = record["ContactStatus"] == "ARCHIVED"
        for _ in range(rnd.choice((0, 1, 2, 2, 3, 3, 4, 5))):
            _invoice(org, record["ContactID"], rnd, today, archived, "ACCREC")
        if rnd.random() < 0.15:
            _invoice(org, record["ContactID"], rnd, today, archived, "ACCPAY")
    # Its own random stream: adding credit notes left the contacts and
    # invoices of a given seed exactly as they were.
    credit_notes.seed(org, random.Random(seed_text + "-credit"), today, _latest(today))


def _contact(org, index, rnd, now, books):
    first, last = rnd.choice(_FIRST), rnd.choice(_LAST)
    first = books.choice(_FIRST_WORLD) if books.random() < 0.25 else first
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
        "EmailAddress": "%s.%s@%s.example.com" % (_ascii(first), _ascii(last), slug),
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
    _real_books(data, slug, books)
    updated = now - dt.timedelta(days=rnd.randint(1, 700), seconds=rnd.randint(0, 86399))
    return contacts.apply(org, data, when=updated)


def _ascii(text):
    """An email's part of a name: Xero takes no umlauts in emails."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum()) or "x"


def _real_books(data, slug, books):
    """What an organisation's contacts hold in real books, drawn from the
    ``books`` stream: places around the world, every phone type with its
    country and area codes, an address line 2, a postal address of its own,
    the same as the street, or none, persons with non-ASCII names, a tax
    number and a website."""
    street, postal = data["Addresses"][1], data["Addresses"][0]
    area = data["Phones"][0]["PhoneAreaCode"]
    if books.random() < 0.3:
        city, region, postcode, country, area, road = books.choice(_PLACES_WORLD)
        line = "%s %d" % (road, books.randint(1, 120))
        for address in (street, postal):
            address.update(City=city, Region=region, PostalCode=postcode, Country=country)
        street["AddressLine1"] = line
    if books.random() < 0.2:
        street["AddressLine2"] = "Suite %d" % books.randint(2, 40)
    if books.random() < 0.2:
        postal["AttentionTo"] = "Accounts payable"
    shape = books.random()
    if shape < 0.15:   # no postal address of its own: the street's again
        data["Addresses"][0] = dict(street, AddressType="POBOX")
    elif shape < 0.25:  # none at all
        del data["Addresses"][0]
    country = _COUNTRY_CODES.get(street["Country"], "1")
    phones = {phone["PhoneType"]: phone for phone in data["Phones"]}
    for kind, odds in (("DDI", 0.4), ("MOBILE", 0.3), ("FAX", 0.25)):
        if kind not in phones and books.random() < odds:
            phones[kind] = {"PhoneType": kind, "PhoneNumber": "%03d-%04d" % (
                books.randint(200, 999), books.randint(0, 9999))}
    for kind, phone in phones.items():
        phone.update(PhoneCountryCode=country,
                     PhoneAreaCode=area if kind != "MOBILE" else "%d" % books.randint(20, 99))
    data["Phones"] = list(phones.values())
    for person in data["ContactPersons"]:
        if books.random() < 0.25:
            person["FirstName"] = books.choice(_FIRST_WORLD)
    if books.random() < 0.3:
        data["TaxNumber"] = "TX-%06d" % books.randint(0, 999999)
    if books.random() < 0.3:
        data["Website"] = "https://www.%s.example.com" % slug


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

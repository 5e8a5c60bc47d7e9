"""Round trip, as a property: Xero contacts generated from the spec's Contact
schema are imported, then Updated to Xero, over real HTTP (the addon's
gateway, xero-python, the sandbox).  With no change in Odoo nothing is sent
and Xero is as it was; with one field changed in Odoo, only that field
changes in Xero.  Each side is compared field by field with the other.

Hypothesis draws the contacts; a fixed number of examples, derandomized (the
same examples on every run), no shrinking: it stays well under a minute and
never flakes.
"""
import functools
import itertools
from pathlib import Path

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from ..xero import contacts as xero_contacts
from ..xero.pacing import DEFAULT_PACER
from .common import SandboxClient
from .test_accounts import XeroAccountCase

EXAMPLES = 15
PROPERTY = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                    phases=(Phase.explicit, Phase.generate), print_blob=False,
                    suppress_health_check=list(HealthCheck))


@functools.lru_cache(maxsize=None)
def _spec():
    path = Path(SandboxClient().spec()["spec"])   # the spec the sandbox checks against
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def spec_schema(name):
    """A schema of Xero's accounting spec (xero_accounting.yaml)."""
    return _spec()["components"]["schemas"][name]


# -- contacts drawn from the spec's Contact schema ----------------------------------------
# What the mapping keeps faithfully: words of letters (non-ASCII too), one
# space apart; phones as country, area and number; places Odoo knows by name
# or by code, and regions it has no state for.
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüßøñçåÆŁżÖ東京"
PLACES = {   # Xero's Country (name or code) -> regions (state name, code, or none in Odoo)
    "United States": ("New Jersey", "NJ", "CA", "Texas"), "US": ("NJ", "Oregon"),
    "New Zealand": ("Auckland", "WGN"), "United Kingdom": ("Greater London",),
    "Germany": ("Bavaria", "Bayern"), "": ("Somewhere",),
}
counter = itertools.count(1)
#: What a salesperson changes in Odoo, one at a time.
CHANGES = ("name", "main_email", "vat", "phone", "ddi", "mobile", "fax", "street", "street2",
           "city", "zip", "state", "billing_city", "person_email", "website")


def _limit(schema, field, wanted):
    return min(wanted, spec_schema(schema)["properties"][field].get("maxLength", wanted))


def words(schema, field, most=3):
    word = st.text(alphabet=LETTERS, min_size=1, max_size=8)
    return st.lists(word, min_size=1, max_size=most).map(" ".join).map(
        lambda text: text[:_limit(schema, field, 40)].strip() or "x")


def emails(number):
    """Unique, as Odoo's import would take two contacts with one email for one."""
    return st.from_regex(r"[a-z]{1,8}\.[a-z]{1,8}", fullmatch=True).map(
        lambda local: "%s%d@mail.example" % (local, number))


@st.composite
def phones(draw):
    kinds = [k for k in spec_schema("Phone")["properties"]["PhoneType"]["enum"] if k != "OFFICE"]
    out = []
    for kind in kinds:
        if draw(st.booleans()):
            out.append({"PhoneType": kind,
                        "PhoneCountryCode": draw(st.sampled_from(["", "1", "44", "64"])),
                        "PhoneAreaCode": draw(st.sampled_from(["", "20", "299", "9"])),
                        "PhoneNumber": draw(st.from_regex(r"[2-9][0-9]{2}[- ][0-9]{4}",
                                                          fullmatch=True))})
    return out


@st.composite
def address(draw, kind):
    country = draw(st.sampled_from(sorted(PLACES)))
    lines = {"AddressType": kind, "AddressLine1": draw(words("Address", "AddressLine1")),
             "City": draw(words("Address", "City", 2)), "Country": country,
             "Region": draw(st.sampled_from(("",) + PLACES[country])),
             "PostalCode": draw(st.from_regex(r"[0-9]{4,5}", fullmatch=True))}
    if draw(st.booleans()):
        lines["AddressLine2"] = draw(words("Address", "AddressLine2"))
    if draw(st.booleans()):
        lines["AttentionTo"] = draw(words("Address", "AttentionTo"))   # Xero's own
    return lines


@st.composite
def contacts(draw):
    """A Xero contact as an accountant makes it: a company with a primary
    person, or an individual; every field the mapping keeps, or not."""
    first, last = draw(words("Contact", "FirstName", 1)), draw(words("Contact", "LastName", 1))
    individual = draw(st.booleans())
    number = next(counter)
    name = ("%s %s%d" % (first, last, number) if individual
            else "%s %d" % (draw(words("Contact", "Name")), number))
    contact = {"Name": name, "EmailAddress": draw(emails(number)), "Phones": draw(phones())}
    if individual:
        contact.update(FirstName=first, LastName="%s%d" % (last, number))
    elif draw(st.booleans()):
        contact.update(FirstName=first, LastName=last)
    for field in ("TaxNumber", "AccountNumber"):
        if draw(st.booleans()):
            contact[field] = "%s-%d" % (field[:3].upper(), number)
    if draw(st.booleans()):
        contact["Website"] = "https://www.site%d.example" % number
    street = draw(address("STREET"))
    postal = draw(st.one_of(address("POBOX"), st.just(dict(street, AddressType="POBOX")),
                            st.none()))
    contact["Addresses"] = [street] + ([postal] if postal else [])
    people = draw(st.lists(st.tuples(words("ContactPerson", "FirstName", 1),
                                     words("ContactPerson", "LastName", 1)),
                           max_size=3, unique_by=lambda p: p[0].casefold()))
    contact["ContactPersons"] = [
        {"FirstName": "%s%d" % (given_name, i), "LastName": family,
         "EmailAddress": "person%d.%d@people.example" % (number, i), "IncludeInEmails": i == 0}
        for i, (given_name, family) in enumerate(people)]
    return contact


# -- what Odoo shows of a Xero contact, and back --------------------------------------------
def shown_phone(phone):
    if not phone.get("PhoneNumber"):
        return False
    parts = ["+" + phone["PhoneCountryCode"] if phone.get("PhoneCountryCode") else "",
             phone.get("PhoneAreaCode"), phone["PhoneNumber"]]
    return " ".join(filter(None, parts))


#: Xero's phone type -> the account's field (the series' mobile field, as the table names it)
PHONE_FIELDS = {"DEFAULT": "phone", "DDI": "xero_ddi",
                "MOBILE": xero_contacts.PARTNER_FIELDS["mobile"], "FAX": "xero_fax"}
SAME = ("AddressLine1", "AddressLine2", "AddressLine3", "AddressLine4", "City", "Region",
        "PostalCode", "Country")


class BothSides:
    """Field by field, what Odoo shows of a Xero contact (a mixin of Odoo test cases)."""

    def place(self, country_text, region_text):
        """(country, state, region kept as text) Odoo should show."""
        def named(records, text):
            return records.filtered(lambda r: text and text.casefold() in (
                r.code.casefold(), r.name.casefold()))[:1]
        country = named(self.env["res.country"].with_context(lang="en_US").search([]),
                        country_text)
        state = named(country.state_ids, region_text)
        return country, state, (region_text or False) if not state else False

    def assert_address(self, partner, address):
        country, state, region = self.place(address.get("Country"), address.get("Region"))
        lines = ", ".join(filter(None, [address.get(k) for k in
                                        ("AddressLine2", "AddressLine3", "AddressLine4")]))
        self.assertEqual(
            (partner.street, partner.street2, partner.city, partner.zip, partner.country_id,
             partner.state_id, partner.xero_region),
            (address.get("AddressLine1") or False, lines or False, address.get("City") or False,
             address.get("PostalCode") or False, country, state, region))

    def assert_odoo_shows(self, partner, contact, imported=False, website=None):
        """Field by field: the Odoo account is the Xero contact.  Xero's one
        email is its primary person's: the main contact's for a company that
        has one (the import gives the account the same).  The website is
        Xero's, unless Odoo changed it (Xero does not take it back)."""
        primary = " ".join(filter(None, [contact.get("FirstName"), contact.get("LastName")]))
        individual = bool(primary) and primary == contact["Name"]
        if imported or individual or not primary:
            self.assertEqual(partner.email, contact.get("EmailAddress") or False)
        self.assertEqual((partner.name, partner.is_company, partner.vat or "",
                          partner.website or "", partner.xero_account_number or ""),
                         (contact["Name"], not individual, contact.get("TaxNumber") or "",
                          website or contact.get("Website") or "",
                          contact.get("AccountNumber") or ""))
        phones = {p["PhoneType"]: p for p in contact.get("Phones") or []}
        for kind, field in PHONE_FIELDS.items():
            self.assertEqual(partner[field], shown_phone(phones.get(kind, {})), kind)
        addresses = {a["AddressType"]: a for a in contact.get("Addresses") or []}
        street, postal = addresses.get("STREET", {}), addresses.get("POBOX", {})
        self.assert_address(partner, street)
        # an archived contact's people are archived with it
        children = partner.with_context(active_test=False).search([("parent_id", "=",
                                                                     partner.id)])
        invoice = children.filtered(lambda c: c.type == "invoice")
        if any(postal.get(k) for k in SAME) and \
                any((postal.get(k) or "") != (street.get(k) or "") for k in SAME):
            self.assertEqual(len(invoice), 1, "Xero's postal address: the invoice address")
            self.assert_address(invoice, postal)
        else:
            self.assertFalse(invoice, "a postal address that is the street's again")
        people = {(c.name, c.email or False) for c in children if c.type != "invoice"}
        expected = {(" ".join([p["FirstName"], p["LastName"]]), p.get("EmailAddress") or False)
                    for p in contact.get("ContactPersons") or []}
        if primary and not individual:
            expected.add((primary, contact.get("EmailAddress") or False))
        self.assertEqual(people, expected)

    @staticmethod
    def comparable(contact):
        return {k: v for k, v in contact.items() if k not in ("History", "UpdatedDateUTC")}

    def update(self, partner, user):
        """Update to Xero, as ``user`` clicks it; the message they see."""
        partner.sudo().user_id = user
        self.env.flush_all()
        self.sandbox.clear_calls()
        result = partner.with_user(user).action_xero_update()
        self.env.invalidate_all()
        return result["params"]["message"]


class RoundTripCase(BothSides, XeroAccountCase):

    def setUp(self):
        super().setUp()
        self.sandbox.reset(contacts=0)   # only the contacts drawn: a full import reads few
        self.xero_connection = self.connect()
        # Hundreds of calls in a minute: Xero's minute limit is not what is tested here
        # (the sandbox's own switch, cleared by the next test's reset; the addon's
        # pacer starts afresh with each example).
        self.sandbox.set_faults(minute_limit=100000)
        self.admin = self.env.ref("base.user_admin")

    def import_contact(self, fields):
        DEFAULT_PACER.reset()
        made = self.sandbox.create_contact(self.tenant, **fields)
        self.env["xero.import.run"]._xero_queue(self.xero_connection, full=True)
        self.env["xero.import.run"]._xero_cron_import()
        self.env.invalidate_all()
        link = self.env["xero.contact.link"].search([("contact_id", "=", made["ContactID"])])
        self.assertTrue(link, "imported")
        made = self.xero_contact(made["ContactID"])
        self.assert_odoo_shows(link.partner_id, made, imported=True)
        return link.partner_id, made


@tagged("post_install", "-at_install", "crm_xero")
class TestRoundTrip(RoundTripCase):

    @PROPERTY
    @given(contact=contacts(), as_admin=st.booleans())
    def test_an_imported_contact_updated_unchanged_sends_nothing(self, contact, as_admin):
        partner, before = self.import_contact(contact)

        message = self.update(partner, self.admin if as_admin else self.salesman)

        self.assertEqual(message, "Xero already has these details: nothing to update.")
        self.assertFalse(self.api_calls("POST /Contacts/{id}"), "nothing sent")
        self.assertEqual(self.xero_contact(before["ContactID"]), before, "Xero unchanged")
        self.assert_odoo_shows(partner, before, imported=True)

    @PROPERTY
    @given(contact=contacts(), changes=st.lists(st.sampled_from(CHANGES), min_size=3,
                                                max_size=5, unique=True),
           as_admin=st.booleans())
    def test_one_field_changed_in_odoo_changes_only_that_field_in_xero(self, contact, changes,
                                                                        as_admin):
        partner, before = self.import_contact(contact)
        website = None
        for change in changes:   # one at a time, each sent before the next
            expected = self.change(partner, before, change)

            message = self.update(partner, self.admin if as_admin else self.salesman)

            after = self.xero_contact(before["ContactID"])
            self.assertEqual(self.comparable(after), self.comparable(expected),
                             "%s: %s" % (change, message))
            if change == "website":
                self.assertIn("Xero does not keep the website", message)
                website = partner.website
            elif self.comparable(expected) != self.comparable(before):
                self.assertTrue(message.startswith("Xero updated: "), message)
            self.assert_odoo_shows(partner, after, website=website)
            before = after

    def change(self, partner, contact, what):
        """Change ``what`` in Odoo; returns the contact Xero should then hold."""
        expected = dict(contact)
        by_type = {p["PhoneType"]: dict(p) for p in contact["Phones"]}
        addresses = {a["AddressType"]: dict(a) for a in contact["Addresses"]}
        if what == "name":
            partner.name = "%s Renamed" % partner.name
            expected["Name"] = partner.name
            if not partner.is_company:
                expected.update(FirstName=partner.name.split(" ", 1)[0],
                                LastName=partner.name.split(" ", 1)[1])
        elif what == "main_email":
            target = partner if not partner.is_company else partner.child_ids.filtered(
                lambda c: c.name == " ".join([contact.get("FirstName") or "",
                                              contact.get("LastName") or ""]).strip())
            target = target or partner   # no primary person: the account's own
            target.email = "changed.%d@new.example" % partner.id
            expected["EmailAddress"] = target.email
        elif what == "vat":
            partner.vat = "NEW-%d" % partner.id
            expected["TaxNumber"] = partner.vat
        elif what in ("phone", "ddi", "mobile", "fax"):
            kind = {"phone": "DEFAULT", "ddi": "DDI", "mobile": "MOBILE", "fax": "FAX"}[what]
            partner[PHONE_FIELDS[kind]] = "+44 20 7946 %04d" % (partner.id % 10000)
            by_type[kind] = {"PhoneType": kind, "PhoneCountryCode": "44", "PhoneAreaCode": "20",
                             "PhoneNumber": "7946 %04d" % (partner.id % 10000)}
            expected["Phones"] = [by_type[p["PhoneType"]] for p in contact["Phones"]]
        elif what in ("street", "street2", "city", "zip", "state", "billing_city"):
            target, kind = (partner.child_ids.filtered(lambda c: c.type == "invoice"), "POBOX") \
                if what == "billing_city" else (partner, "STREET")
            if not target:
                return expected   # no invoice address of its own: nothing to change
            line = self.change_line(target, addresses[kind], what.replace("billing_", ""))
            if addresses["POBOX"] == dict(addresses["STREET"], AddressType="POBOX") and \
                    kind == "STREET":
                addresses["POBOX"].update(line)   # the street's copy moves with it
            addresses[kind].update(line)
            expected["Addresses"] = [addresses[a["AddressType"]] for a in contact["Addresses"]]
        elif what == "person_email":
            person = (partner._xero_contact_persons() - partner._xero_main_person())[:1]
            if not person:
                return expected
            person.email = "moved.%d@people.example" % person.id
            expected["ContactPersons"] = [
                dict(p, EmailAddress=person.email)
                if " ".join([p["FirstName"], p["LastName"]]) == person.name else p
                for p in contact["ContactPersons"]]
        elif what == "website":
            partner.website = "https://changed.example"
        return expected

    def change_line(self, target, address, what):
        """Change one line of ``target``'s address; the Xero lines it becomes."""
        if what == "street":
            target.street = "%s 2" % (target.street or "Street")
            return {"AddressLine1": target.street}
        if what == "street2":
            target.street2 = "Level %d" % target.id
            return {"AddressLine2": target.street2, **{k: "" for k in (
                "AddressLine3", "AddressLine4") if address.get(k)}}
        if what == "city":
            target.city = "Ōtautahi %d" % target.id
            return {"City": target.city}
        if what == "zip":
            target.zip = "Z%d" % target.id
            return {"PostalCode": target.zip}
        # state: another state of the account's country, in Xero's form
        country = target.country_id or self.env.ref("base.us")
        state = self.env["res.country.state"].search(
            [("country_id", "=", country.id), ("id", "!=", target.state_id.id)], limit=1)
        code_form = bool(target.state_id) and address.get("Region", "").casefold() == \
            target.state_id.code.casefold()
        target.write({"state_id": state.id, "country_id": country.id, "xero_region": False})
        line = {"Region": state.code if code_form else state.name}
        if not address.get("Country") or not self.place(address["Country"], "")[0]:
            line["Country"] = country.with_context(lang="en_US").name
        return line

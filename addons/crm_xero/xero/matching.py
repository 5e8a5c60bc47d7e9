"""Finding which Xero contact is which Odoo account (no Odoo import).

Order of evidence, strongest first: the stored link (ContactID), the ledger code
(AccountNumber), our own key (ContactNumber), the exact name, the email. A key
that points at two candidates is a conflict, never a guess.
"""


def _norm(text):
    return " ".join((text or "").split()).casefold()


class ContactIndex:
    """Xero contacts indexed by each kind of evidence."""

    KEYS = ("contact_id", "account_number", "contact_number", "name", "email")

    def __init__(self, contacts=(), label="Xero contacts"):
        # `label` names what is indexed in conflict reasons: the import indexes
        # Odoo accounts (as contact-shaped dicts) to match Xero contacts to them.
        self.label = label
        self.by = {key: {} for key in self.KEYS}
        for contact in contacts:
            self.add(contact)

    def add(self, contact):
        for key, value in (
            ("contact_id", contact.get("ContactID")),
            ("account_number", _norm(contact.get("AccountNumber"))),
            ("contact_number", _norm(contact.get("ContactNumber"))),
            ("name", _norm(contact.get("Name"))),
            ("email", _norm(contact.get("EmailAddress"))),
        ):
            if value:
                self.by[key].setdefault(value, []).append(contact)

    def match(self, contact_id=None, account_number=None, contact_number=None, name=None,
              email=None, keys=KEYS):
        """(contact, how) for the strongest evidence that names exactly one
        contact; (None, "conflict: ...") when the strongest evidence found names
        several; (None, None) when nothing matches."""
        evidence = {"contact_id": contact_id, "account_number": _norm(account_number),
                    "contact_number": _norm(contact_number), "name": _norm(name),
                    "email": _norm(email)}
        for key in keys:
            value = evidence.get(key)
            if not value:
                continue
            found = self.by[key].get(value, [])
            if len(found) == 1:
                return found[0], key
            if len(found) > 1:
                shared = key.replace("_", " ")
                return None, f"conflict: {len(found)} {self.label} share this {shared}"
        return None, None

    def match_contact(self, contact, keys=KEYS):
        """`match()` with the evidence a Xero contact dict carries."""
        return self.match(contact_id=contact.get("ContactID"),
                          account_number=contact.get("AccountNumber"),
                          contact_number=contact.get("ContactNumber"),
                          name=contact.get("Name"), email=contact.get("EmailAddress"), keys=keys)

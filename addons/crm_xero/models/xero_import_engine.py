"""Reading one page of Xero contacts and deciding, then doing, what each becomes.

Decisions (`_xero_plan`), strongest evidence first, as xero/matching.py orders it:
the stored link (ContactID), the ledger code (AccountNumber), our own key
(ContactNumber), the exact name, the email. Each contact is then
- update / unchanged: already linked; changed fields follow xero/import_rules.py;
- link: an existing Odoo account matches: linked, its blanks filled;
- create: a new account (a company, or a person for an individual: a contact
  whose Name is its FirstName LastName) with its people as child contacts
  and Xero's postal address as its invoice address;
- skip: archived (when so chosen) or a conflict, with the reason.
The preview runs the same decisions without writing.
"""
import functools
import logging
from collections import Counter

import psycopg2

from odoo import _, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize

from ..xero import contacts as xero_contacts
from ..xero import import_rules
from ..xero.matching import ContactIndex, _norm
from .xero_import_run import LOG_LIMIT, RETRY_BATCH

_logger = logging.getLogger(__name__)

PAGE_ORDER = "ContactID ASC"   # stable while contacts change during a long import

#: An address as Odoo keeps it (xero/contacts.py's table), with the region
#: Odoo has no state for.
ADDRESS_FIELDS = tuple(xero_contacts.ADDRESS_FIELDS.values()) + ("xero_region",)
#: What the import writes on an account: the table's fields and its address.
SYNCED_PARTNER_FIELDS = tuple(xero_contacts.PARTNER_FIELDS.values()) + ADDRESS_FIELDS
#: Odoo field -> the snapshot key it is (to move the Update baseline by what was written).
FIELD_KEYS = {**{field: key for key, field in xero_contacts.PARTNER_FIELDS.items()},
              **{field: key for key, field in xero_contacts.ADDRESS_FIELDS.items()},
              "xero_region": "state"}
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True,
         "mail_notrack": True, "_partners_skip_fields_sync": True}
RECORD_ERRORS = (psycopg2.Error, ValidationError, UserError, ValueError)


def _lower(text):
    return " ".join((text or "").split()).lower()


def _email(contact):
    """The contact's email as Odoo's email_normalized holds it ("" if none)."""
    return _normalized_email(contact.get("EmailAddress") or "")


@functools.lru_cache(maxsize=4096)
def _normalized_email(address):
    # A page asks twice per contact (the candidates, then the match):
    # email_normalize parses the address each time, a tenth of planning.
    return email_normalize(address, strict=False) or ""


def _record_error(exc):
    """The reason a record was skipped, logged with a traceback when it is not
    one of the refusals Odoo is expected to make (a malformed contact, a bug)."""
    if isinstance(exc, psycopg2.Error):
        return str(exc.diag.message_primary or exc)
    if isinstance(exc, RECORD_ERRORS):
        return str(exc.args[0] if exc.args else exc)
    return f"{type(exc).__name__}: {exc}"


class XeroImportRun(models.Model):
    _inherit = "xero.import.run"

    # -- one page --------------------------------------------------------------------------
    def _xero_read_operation(self, read):
        """``read`` (``("page", n)`` or ``("ids", (ContactID, ...))``) as a
        function of a gateway.  It holds plain values only, never the run or
        its environment, so it may run on another thread (ImportReads)."""
        kind, arg = read
        if kind == "ids":
            ids = list(arg)
            return lambda gw: gw.get_contacts(ids=ids, include_archived=True)
        page_size, since = self.page_size, self.modified_since or None
        return lambda gw: gw.get_contacts(page=arg, page_size=page_size, include_archived=True,
                                          order=PAGE_ORDER, modified_since=since)

    def _xero_fetch_page(self, page):
        """Page ``page`` of the contacts changed since ``modified_since``, in
        ContactID order: a contact changed during the import keeps its place
        (Xero never deletes contacts; one created meanwhile is newer than the
        watermark, so the next sync reads it)."""
        self.ensure_one()
        return self.connection_id._xero_call(self._xero_read_operation(("page", page)),
                                             priority="background")

    def _xero_fetch_again(self, contact_ids):
        """The contacts an earlier run skipped, by id (at most RETRY_BATCH)."""
        self.ensure_one()
        return self.connection_id._xero_call(
            self._xero_read_operation(("ids", tuple(contact_ids))), priority="background")

    def _xero_upcoming_reads(self, values=None, limit=1):
        """The next ``limit`` reads of this run, in order, from its state (or
        the state the page being done leads to: ``values``): the contacts to
        read again, RETRY_BATCH at a time, then the pages up to the last one
        Xero announced (at least the next one)."""
        state = {"retry_contact_ids": self.retry_contact_ids, "next_page": self.next_page,
                 "page_count": self.page_count, **(values or {})}
        retry = state["retry_contact_ids"] or []
        reads = [("ids", tuple(retry[i:i + RETRY_BATCH]))
                 for i in range(0, min(len(retry), limit * RETRY_BATCH), RETRY_BATCH)]
        page = state["next_page"]
        last = min(max(state["page_count"] or 0, page), page + limit)
        reads += [("page", number) for number in range(page, last + 1)]
        return reads[:limit]

    def _xero_next_read(self):
        return self._xero_upcoming_reads()[0]

    def _xero_more_pages(self, answer, page):
        """Whether a page follows `page`; without pagination (Xero always sends
        it with `page`, but be safe) a full page may have more behind it."""
        pagination = answer.get("pagination")
        if pagination:
            return bool(answer["Contacts"]) and page < (pagination.get("pageCount") or 0)
        return len(answer["Contacts"]) >= self.page_size

    def _xero_read_step(self, reads=None):
        """(contacts, values to write, more to read) for the next read: first the
        contacts to read again, RETRY_BATCH at a time, then the changed ones.
        With ``reads`` (ImportReads), the read may have been started ahead,
        and the reads after it start before this one is written."""
        read = self._xero_next_read()
        answer = reads.take(self, read) if reads is not None else None
        if read[0] == "ids":
            if answer is None:
                answer = self._xero_fetch_again(list(read[1]))
            contacts, more = answer["Contacts"], True
            values = {"retry_contact_ids": self.retry_contact_ids[RETRY_BATCH:]}
        else:
            if answer is None:
                answer = self._xero_fetch_page(self.next_page)
            contacts = answer["Contacts"]
            pagination = answer.get("pagination") or {}
            read_so_far = self.processed - self.retry_count + len(contacts)
            values = {
                "next_page": self.next_page + 1,
                "page_count": pagination.get("pageCount") or self.next_page,
                "item_count": self.retry_count + (pagination.get("itemCount") or read_so_far),
            }
            more = self._xero_more_pages(answer, self.next_page)
        if reads is not None and more:
            reads.ahead(self, values)
        return contacts, values, more

    def _xero_import_step(self, reads=None):
        """Read the next page, apply it, advance. True while pages remain."""
        self.ensure_one()
        contacts, values, more = self._xero_read_step(reads)
        counts, log, kept = self._xero_apply(contacts)
        reasons = Counter(self.skip_reasons or {})
        reasons.update(entry["reason_key"] for entry in log)
        skipped_ids = dict(self.skipped_contact_ids or {})
        skipped_ids.update({e["contact_id"]: e["reason_key"] for e in log if e["contact_id"]})
        self.write({
            **values,
            "state": "running", "attempts": 0, "last_error": False,
            "processed": self.processed + len(contacts),
            "created": self.created + counts["create"], "linked": self.linked + counts["link"],
            "updated": self.updated + counts["update"],
            "unchanged": self.unchanged + counts["unchanged"],
            "skipped": self.skipped + counts["skip"], "kept_odoo": self.kept_odoo + kept,
            "skip_reasons": dict(reasons), "skipped_contact_ids": skipped_ids,
            "skip_log": ((self.skip_log or []) + [
                {k: e[k] for k in ("contact_id", "name", "reason")} for e in log])[:LOG_LIMIT],
        })
        if not more:
            self._xero_import_finish()
        return more

    def _xero_import_finish(self):
        self.write({"state": "done", "finished_at": fields.Datetime.now()})
        self.connection_id.sudo().write({"xero_import_watermark": self.watermark,
                                         "xero_import_archived_mode": self.archived_mode})
        _logger.info("Xero %s %s for company %s done: %s", self.kind, self.id,
                     self.company_id.id, self.summary)

    # -- deciding ----------------------------------------------------------------------------
    def _xero_plan(self, contacts, claimed=None):
        """[(action, contact, entry, reason)] for a page of contacts; `entry` is
        the matched Odoo account as indexed (partner_id, link_id, ...)."""
        companies, accounts = self._xero_odoo_index(contacts)
        claimed = set() if claimed is None else claimed
        plan = []
        for contact in contacts:
            # An individual may be an Odoo person of no company, or a company
            # account; a company never becomes a person's.
            index = accounts if xero_contacts.is_individual(contact) else companies
            entry, how = index.match_contact({**contact, "EmailAddress": _email(contact)})
            archived = contact.get("ContactStatus") == "ARCHIVED"
            if entry is None and how:
                plan.append(("skip", contact, None, ("conflict", how.replace("conflict: ", ""))))
            elif entry is None:
                if archived and self.archived_mode == "skip":
                    plan.append(("skip", contact, None, ("archived", "archived in Xero")))
                else:
                    plan.append(("create", contact, None, None))
            elif how == "contact_id":
                changed = import_rules.contact_changed(contact,
                                                       {"UpdatedDateUTC": entry["updated"]})
                plan.append(("update" if changed else "unchanged", contact, entry, None))
            elif entry.get("linked_contact"):
                why = "the Odoo account %s with this %s is linked to another Xero contact" % (
                    entry["label"], how.replace("_", " "))
                plan.append(("skip", contact, entry, ("conflict", why)))
            elif entry["partner_id"] in claimed:
                why = "the Odoo account %s also matches another Xero contact" % entry["label"]
                plan.append(("skip", contact, entry, ("conflict", why)))
            elif archived and self.archived_mode == "skip":
                plan.append(("skip", contact, entry, ("archived", "archived in Xero")))
            else:
                claimed.add(entry["partner_id"])
                plan.append(("link", contact, entry, None))
        return plan

    def _xero_odoo_index(self, contacts):
        """The Odoo accounts that could match this page, indexed like contacts:
        (company accounts, company accounts and persons of no company).  A
        person linked to one of the contacts is in both."""
        cr = self.env.cr
        connection = self.connection_id
        self.env["res.partner"].flush_model(["name", "email_normalized", "is_company",
                                             "company_id"])
        self.env["xero.contact.link"].flush_model()
        ids = [c["ContactID"] for c in contacts if c.get("ContactID")]
        numbers = list({_norm(c.get("AccountNumber")) for c in contacts} - {""})
        codes = list({_norm(c.get("ContactNumber")) for c in contacts} - {""})
        # SQL only narrows the candidates (lower() as PostgreSQL does it, for
        # both forms Python knows); the match itself compares casefolded
        # names in Python (ContactIndex), so "Straße" is one name on both sides.
        names = list({form for c in contacts
                      for form in (_norm(c.get("Name")), _lower(c.get("Name")))} - {""})
        emails = list({_email(c) for c in contacts} - {""})
        individuals = [c for c in contacts if xero_contacts.is_individual(c)]
        person_names = list({form for c in individuals
                             for form in (_norm(c.get("Name")), _lower(c.get("Name")))} - {""})
        person_emails = list({_email(c) for c in individuals} - {""})
        prefix = self._xero_key_prefix()
        key_ids = [int(code[len(prefix):]) for code in codes
                   if code.startswith(prefix) and code[len(prefix):].isdigit()]
        cr.execute("""
            SELECT id, partner_id, contact_id, account_number, contact_number,
                   synced_values->>'UpdatedDateUTC'
              FROM xero_contact_link
             WHERE connection_id = %s
               AND (contact_id = ANY(%s) OR lower(account_number) = ANY(%s)
                    OR lower(contact_number) = ANY(%s))
        """, [connection.id, ids, numbers, codes])
        links = {row[1]: row for row in cr.fetchall()}
        # Only this company's (or shared) company accounts, whichever key found
        # them; accounts already linked for this connection are its own.
        cr.execute(r"""
            SELECT id, name, email_normalized, is_company FROM res_partner
             WHERE id = ANY(%(linked)s)
                OR ((company_id IS NULL OR company_id = %(company)s) AND id = ANY(%(keys)s)
                    AND (is_company OR parent_id IS NULL))
                OR (is_company AND (company_id IS NULL OR company_id = %(company)s)
                    AND (lower(regexp_replace(btrim(name), '\s+', ' ', 'g')) = ANY(%(names)s)
                         OR email_normalized = ANY(%(emails)s)))
                OR (NOT is_company AND parent_id IS NULL
                    AND (company_id IS NULL OR company_id = %(company)s)
                    AND (lower(regexp_replace(btrim(name), '\s+', ' ', 'g'))
                         = ANY(%(person_names)s)
                         OR email_normalized = ANY(%(person_emails)s)))
        """, {"linked": list(links), "company": connection.company_id.id, "keys": key_ids,
              "names": names, "emails": emails, "person_names": person_names,
              "person_emails": person_emails})
        partners = cr.fetchall()
        missing = [pid for pid, *_ in partners if pid not in links]
        if missing:
            cr.execute("""SELECT id, partner_id, contact_id, account_number, contact_number,
                                 synced_values->>'UpdatedDateUTC'
                            FROM xero_contact_link
                           WHERE connection_id = %s AND partner_id = ANY(%s)""",
                       [connection.id, missing])
            links.update({row[1]: row for row in cr.fetchall()})
        companies, accounts = ContactIndex(label="Odoo accounts"), \
            ContactIndex(label="Odoo accounts")
        for partner_id, name, email, is_company in partners:
            link = links.get(partner_id) or (None,) * 6
            entry = {"partner_id": partner_id, "link_id": link[0], "ContactID": link[2],
                     "AccountNumber": link[3], "ContactNumber": f"{prefix}{partner_id}",
                     "Name": name, "EmailAddress": email, "updated": link[5],
                     "linked_contact": link[2], "label": name}
            # An account linked to a Xero contact is that contact's: a name or an
            # email alone never claims it for another one (Xero contacts may share
            # an email); only its ledger code or our key can, as a conflict.
            indexes = (companies, accounts) if is_company or link[2] else (accounts,)
            for index in indexes:
                index.add({**entry, "Name": None, "EmailAddress": None} if link[2] else entry)
                if link[4] and _norm(link[4]) != _norm(entry["ContactNumber"]):
                    index.add({"ContactNumber": link[4], **{k: entry[k] for k in (
                        "partner_id", "link_id", "label", "updated", "linked_contact")}})
        return companies, accounts

    def _xero_key_prefix(self):
        """The start of our ContactNumber key, as the index compares it."""
        return self.env["res.partner"]._xero_contact_number_prefix().casefold()

    # -- doing --------------------------------------------------------------------------------
    def _xero_apply(self, contacts):
        """Apply a page; returns (counts by action, skipped log, fields kept)."""
        plan = self._xero_plan(contacts)
        counts = Counter(action for action, *_ in plan)
        log = [self._xero_log_entry(contact, reason) for action, contact, _e, reason in plan
               if action == "skip"]
        creates = [contact for action, contact, *_ in plan if action == "create"]
        failed = self._xero_create_accounts(creates)
        kept = 0
        for action, contact, entry, _reason in plan:
            if action not in ("link", "update"):
                continue
            try:
                with self.env.cr.savepoint():
                    kept += self._xero_update_account(contact, entry, action == "link")
            except Exception as exc:  # noqa: BLE001 - one record, logged and skipped
                failed.append((contact, exc))
        for contact, exc in failed:
            action = next(a for a, c, *_ in plan if c is contact)
            counts[action] -= 1
            counts["skip"] += 1
            reason = _record_error(exc)
            log.append(self._xero_log_entry(contact, ("error", reason[:300])))
            _logger.warning("Xero import %s: contact %s skipped: %s", self.id,
                            contact.get("ContactID"), reason,
                            exc_info=None if isinstance(exc, RECORD_ERRORS) else exc)
        return counts, log, kept

    @staticmethod
    def _xero_log_entry(contact, reason):
        key, text = reason
        return {"contact_id": contact.get("ContactID"), "name": contact.get("Name") or "",
                "reason": text, "reason_key": {"conflict": "conflict",
                                               "archived": "archived in Xero",
                                               "error": "refused by Odoo"}[key]}

    def _xero_create_accounts(self, contacts):
        """New company accounts, their people and links: the whole batch at once,
        or, if Odoo refuses something, one by one to find and skip the culprit.
        Returns [(contact, error)] for the contacts skipped."""
        if not contacts:
            return []
        try:
            with self.env.cr.savepoint():
                self._xero_create_batch(contacts)
            return []
        except Exception:  # noqa: BLE001 - retried one by one below to find the culprit
            _logger.info("Odoo refused a batch of %s Xero contacts; creating them one by one",
                         len(contacts))
        failed = []
        for contact in contacts:
            try:
                with self.env.cr.savepoint():
                    self._xero_create_batch([contact])
            except Exception as exc:  # noqa: BLE001 - one record, logged and skipped
                failed.append((contact, exc))
        return failed

    def _xero_create_batch(self, contacts):
        Partner = self.env["res.partner"].sudo().with_context(**QUIET)
        company = self.connection_id.company_id
        values = [self._xero_partner_values(contact) for contact in contacts]
        partners = Partner.create([{**vals, "company_id": company.id,
                                    "is_company": not xero_contacts.is_individual(contact),
                                    "active": contact.get("ContactStatus") != "ARCHIVED"}
                                   for vals, contact in zip(values, contacts)])
        children = []
        for partner, vals, contact in zip(partners, values, contacts):
            children += self._xero_person_values(partner, vals, contact, [])
            children += self._xero_invoice_address_values(partner, contact)
        if children:
            Partner.create(children)
        now = fields.Datetime.now()
        Link = self.env["xero.contact.link"].sudo()
        # The account as made from the contact is the baseline of the next
        # Update to Xero: nothing to push back until someone edits it.
        Link.create([{**Link._xero_link_values(contact), "connection_id": self.connection_id.id,
                      "partner_id": partner.id, "synced_values": contact, "synced_at": now,
                      "odoo_values": partner._xero_baseline(
                          self.connection_id, contact, self._xero_primary_child(partner, contact),
                          contact.get("AccountNumber") or "")}
                     for partner, contact in zip(partners, contacts)])

    @staticmethod
    def _xero_primary_child(partner, contact):
        """The child contact that is the contact's primary person (if any)."""
        primary = _norm(xero_contacts.person_name(contact))
        if not primary or not partner.is_company:
            return partner.browse()
        return partner._xero_contact_persons().filtered(lambda p: _norm(p.name) == primary)[:1]

    def _xero_invoice_address_values(self, partner, contact):
        """[values] of the invoice address Xero's postal address (POBOX)
        makes, when it is not the street address again."""
        values = self._xero_billing_values(contact)
        if not values:
            return []
        return [{**values, "type": "invoice", "parent_id": partner.id,
                 "company_id": partner.company_id.id, "active": partner.active}]

    def _xero_person_values(self, partner, vals, contact, existing):
        """Child contacts for the contact's primary person and ContactPersons not
        yet among ``existing`` (names and emails, casefolded)."""
        people = xero_contacts.contact_people(contact)
        address = {f: vals.get(f) or False for f in ADDRESS_FIELDS}
        out, seen = [], set(existing)
        for person in people:
            keys = {_norm(person["name"]), _norm(person["email"])} - {""}
            if not person["name"] or keys & seen:
                continue
            seen |= keys
            out.append({**person, **address, "parent_id": partner.id, "type": "contact",
                        "company_id": partner.company_id.id, "vat": partner.vat,
                        "active": partner.active})
        return out

    def _xero_update_account(self, contact, entry, first_link):
        """Link (first time) or update an existing account. Returns fields kept."""
        Link = self.env["xero.contact.link"].sudo()
        partner = self.env["res.partner"].sudo().with_context(
            tracking_disable=True, active_test=False).browse(entry["partner_id"])
        link = Link.browse(entry["link_id"]) if entry.get("link_id") else Link
        if link and not link._xero_try_lock():
            raise UserError(_("being sent to Xero by someone right now; read again at the next "
                              "sync"))
        synced = None if first_link else link.synced_values
        # A first link only fills the account's blanks, whichever side wins later.
        winner = import_rules.ODOO_WINS if first_link else self.env["ir.config_parameter"].sudo(
        ).get_param("crm_xero.sync_winner", import_rules.ODOO_WINS)
        incoming = self._xero_partner_values(contact)
        previous = self._xero_partner_values(synced) if synced else None
        write, kept = import_rules.merge(_odoo_values(partner, incoming), previous, incoming,
                                         winner)
        if write:
            partner.write(write)
        written = {FIELD_KEYS[field] for field in write if field in FIELD_KEYS}
        written_billing, kept_billing = self._xero_update_invoice_address(partner, contact, synced,
                                                                          winner)
        written |= {"billing_" + FIELD_KEYS[field] for field in written_billing}
        kept += kept_billing
        existing = {_norm(v) for child in partner.child_ids
                    for v in (child.name, child.email)} - {""}
        address = _odoo_values(partner, dict.fromkeys(ADDRESS_FIELDS))
        people = self._xero_person_values(partner, address, contact, existing)
        if people:
            partner.with_context(**QUIET).create(people)
        kept_baseline = link.odoo_values if link else None
        values = {**Link._xero_link_values(contact), "synced_values": contact,
                  "synced_at": fields.Datetime.now()}
        if link:
            link.write(values)
        else:
            link = Link.create({**values, "connection_id": self.connection_id.id,
                                "partner_id": partner.id})
        # What Odoo now holds of what Xero sent: fields Odoo kept (changed in
        # Odoo) stay as they were in the baseline, so the next Update to Xero
        # still sends them.
        baseline = partner._xero_baseline(self.connection_id, contact)
        if kept_baseline and not first_link:
            baseline = _moved_baseline(kept_baseline, baseline, written, people)
        link.odoo_values = baseline
        return len(kept)

    def _xero_update_invoice_address(self, partner, contact, synced, winner):
        """Xero's postal address on the account's invoice address, by the same
        rules as the account's fields (made if the account has none).  A
        postal address Xero no longer has of its own leaves it as it is.
        Returns (fields written, fields kept)."""
        incoming = self._xero_billing_values(contact)
        if not incoming:
            return {}, []
        invoice = partner._xero_invoice_address()
        current = _odoo_values(invoice, incoming) if invoice else dict.fromkeys(incoming)
        previous = (self._xero_billing_values(synced) or dict.fromkeys(incoming)) \
            if synced else None
        write, kept = import_rules.merge(current, previous, incoming, winner)
        if write and invoice:
            invoice.write(write)
        elif write:
            partner.with_context(**QUIET).create(self._xero_invoice_address_values(partner,
                                                                                   contact))
        return write, kept

    # -- Xero values as Odoo values ---------------------------------------------------------
    def _xero_partner_values(self, contact):
        """The account's Odoo values from a Xero contact (xero/contacts.py's
        table), its places found in Odoo."""
        values = self._xero_with_places(xero_contacts.contact_to_snapshot(contact), "")
        if values.get("website"):
            values["website"] = self.env["res.partner"]._clean_website(values["website"])
        return {f: values.get(f) or False for f in SYNCED_PARTNER_FIELDS}

    def _xero_billing_values(self, contact):
        """The invoice address's Odoo values from Xero's postal address, or {}
        when it has none of its own (the street address again, or blank)."""
        snap = xero_contacts.contact_to_snapshot(contact)
        if not xero_contacts._has_billing(snap):
            return {}
        values = self._xero_with_places(snap, "billing_")
        return {f: values.get(f) or False for f in ADDRESS_FIELDS}

    def _xero_with_places(self, snap, prefix):
        values = xero_contacts.partner_values(snap, prefix)
        found, _forms = self.env["res.partner"]._xero_find_places(values.pop("country"),
                                                                  values.pop("state"))
        return {**values, **found}


def _odoo_values(record, fields_like):
    """``record``'s values of the fields of ``fields_like``, ids for relations."""
    return {f: (record[f].id if f.endswith("_id") else record[f]) for f in fields_like}


def _moved_baseline(previous, now, written, people):
    """The Update-to-Xero baseline after a sync wrote the snapshot keys
    ``written`` and made ``people``: the previous baseline, with what was
    written as Odoo now holds it (``now``); what Odoo changed itself stays
    to be sent."""
    baseline = dict(previous, forms=now.get("forms"))
    for key in written:
        baseline[key] = now[key]
    if people:
        main = [now["main_name"], now["main_email"]]
        baseline.update(main_name=main[0], main_email=main[1])
        made = [[p["name"], p["email"] or ""] for p in people if p["name"] != main[0]]
        baseline["persons"] = list(previous.get("persons") or []) + made
    return xero_contacts.snapshot(baseline)

"""HTML for records as Xero's web app shows them: a contact, an invoice (the
accountant's view) and the online invoice (the customer's view).

Built from the stored records with the same arithmetic the API reports, so a
person clicking "Open in Xero" during ``make run`` sees what the API says.
"""
from html import escape
from urllib.parse import quote

from . import xero_json
from .accounting import contacts
from .accounting.invoice_rules import STATUS_WORDS
from .pages import page


def _money(value, currency=""):
    return ("{:,.2f} {}".format(xero_json.money(value), currency)).strip()


def _date(value):
    return value.strftime("%d %b %Y") if value else ""


def _facts(rows):
    return "<dl class=\"facts\">%s</dl>" % "".join(
        "<dt>%s</dt><dd>%s</dd>" % (escape(k), v) for k, v in rows if v not in (None, ""))


def _table(headers, rows, numeric=()):
    head = "".join("<th%s>%s</th>" % (" class=\"num\"" if i in numeric else "", escape(h))
                   for i, h in enumerate(headers))
    body = "".join("<tr>%s</tr>" % "".join(
        "<td%s>%s</td>" % (" class=\"num\"" if i in numeric else "", cell)
        for i, cell in enumerate(row)) for row in rows)
    return "<table><thead><tr>%s</tr></thead><tbody>%s</tbody></table>" % (head, body)


def invoice_link(org, invoice):
    return ("/organisationlogin/default.aspx?shortcode=%s&amp;redirecturl=%s" % (
        quote(org.short_code), quote("/AccountsReceivable/View.aspx?InvoiceID="
                                     + invoice["InvoiceID"], safe="")))


def _history(org, object_id):
    items = org.history.get(object_id, [])[-10:]
    if not items:
        return ""
    return "<h2>History and notes</h2>" + _table(
        ["Date", "Change", "User", "Details"],
        [(escape(h["DateUTC"].strftime("%d %b %Y %H:%M")), escape(h["Changes"]),
          escape(h["User"]), escape(h["Details"])) for h in reversed(items)])


def contact_page(org, record):
    today = xero_json.now().date()
    balances = contacts.balances(org, record["ContactID"], today)
    phones = ", ".join("%s %s %s (%s)" % (p.get("PhoneCountryCode", ""),
                                          p.get("PhoneAreaCode", ""), p["PhoneNumber"],
                                          p["PhoneType"].title())
                       for p in record["Phones"] if p.get("PhoneNumber"))
    addresses = "<br>".join(escape("%s: %s" % (a["AddressType"].title(), ", ".join(
        str(a.get(k)) for k in ("AddressLine1", "AddressLine2", "City", "Region",
                                "PostalCode", "Country") if a.get(k))))
        for a in record["Addresses"] if a.get("AddressLine1") or a.get("City"))
    persons = "<br>".join(escape("%s %s <%s>" % (p.get("FirstName", ""), p.get("LastName", ""),
                                                p.get("EmailAddress", "")))
                          for p in record["ContactPersons"])
    receivable, payable = balances["AccountsReceivable"], balances["AccountsPayable"]
    body = "<h1>%s</h1>" % escape(record["Name"]) + _facts([
        ("Status", escape(record["ContactStatus"].title())),
        ("Account number", escape(record.get("AccountNumber") or "")),
        ("Contact code", escape(record.get("ContactNumber") or "")),
        ("Email", escape(record.get("EmailAddress") or "")),
        ("Phone", escape(phones.strip())), ("Addresses", addresses),
        ("Contact persons", persons),
        ("They owe you", "%s (overdue %s)" % (_money(receivable["Outstanding"]),
                                              _money(receivable["Overdue"]))),
        ("You owe them", "%s (overdue %s)" % (_money(payable["Outstanding"]),
                                              _money(payable["Overdue"])))])
    invoices = sorted((org.invoices[i] for i in org.invoices_by_contact.get(
        record["ContactID"], ())), key=lambda i: i["Date"], reverse=True)[:10]
    if invoices:
        body += "<h2>Recent invoices</h2>" + _table(
            ["Number", "Date", "Due", "Status", "Total", "Due now"],
            [("<a href=\"%s\">%s</a>" % (invoice_link(org, i),
                                         escape(i.get("InvoiceNumber") or "(no number)")),
              _date(i["Date"]), _date(i.get("DueDate")), STATUS_WORDS[i["Status"]],
              _money(i["Total"], i["CurrencyCode"]), _money(i["AmountDue"]))
             for i in invoices], numeric=(4, 5))
    body += _history(org, record["ContactID"])
    return page("%s - Contacts - %s" % (record["Name"], org.name), body)


def _lines(invoice, internal):
    headers = ["Item", "Description", "Qty", "Price", "Disc %"]
    headers += ["Account", "Tax", "Tracking"] if internal else []
    rows = []
    for line in invoice["LineItems"]:
        row = [escape(line.get("ItemCode") or ""), escape(line["Description"]),
               "%s" % line["Quantity"].normalize(), _money(line["UnitAmount"]),
               "%s" % line["DiscountRate"].normalize() if line.get("DiscountRate") else ""]
        if internal:
            row += [escape(line.get("AccountCode") or ""), escape(line.get("TaxType") or ""),
                    escape(", ".join("%s: %s" % (t["Name"], t["Option"])
                                     for t in line.get("Tracking") or []))]
        rows.append(row + [_money(line["LineAmount"])])
    return _table(headers + ["Amount"], rows, numeric=(2, 3, 4, len(headers)))


def _totals(invoice):
    currency = invoice["CurrencyCode"]
    return _facts([("Subtotal", _money(invoice["SubTotal"], currency)),
                   ("Total tax", _money(invoice["TotalTax"], currency)),
                   ("Total", "<strong>%s</strong>" % _money(invoice["Total"], currency)),
                   ("Amount paid", _money(invoice["AmountPaid"], currency)),
                   ("Amount credited", _money(invoice["AmountCredited"], currency)),
                   ("Amount due", "<strong>%s</strong>" % _money(invoice["AmountDue"],
                                                                 currency))])


def _heading(invoice, label):
    return "<h1>%s %s <span class=\"status\">%s</span></h1>" % (
        label, escape(invoice.get("InvoiceNumber") or ""), STATUS_WORDS[invoice["Status"]])


def invoice_page(org, invoice):
    contact = org.contacts.get(invoice["ContactID"], {})
    theme = next((t["Name"] for t in org.branding_themes
                  if t["BrandingThemeID"] == invoice.get("BrandingThemeID")), "")
    contact_link = "/organisationlogin/default.aspx?shortcode=%s&amp;redirecturl=%s" % (
        quote(org.short_code), quote("/Contacts/View/" + invoice["ContactID"], safe=""))
    body = _heading(invoice, "Invoice" if invoice["Type"] == "ACCREC" else "Bill") + _facts([
        ("To" if invoice["Type"] == "ACCREC" else "From",
         "<a href=\"%s\">%s</a>" % (contact_link, escape(contact.get("Name", "")))),
        ("Date", _date(invoice["Date"])), ("Due date", _date(invoice.get("DueDate"))),
        ("Reference", escape(invoice.get("Reference") or "")),
        ("Branding theme", escape(theme)), ("Currency", escape(invoice["CurrencyCode"])),
        ("Fully paid on", _date(invoice.get("FullyPaidOnDate")))])
    body += "<h2>Lines</h2>" + _lines(invoice, internal=True) + "<h2>Totals</h2>" + \
        _totals(invoice)
    if invoice["Payments"]:
        body += "<h2>Payments</h2>" + _table(["Date", "Reference", "Amount"], [
            (_date(p["Date"]), escape(p.get("Reference") or ""), _money(p["Amount"]))
            for p in invoice["Payments"]], numeric=(2,))
    allocations = invoice.get("CreditAllocations") or []
    if allocations:
        body += "<h2>Credit notes</h2>" + _table(["Credit note", "Date", "Applied"], [
            (escape(org.credit_notes.get(a["CreditNoteID"], {}).get("CreditNoteNumber", "")),
             _date(a["Date"]), _money(a["Amount"])) for a in allocations], numeric=(2,))
    body += _history(org, invoice["InvoiceID"])
    return page("%s - Invoices - %s" % (invoice.get("InvoiceNumber") or "Invoice", org.name),
                body)


def quote_page(org, record):
    """A quote as the organisation's user sees it in Xero (Sales > Quotes)."""
    from .accounting.quotes import STATUS_WORDS as QUOTE_STATUS_WORDS
    contact = org.contacts.get(record["ContactID"], {})
    currency = record["CurrencyCode"]
    body = "<h1>Quote %s <span class=\"status\">%s</span></h1>" % (
        escape(record.get("QuoteNumber") or ""), QUOTE_STATUS_WORDS[record["Status"]])
    body += _facts([("To", escape(contact.get("Name", ""))), ("Date", _date(record["Date"])),
                    ("Expiry", _date(record.get("ExpiryDate"))),
                    ("Title", escape(record.get("Title") or "")),
                    ("Reference", escape(record.get("Reference") or "")),
                    ("Currency", escape(currency))])
    body += "<h2>Lines</h2>" + _lines(record, internal=True) + "<h2>Totals</h2>" + _facts([
        ("Subtotal", _money(record["SubTotal"], currency)),
        ("Total tax", _money(record["TotalTax"], currency)),
        ("Total", "<strong>%s</strong>" % _money(record["Total"], currency))])
    return page("%s - Quotes - %s" % (record.get("QuoteNumber") or "Quote", org.name), body)


def online_invoice_page(org, invoice):
    """What the customer sees: no account codes, tracking or history."""
    contact = org.contacts.get(invoice["ContactID"], {})
    body = "<p class=\"muted\">%s</p>" % escape(org.name) + _heading(invoice, "Invoice")
    body += _facts([("To", escape(contact.get("Name", ""))), ("Date", _date(invoice["Date"])),
                    ("Due date", _date(invoice.get("DueDate"))),
                    ("Reference", escape(invoice.get("Reference") or ""))])
    body += "<h2>Details</h2>" + _lines(invoice, internal=False) + "<h2>Summary</h2>" + \
        _totals(invoice)
    if invoice["Status"] == "AUTHORISED" and invoice["AmountDue"] > 0:
        body += ("<div class=\"buttons\"><button class=\"allow\" type=\"button\" disabled>"
                 "Pay now</button></div>")
    return page("Invoice %s from %s" % (invoice.get("InvoiceNumber") or "", org.name), body)


def not_found_page(what):
    body = ("<h1>Page not found</h1><p class=\"error\" role=\"alert\">%s</p>"
            "<p class=\"muted\">Check the link, or that you are logged in to the right "
            "organisation.</p>") % escape(what)
    return page("Page not found - Xero sandbox", body, wide=False)

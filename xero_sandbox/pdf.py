"""A real, small PDF of an invoice or a quote, built by hand (stdlib only).

``GET /Invoices/{id}`` (and ``/Quotes/{id}``) with ``Accept: application/pdf``
answers with this.  One A4 page in Helvetica: enough for a client to store,
attach or show it, and for a test to read the number, contact, lines, total
and status back.
"""
from . import xero_json
from .accounting.invoice_rules import STATUS_WORDS

_MAX_LINES = 30


def _text(value):
    """A PDF literal string body in WinAnsi (cp1252), escaped."""
    raw = str(value).encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _money(value):
    return "%.2f" % xero_json.money(value)


def _rows(org, invoice):
    contact = org.contacts.get(invoice["ContactID"], {})
    title = "TAX INVOICE" if invoice["Type"] == "ACCREC" else "BILL"
    rows = [("F2", 20, 50, title), ("F1", 11, 50, org.name), None,
            ("F2", 11, 50, "Invoice number: %s" % (invoice.get("InvoiceNumber") or "")),
            ("F1", 11, 50, "To: %s" % contact.get("Name", "")),
            ("F1", 11, 50, "Date: %s" % invoice["Date"].isoformat()),
            ("F1", 11, 50, "Due date: %s" % (invoice["DueDate"].isoformat()
                                             if invoice.get("DueDate") else "")),
            ("F1", 11, 50, "Reference: %s" % (invoice.get("Reference") or "")),
            ("F2", 11, 50, "Status: %s" % STATUS_WORDS.get(invoice["Status"],
                                                            invoice["Status"])),
            None, ("F2", 10, 50, "Description  |  Quantity  |  Unit price  |  Amount")]
    lines = invoice["LineItems"]
    for line in lines[:_MAX_LINES]:
        rows.append(("F1", 10, 50, "%s  |  %s  |  %s  |  %s" % (
            line["Description"] or line.get("ItemCode") or "-", line["Quantity"].normalize(),
            _money(line["UnitAmount"]), _money(line["LineAmount"]))))
    if len(lines) > _MAX_LINES:
        rows.append(("F1", 10, 50, "... and %d more lines" % (len(lines) - _MAX_LINES)))
    currency = invoice["CurrencyCode"]
    rows += [None, ("F1", 11, 330, "Subtotal: %s %s" % (_money(invoice["SubTotal"]), currency)),
             ("F1", 11, 330, "Total tax: %s %s" % (_money(invoice["TotalTax"]), currency)),
             ("F2", 12, 330, "Total: %s %s" % (_money(invoice["Total"]), currency)),
             ("F1", 11, 330, "Amount due: %s %s" % (_money(invoice["AmountDue"]), currency))]
    return rows


def invoice_pdf(org, invoice):
    return document(_rows(org, invoice), "Invoice %s" % (
        invoice.get("InvoiceNumber") or invoice["InvoiceID"]))


def document(rows, title):
    """One A4 page of ``rows``: ``(font "F1"/"F2", size, x, text)`` or None
    for a gap (the quote PDF uses it too)."""
    commands, y = [], 790
    for row in rows:
        if row is None:
            y -= 10
            continue
        font, size, x, text = row
        commands.append(b"BT /%s %d Tf %d %d Td (%s) Tj ET" % (
            font.encode(), size, x, y, _text(text)))
        y -= size + 6
    stream = b"\n".join(commands)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold "
        b"/Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Title (%s) /Producer (xero_sandbox) >>" % _text(title),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, len(objects), xref)
    return bytes(out)

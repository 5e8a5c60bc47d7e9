"""HTML for the login host: the consent page and the authorisation error page
(and the look every other sandbox page shares, see ``page``).

A person running ``make run`` clicks through this page in a real browser, so it
is plain, accessible HTML with a little CSS in Xero's blue; tests post the same
form fields a browser would.
"""
from html import escape

SCOPE_LABELS = {
    "openid": "Verify your identity", "profile": "View your name",
    "email": "View your email address",
    "offline_access": "Keep access when you are not using the app",
    "accounting.contacts": "View and manage your contacts",
    "accounting.contacts.read": "View your contacts",
    "accounting.settings": "View and manage your organisation settings",
    "accounting.settings.read": "View your organisation settings",
    "accounting.transactions": "View and manage your business transactions",
    "accounting.transactions.read": "View your business transactions",
    "accounting.invoices": "View and manage your invoices",
    "accounting.invoices.read": "View your invoices",
    "accounting.payments": "View and manage your payments",
    "accounting.payments.read": "View your payments",
}

_STYLE = """
body{margin:0;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;
background:#f2f5f8;color:#1f2a37}
header{background:#13b5ea;color:#fff;padding:14px 24px;font-weight:600;font-size:20px}
main{max-width:520px;margin:32px auto;background:#fff;border-radius:8px;
box-shadow:0 1px 4px rgba(0,0,0,.12);padding:28px 32px}
h1{font-size:22px;margin:0 0 8px}
.muted{color:#5a6b7b;font-size:14px}
ul.scopes{padding-left:20px;line-height:1.6}
fieldset{border:1px solid #d5dde5;border-radius:6px;padding:12px 16px;margin:18px 0}
legend{font-weight:600;padding:0 6px}
label.org{display:block;padding:6px 0;cursor:pointer}
.error{background:#fdecea;color:#8a1c13;padding:10px 14px;border-radius:6px}
.buttons{display:flex;gap:12px;justify-content:flex-end;margin-top:20px}
button{font-size:15px;padding:10px 20px;border-radius:4px;cursor:pointer;border:1px solid}
button.allow{background:#0078c8;border-color:#0078c8;color:#fff}
button.allow:hover{background:#005fa3}
button.cancel{background:#fff;border-color:#a9b6c3;color:#1f2a37}
main.wide{max-width:960px}
h2{font-size:16px;margin:24px 0 8px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e8ee;vertical-align:top}
th{color:#5a6b7b;font-weight:600}
td.num,th.num{text-align:right}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.facts dt{color:#5a6b7b}
dl.facts dd{margin:0}
.status{display:inline-block;padding:2px 10px;border-radius:12px;background:#e6f4fb;
color:#0b5c8a;font-size:13px;font-weight:600;vertical-align:middle}
"""


def _page(title, body, wide=False):
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            "<title>%s</title><style>%s</style></head><body><header>xero "
            "<span style=\"font-weight:300\">sandbox</span></header><main%s>%s</main>"
            "</body></html>" % (escape(title), _STYLE, " class=\"wide\"" if wide else "",
                                body)).encode("utf-8")


def page(title, body, wide=True):
    """The consent page's look, for the sandbox's other pages (records, online invoice)."""
    return _page(title, body, wide)


def consent_page(app_name, user, scopes, orgs, request_id, error=None):
    scope_items = "".join("<li>%s <span class=\"muted\">(%s)</span></li>" % (
        escape(SCOPE_LABELS.get(s, s)), escape(s)) for s in scopes)
    org_items = "".join(
        "<label class=\"org\"><input type=\"checkbox\" name=\"tenant_id\" value=\"%s\"%s> "
        "%s</label>" % (escape(org.tenant_id), " checked" if i == 0 else "", escape(org.name))
        for i, org in enumerate(orgs))
    body = (
        "<h1>%s wants access to your Xero data</h1>"
        "<p class=\"muted\">Signed in as <strong>%s</strong> (%s)</p>%s"
        "<p>This app will be able to:</p><ul class=\"scopes\">%s</ul>"
        "<form method=\"post\" action=\"/identity/connect/authorize\">"
        "<input type=\"hidden\" name=\"request_id\" value=\"%s\">"
        "<fieldset><legend>Organisations to connect</legend>%s</fieldset>"
        "<div class=\"buttons\">"
        "<button class=\"cancel\" type=\"submit\" name=\"decision\" value=\"cancel\">"
        "Cancel</button>"
        "<button class=\"allow\" type=\"submit\" name=\"decision\" value=\"allow\">"
        "Allow access</button></div></form>"
    ) % (escape(app_name), escape(user["name"]), escape(user["email"]),
         "<p class=\"error\" role=\"alert\">%s</p>" % escape(error) if error else "",
         scope_items, escape(request_id), org_items)
    return _page("Allow access - %s" % app_name, body)


def error_page(error, description):
    body = ("<h1>Sorry, something went wrong</h1><p class=\"error\" role=\"alert\">"
            "<strong>%s</strong>: %s</p><p class=\"muted\">Go back to the app and "
            "try connecting again.</p>") % (escape(error), escape(description))
    return _page("Error - Xero sandbox", body)

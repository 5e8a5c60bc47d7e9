"""Currencies and their rates: ``PUT /Currencies``, a document's CurrencyRate.

An organisation has a base currency and the currencies it has enabled
(``GET /Currencies``, in ``settings``).  A document (invoice, quote) in an
enabled currency other than the base one carries a ``CurrencyRate``: units of
that currency per one unit of the base currency, as Xero writes it (a USD
organisation's EUR invoice has about 0.92), so its figures in the base
currency are ``amount / CurrencyRate``.  Amounts, payments and AmountDue stay
in the document's currency.

Xero's spec: "The currency rate for a multicurrency invoice. If no rate is
specified, the XE.com day rate is used".  The sandbox's "day rate" is a fixed,
deterministic table (``USD_RATES``) that tests can override per organisation
(``POST /_sandbox/orgs/{tenant}/currency-rates``).  A document keeps the rate
it was given: changing the table later does not touch saved documents (Xero
fixes the rate on the document too); changing a document's currency takes the
new currency's rate, and a rate sent with the document wins.
"""
from decimal import Decimal, InvalidOperation

from .. import xero_json
from .common import ApiError

RATE_PLACES = Decimal("0.000001")     # Xero: "max length = [18].[6]"

# Xero's names (GET /Currencies Description) and the sandbox's day rates,
# units per 1 USD.  Plausible, not live: tests need figures that never move.
NAMES = {
    "USD": "United States Dollar", "EUR": "Euro", "GBP": "British Pound",
    "NZD": "New Zealand Dollar", "AUD": "Australian Dollar", "CAD": "Canadian Dollar",
    "JPY": "Japanese Yen", "CHF": "Swiss Franc", "SGD": "Singapore Dollar",
    "HKD": "Hong Kong Dollar", "ZAR": "South African Rand", "INR": "Indian Rupee",
    "CNY": "Chinese Yuan", "SEK": "Swedish Krona", "NOK": "Norwegian Krone",
    "DKK": "Danish Krone", "PLN": "Polish Zloty", "MXN": "Mexican Peso",
    "BRL": "Brazilian Real", "FJD": "Fiji Dollar", "AED": "United Arab Emirates Dirham",
}
USD_RATES = {
    "USD": "1", "EUR": "0.92", "GBP": "0.79", "NZD": "1.66", "AUD": "1.52",
    "CAD": "1.36", "JPY": "149.5", "CHF": "0.88", "SGD": "1.34", "HKD": "7.82",
    "ZAR": "18.2", "INR": "83.1", "CNY": "7.24", "SEK": "10.6", "NOK": "10.7",
    "DKK": "6.86", "PLN": "3.98", "MXN": "17.1", "BRL": "4.95", "FJD": "2.25",
    "AED": "3.6725",
}
NOT_SUBSCRIBED = "Organisation is not subscribed to currency %s"


def default_rate(base, code):
    """The table's rate of ``code`` in a ``base`` organisation (units per base unit)."""
    if code == base:
        return Decimal(1)
    return (Decimal(USD_RATES[code]) / Decimal(USD_RATES[base])).quantize(RATE_PLACES)


def rate(org, code):
    """Today's rate for a new document in ``code`` (1 for the base currency)."""
    if code == org.base_currency:
        return Decimal(1)
    if code in org.currency_rates:
        return org.currency_rates[code]
    return default_rate(org.base_currency, code)


def rates(org):
    """Every rate the organisation would use today, base currency first."""
    codes = [org.base_currency] + sorted(c for c in USD_RATES if c != org.base_currency)
    return {code: rate(org, code) for code in codes}


def resolve(org, data, current, record, errors):
    """Set ``current``'s CurrencyCode and CurrencyRate from what ``data`` sends.

    ``record`` is the saved document (None for a new one).  A currency the
    organisation has not enabled is refused with Xero's words.  The base
    currency's rate is always 1; otherwise a rate sent wins, else a new
    document or a new currency takes today's rate, else the saved one stays.
    """
    code = data.get("CurrencyCode")
    code = str(code).strip().upper() if code not in (None, "") else \
        (current.get("CurrencyCode") or org.base_currency)
    current["CurrencyCode"] = code
    if code not in org.enabled_currencies:
        errors.append(NOT_SUBSCRIBED % code)
        return
    if code == org.base_currency:
        current["CurrencyRate"] = Decimal(1)
        return
    given = data.get("CurrencyRate")
    if given not in (None, ""):
        value = parse_rate(given)
        if value is None:
            errors.append("The currency rate must be a number greater than zero.")
        else:
            current["CurrencyRate"] = value
    elif record is None or record.get("CurrencyCode") != code or not current.get("CurrencyRate"):
        current["CurrencyRate"] = rate(org, code)


def parse_rate(value):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number <= 0:
        return None
    return number.quantize(RATE_PLACES)


def check_codes(codes):
    """Raise Xero's validation error if any code is not a currency Xero knows."""
    wrong = [c for c in codes if c not in NAMES]
    if wrong:
        raise ApiError(400, xero_json.validation_exception([{
            "Code": c, "ValidationErrors": [{"Message": "'%s' is not a valid currency code."
                                             % c}]} for c in wrong]))


def enable(org, code):
    """Enable ``code`` (idempotent); returns its ``{Code, Description}`` or raises."""
    code = str(code or "").strip().upper()
    check_codes([code])
    if code not in org.enabled_currencies:
        org.enabled_currencies.append(code)
        org.currencies.append({"Code": code, "Description": NAMES[code]})
        org.touch()
    return next(c for c in org.currencies if c["Code"] == code)


def set_rates(org, values):
    """Override the day rates (``{"EUR": 0.93}``; None goes back to the table).
    Returns the refusals; nothing is changed if there is any."""
    errors, planned = [], {}
    for code, value in values.items():
        code = str(code).strip().upper()
        if code not in USD_RATES:
            errors.append("unknown currency %s (known: %s)" % (code, ", ".join(sorted(USD_RATES))))
        elif code == org.base_currency:
            errors.append("%s is the base currency: its rate is always 1" % code)
        elif value is None:
            planned[code] = None
        elif parse_rate(value) is None:
            errors.append("the rate of %s must be a number greater than zero" % code)
        else:
            planned[code] = parse_rate(value)
    if not errors:
        for code, value in planned.items():
            if value is None:
                org.currency_rates.pop(code, None)
            else:
                org.currency_rates[code] = value
        org.touch()
    return errors


# --- handlers -----------------------------------------------------------------
def put_currencies(ctx):
    """``createCurrency``: enable a currency (Xero's body is one Currency object)."""
    codes = [str((item if isinstance(item, dict) else {}).get("Code") or "").strip().upper()
             for item in ctx.body_list("Currencies")]
    check_codes(codes)      # all or nothing
    with ctx.org.lock:
        added = [enable(ctx.org, code) for code in codes]
    return 200, xero_json.envelope("Currencies", [dict(c) for c in added])


ROUTES = [
    ("PUT", "/Currencies", put_currencies, "accounting.settings"),
]

"""``/_sandbox/orgs/{tenant_id}/currency-rates`` and ``.../currencies``: the
organisation's day rates (Xero's "XE.com day rate") and enabled currencies.

Rates are units of a currency per one unit of the base currency, as a
document's CurrencyRate.  Setting them changes what new documents (and
documents moving to another currency) get; saved documents keep theirs.
"""
from . import xero_json
from .accounting import currencies
from .accounting.common import ApiError
from .control_reads import ControlError


def describe(org):
    return {"base_currency": org.base_currency,
            "enabled": list(org.enabled_currencies),
            "rates": {code: xero_json.number(value)
                      for code, value in currencies.rates(org).items()},
            "overrides": {code: xero_json.number(value)
                          for code, value in sorted(org.currency_rates.items())}}


def get_rates(org, params, query, body):
    return describe(org)


def set_rates(org, params, query, body):
    """``{"EUR": 0.93, "GBP": null}`` (or the same under ``"rates"``): null
    goes back to the sandbox's table."""
    values = body.get("rates") if isinstance(body.get("rates"), dict) else body
    errors = currencies.set_rates(org, values)
    if errors:
        raise ControlError(400, "; ".join(errors), errors)
    return describe(org)


def enable_currency(org, params, query, body):
    """The accountant adds a currency in Xero's settings: ``{"code": "NZD"}``."""
    try:
        currencies.enable(org, body.get("code"))
    except ApiError as exc:
        messages = [m["Message"] for e in exc.body["Elements"] for m in e["ValidationErrors"]]
        raise ControlError(400, "; ".join(messages), messages)
    return describe(org)


ROUTES = [
    ("GET", "currency-rates", get_rates),
    ("POST", "currency-rates", set_rates),
    ("POST", "currencies", enable_currency),
]

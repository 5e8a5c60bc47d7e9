"""Branding themes: ``GET /BrandingThemes[/{id}]`` and an invoice's ``BrandingThemeID``.

Xero gives every invoice a theme: the one asked for (which must exist) or the
organisation's first by SortOrder ("Standard").
"""
import datetime as dt
import uuid

from .. import xero_json
from .common import not_found

SEED = [("Standard", 0), ("Special projects", 1)]


def build_themes(org):
    created = dt.datetime(2020, 1, 1, tzinfo=xero_json.UTC)
    return [{"BrandingThemeID": str(uuid.uuid5(uuid.UUID(org.tenant_id), "theme-" + name)),
             "Name": name, "SortOrder": order, "Type": "INVOICE", "CreatedDateUTC": created}
            for name, order in SEED]


def default_theme_id(org):
    themes = sorted(org.branding_themes, key=lambda t: t["SortOrder"])
    return themes[0]["BrandingThemeID"] if themes else None


def check(org, theme_id, errors):
    """The theme id to store, or the current one if refused."""
    wanted = str(theme_id).strip().lower()
    if not any(t["BrandingThemeID"] == wanted for t in org.branding_themes):
        errors.append("The BrandingThemeID '%s' is not valid for this organisation." % theme_id)
    return wanted


def theme_json(theme):
    return dict(theme, CreatedDateUTC=xero_json.ms_datetime(theme["CreatedDateUTC"]))


def get_themes(ctx):
    themes = sorted(ctx.org.branding_themes, key=lambda t: t["SortOrder"])
    return 200, xero_json.envelope("BrandingThemes", [theme_json(t) for t in themes])


def get_theme(ctx):
    wanted = ctx.params["id"].strip().lower()
    theme = next((t for t in ctx.org.branding_themes if t["BrandingThemeID"] == wanted), None)
    if theme is None:
        raise not_found()
    return 200, xero_json.envelope("BrandingThemes", [theme_json(theme)])


ROUTES = [
    ("GET", "/BrandingThemes", get_themes, "accounting.settings"),
    ("GET", "/BrandingThemes/{id}", get_theme, "accounting.settings"),
]

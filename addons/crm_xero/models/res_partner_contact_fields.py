"""Odoo places for what a Xero contact holds and Odoo had no field for, and
Xero's places (country, region) found in Odoo.

xero/contacts.py's table says which Xero field each of these is: the direct
dial (Xero's DDI phone) and the fax (FAX), and the region of an address when
Odoo has no matching state (Xero's Region is free text: "Greater London",
"Bavaria"): kept as Xero wrote it, shown in the address, sent back as it is.
"""
from odoo import api, fields, models

from ..xero.contacts import ADDRESS_TYPES
from ..xero.matching import _norm

#: Xero writes places in English; Odoo's country names are translated.
PLACES_LANG = "en_US"


class ResPartner(models.Model):
    _inherit = "res.partner"

    xero_ddi = fields.Char("Direct dial", help="The direct dial number (Xero's DDI phone).")
    xero_fax = fields.Char("Fax")
    xero_region = fields.Char(
        "Region", help="The region Xero holds for this address, for which Odoo has no state. "
                       "Sent back to Xero as it is; choosing a state replaces it.")

    @api.onchange("state_id")
    def _onchange_state_id_xero_region(self):
        if self.state_id:
            self.xero_region = False

    # -- Xero's places in Odoo --------------------------------------------------------
    @api.model
    def _xero_places(self):
        """{"country": {name or code: (id, form)}, "state": {(country id, name or
        code): (id, form)}}, names in English and casefolded; read once per
        transaction (an import looks up thousands)."""
        cache = self.env.cr.cache.setdefault("xero_places", {})
        if not cache:
            english = self.env(context=dict(self.env.context, lang=PLACES_LANG), su=True)
            countries = english["res.country"].search_read([], ["name", "code"])
            cache["country"] = {_norm(c[key]): (c["id"], form) for form, key in
                                (("code", "code"), ("name", "name")) for c in countries}
            states = english["res.country.state"].search_read([], ["name", "code",
                                                                   "country_id"])
            cache["state"] = {(s["country_id"][0], _norm(s[key])): (s["id"], form)
                              for form, key in (("code", "code"), ("name", "name"))
                              for s in states}
        return cache

    @api.model
    def _xero_find_places(self, country, region):
        """Xero's ``country`` and ``region`` text as Odoo values and the form
        Xero wrote each in: ({"country_id", "state_id", "xero_region"},
        {"country": "code"|"name", "state": ...}).  A region Odoo has no
        state for is kept as text (``xero_region``); a country Odoo does not
        know is left out (Xero keeps it: nothing sends it back unchanged)."""
        places = self._xero_places()
        country_id, country_form = places["country"].get(_norm(country), (False, None)) \
            if country else (False, None)
        state_id, state_form = places["state"].get((country_id, _norm(region)), (False, None)) \
            if country_id and region else (False, None)
        unmatched = False if state_id else (region or "").strip() or False
        return ({"country_id": country_id, "state_id": state_id, "xero_region": unmatched},
                {"country": country_form, "state": state_form})

    @api.model
    def _xero_place_names(self, values):
        """A snapshot whose places are in Xero's words (``contact_to_snapshot``,
        a baseline kept by an earlier version: "NJ") with them as Odoo shows
        them ("New Jersey"); a region Odoo has no state for stays as it is, a
        country Odoo does not know is "" (Odoo holds none)."""
        values = dict(values)
        english = self.env(context=dict(self.env.context, lang=PLACES_LANG), su=True)
        for prefix in ADDRESS_TYPES:
            found, _forms = self._xero_find_places(values.get(prefix + "country"),
                                                   values.get(prefix + "state"))
            values[prefix + "country"] = english["res.country"].browse(
                found["country_id"]).name or ""
            values[prefix + "state"] = english["res.country.state"].browse(
                found["state_id"]).name or found["xero_region"] or ""
        return values

"""The addon in French: i18n/crm_xero.pot is what the code holds today,
fr.po translates all of it, and a salesperson who works in French sees the
buttons, the fields and Xero's refusals in French."""
from pathlib import Path

import polib

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.translate import TranslationModuleReader

from ..models.xero_errors import xero_message
from ..xero.errors import XeroNotFound, XeroRateLimited
from .xero_case import XeroHttpCase

I18N = Path(__file__).resolve().parents[1] / "i18n"


def french(msgid):
    """fr.po's translation of ``msgid`` (the test fails if it has none)."""
    entry = polib.pofile(str(I18N / "fr.po")).find(msgid)
    assert entry and entry.msgstr, f"not translated: {msgid!r}"
    return entry.msgstr


@tagged("post_install", "-at_install", "crm_xero")
class TestFrench(XeroHttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["crm_xero"], ["fr_FR"], overwrite=True)
        cls.salesman.lang = "fr_FR"

    def as_salesman(self):
        """The salesperson's environment as the web client makes it: their
        language in the context."""
        return self.env(user=self.salesman,
                        context=self.salesman.with_user(self.salesman).context_get())

    def odoos_model_names(self):
        """Where the export puts the names of the models crm_xero only
        extends: Odoo's words, which Odoo translates and changes between
        series (crm.lead is "Lead/Opportunity" on 18.0, "Lead" on 19.0)."""
        return {f"ir.model,name:crm_xero.model_{model.replace('.', '_')}"
                for model in self.env.registry
                if self.env[model]._original_module != "crm_xero"}

    def test_the_pot_holds_every_text_of_the_code_and_fr_translates_it(self):
        odoos = self.odoos_model_names()
        in_code = {source for module, _type, name, res_id, source, _value, _comments
                   in TranslationModuleReader(self.env.cr, modules=["crm_xero"])
                   if module == "crm_xero" and f"{name}:{res_id}" not in odoos}
        pot_file = polib.pofile(str(I18N / "crm_xero.pot"))
        pot = {entry.msgid for entry in pot_file}
        ours = {entry.msgid for entry in pot_file
                if any(where.split(":", 1)[-1] not in odoos for where, _line in entry.occurrences)}
        self.assertEqual(sorted(in_code - pot), [], "new texts: run `make i18n`")
        self.assertEqual(sorted(ours - in_code), [], "texts gone from the code: run `make i18n`")
        fr = polib.pofile(str(I18N / "fr.po"))
        self.assertEqual(sorted(e.msgid for e in fr if not e.msgstr or e.fuzzy), [])
        self.assertEqual({e.msgid for e in fr if not e.obsolete}, pot)

    def test_a_salesperson_working_in_french_is_told_in_french(self):
        account = self.env["res.partner"].create({
            "name": "Boulangerie Martin", "is_company": True, "user_id": self.salesman.id})
        with self.assertRaises(UserError) as refused:
            account.with_env(self.as_salesman()).action_xero_export()
        template = french("%(account)s belongs to %(company)s, which is not connected to "
                          "Xero. An administrator can connect it in Settings > CRM > Xero "
                          "(with %(company)s as the current company).")
        self.assertEqual(str(refused.exception.args[0]),
                         template % {"account": "Boulangerie Martin",
                                     "company": self.env.company.name})

    def test_xeros_refusals_are_worded_in_the_users_language(self):
        env = self.as_salesman()
        self.assertEqual(xero_message(env, XeroNotFound()), french(XeroNotFound.message))
        # the words inside the sentence too: "try again in 30 seconds"
        waiting = XeroRateLimited(retry_after=30, problem="minute")
        said = xero_message(env, waiting)
        self.assertEqual(said, french("Xero is busy right now (rate limit reached); try again "
                                      "in %(wait)s.") % {"wait": "30 secondes"})
        self.assertEqual(xero_message(self.env(context={"lang": "en_US"}), waiting),
                         "Xero is busy right now (rate limit reached); try again in 30 seconds.")

    def test_fields_and_buttons_read_in_french(self):
        Partner = self.as_salesman()["res.partner"]
        label = Partner.fields_get(["xero_in_xero"], ["string"])["xero_in_xero"]["string"]
        self.assertEqual(label, french(self.env["res.partner"]._fields["xero_in_xero"].string))
        arch = Partner.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn(french("Export to Xero"), arch)

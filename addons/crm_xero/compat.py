"""Odoo 18.0 and 19.0 from one tree: each difference between the two series
that crm_xero meets lives here, once, under a name.  Features never ask which
series they run on; they use what this module gives.

* The version.  The manifests say "2.2.0" (no series): Odoo prefixes its own,
  18.0.2.2.0 on 18.0 and 19.0.2.2.0 on 19.0 (``adapt_version``).
* SQL constraints.  19.0 dropped ``_sql_constraints`` for ``models.Constraint``
  class attributes.  Models declare ``_name = compat.Constraint(definition,
  message)``: on 19.0 that is Odoo's own, on 18.0 the same declaration becomes
  an entry of the class's ``_sql_constraints``.  PostgreSQL names them alike on
  both (``<table>_<name>``), so a database moving from 18 to 19 keeps them.
* Domains: a search method of a computed boolean field is asked ``= True``
  on 18.0 and ``in [True]`` on 19.0; ``boolean_search_values`` reads both.
* Scheduled jobs: ``job_progress`` reports a job's progress (19.0 deprecates
  ``ir.cron._notify_progress``).
* Series data: what XML must say differently (the Xero Manager group's place,
  its category on 18.0, a privilege on 19.0; the partner's mobile number in the
  contact form on 19.0) is in ``data/series_18.xml`` or ``data/series_19.xml``.
  The manifest's ``data`` is a literal list, so ``data/crm_xero_series.xml``
  calls ``load_series_data`` (through ``xero.compat``), which loads the file
  of the running series.
* The partner's mobile number.  19.0 removed ``res.partner.mobile``; the addon
  declares it (``ResPartnerMobile`` below), so ``partner.mobile`` is read and
  written alike on both: Odoo's own field on 18.0, extended by an identical
  declaration, crm_xero's on 19.0 (with the same label, so the translations
  are the same on both).
* Users' groups (``groups_id`` became ``group_ids``): the addon never writes
  them; its tests make users with Odoo's ``new_test_user``, the same on both.
* Views: one arch for both (``<list>``, ``invisible="..."``; a field inside a
  sentence is ``d-inline-block``, as 19.0's widgets are blocks inside), but
  for the mobile number (series data above).
* Web client: static/src uses what both series have: the delete prompt is
  built whole (delete_prompt.js), a many2one's value is read in both shapes
  (import_progress.js).  The tours import nothing from web_tour, whose modules
  moved; the step that leaves the page says so on 19.0 only
  (static/tests/tours/tour_helpers.js, ``leavingPage``).
* Tests: what Odoo's test framework does differently is in tests/harness.py.
"""
from odoo import api, fields, models, release
from odoo.tools.convert import convert_file

#: 18 or 19: which file of series data is loaded, nothing else.
SERIES = release.version_info[0]


# -- SQL constraints ---------------------------------------------------------------------
class _SqlConstraint18:
    """19.0's ``models.Constraint`` for 18.0: declared in a model's class as
    ``_key_unique = Constraint("unique(key)", "message")``, it adds
    ``("key_unique", "unique(key)", "message")`` to that class's own
    ``_sql_constraints``, which 18.0 creates as ``<table>_key_unique``."""

    def __init__(self, definition, message=""):
        self.definition = definition
        self.message = message

    def __set_name__(self, owner, name):
        assert name.startswith("_"), "SQL constraints are named with a leading underscore"
        owner._sql_constraints = [*owner.__dict__.get("_sql_constraints", ()),
                                  (name[1:], self.definition, self.message)]


Constraint = getattr(models, "Constraint", _SqlConstraint18)


# -- domains -----------------------------------------------------------------------------
def boolean_search_values(operator, value):
    """The values a condition on a boolean field accepts, as a set: a search
    method of a computed boolean is given ``= True``, ``!= False``... on 18.0,
    and ``in [True]`` or ``not in [True]`` on 19.0 (which rewrites them)."""
    if operator in ("=", "!="):
        accepted = {bool(value)}
    elif operator in ("in", "not in"):
        accepted = {bool(v) for v in value}
    else:
        raise ValueError(f"Unsupported operator {operator!r} on a boolean field")
    return {True, False} - accepted if operator in ("!=", "not in") else accepted


# -- scheduled jobs' progress ------------------------------------------------------------
def job_progress(env, done, remaining):
    """Tell Odoo's cron runner how far the running job got (it runs the job
    again at once while work remains).  18.0: ``ir.cron._notify_progress``.
    19.0 deprecates it for ``_commit_progress``, which also commits; crm_xero
    commits its batches itself (models/batch_commit.py, never in tests), so
    this writes the job's progress as ``_commit_progress`` does, without the
    commit.  Outside a cron run (no progress in the context) it does nothing."""
    cron = env["ir.cron"]
    if not hasattr(cron, "_commit_progress"):   # 18.0
        cron._notify_progress(done=done, remaining=remaining)
        return
    progress = env["ir.cron.progress"].sudo().browse(env.context.get("ir_cron_progress_id"))
    if progress:
        progress.write({"done": done, "remaining": remaining})


# -- series data ---------------------------------------------------------------------------
SERIES_DATA = f"data/series_{SERIES}.xml"


def load_series_data(env):
    """Load this series' data file, as a data file of crm_xero's manifest."""
    convert_file(env, "crm_xero", SERIES_DATA, {}, mode="update", noupdate=False)


class XeroCompat(models.AbstractModel):
    _name = "xero.compat"
    _description = "Odoo 18.0 / 19.0 differences"

    @api.model
    def _xero_load_series_data(self):
        load_series_data(self.env)
        return True


# -- the partner's mobile number ---------------------------------------------------------
class ResPartnerMobile(models.Model):
    _inherit = "res.partner"

    # Odoo's own on 18.0 (this only repeats it); on 19.0, which dropped it,
    # the number Xero keeps as the contact's MOBILE phone.
    mobile = fields.Char()

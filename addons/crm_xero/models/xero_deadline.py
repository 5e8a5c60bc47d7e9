"""How long a person waits on Xero at most, and how long a scheduled job may.

Every HTTP request (a button, the import preview, the first opening of an
account, a wizard's onchange reading Xero's lists) runs within one deadline
that all its Xero calls share (``xero/deadline.py``): system parameter
``crm_xero.request_deadline``, in seconds, 30 by default (Settings > CRM >
Xero), and never more than three quarters of Odoo's ``limit_time_real``, so
that a slow or hanging Xero gives the user a message instead of a killed
worker.  Scheduled jobs get their own, longer budget under Odoo's cron time
limit.
"""
import functools
import time

from odoo import models
from odoo.http import request
from odoo.tools import config

from ..xero import deadline

DEFAULT_REQUEST_SECONDS = 30.0
MIN_REQUEST_SECONDS = 1.0
# Of Odoo's own time limit, what Xero may use: the rest is Odoo's.
SHARE_OF_ODOO_LIMIT = 0.75
# A job's budget when Odoo sets no limit.
DEFAULT_JOB_SECONDS = 900.0


def odoo_time_limit(cron=False):
    """Odoo's real-time limit of a request (or of a cron job: its own,
    limit_time_real_cron, -1 meaning the request's), or None for none."""
    limit = config.get("limit_time_real_cron") if cron else -1
    if limit is None or limit < 0:
        limit = config.get("limit_time_real")
    return limit if limit and limit > 0 else None


def float_param(env, key, default):
    """A system parameter in seconds, ``default`` when unset or unreadable."""
    try:
        return float(env["ir.config_parameter"].sudo().get_param(key) or default)
    except ValueError:
        return float(default)


def request_seconds(env):
    """The deadline of a request a person waits on, in seconds."""
    seconds = max(float_param(env, "crm_xero.request_deadline", DEFAULT_REQUEST_SECONDS),
                  MIN_REQUEST_SECONDS)
    limit = odoo_time_limit()
    return min(seconds, limit * SHARE_OF_ODOO_LIMIT) if limit else seconds


def job_seconds():
    """The budget of one run of a scheduled job, in seconds."""
    limit = odoo_time_limit(cron=True)
    return limit * SHARE_OF_ODOO_LIMIT if limit else DEFAULT_JOB_SECONDS


def request_deadline(env):
    """The block a person waits on (the HTTP request's own deadline, if
    sooner, wins: nested deadlines never extend)."""
    return deadline.within(request_seconds(env))


def in_time(method):
    """Decorate what a person waits on, for callers outside an HTTP request
    too (tests, the shell): its Xero calls share the request's deadline."""
    @functools.wraps(method)
    def within_deadline(self, *args, **kwargs):
        with request_deadline(self.env):
            return method(self, *args, **kwargs)
    return within_deadline


def xero_job(method):
    """Decorate a scheduled job: its Xero calls share the job's budget."""
    @functools.wraps(method)
    def within_budget(self, *args, **kwargs):
        with deadline.within(job_seconds()):
            return method(self, *args, **kwargs)
    return within_budget


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _dispatch(cls, endpoint):
        # One deadline per request, kept when Odoo retries the request after
        # a serialization failure (the person has been waiting all along).
        at = getattr(request, "_crm_xero_deadline", None)
        if at is None:   # Odoo dispatches here with a database only
            at = request._crm_xero_deadline = time.monotonic() + request_seconds(request.env)
        with deadline.within(None, at=at):
            return super()._dispatch(endpoint)

"""Scheduled work commits after each batch, so a crash loses one batch at most.
Odoo's tests run everything in one transaction they roll back, and forbid
commits: there the batch boundaries are skipped."""
from odoo.modules import module


def in_tests():
    # Set by Odoo's test runner while tests run, on 18.0 and 19.0 alike (19.0
    # no longer marks the thread).
    return bool(module.current_test)


def commit(cr):
    if not in_tests():
        cr.commit()  # pylint: disable=invalid-commit  # the point of this module (see above)


def rollback(cr):
    if not in_tests():
        cr.rollback()

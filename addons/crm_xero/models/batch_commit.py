"""Scheduled work commits after each batch, so a crash loses one batch at most.
Odoo's tests run everything in one transaction they roll back, and forbid
commits: there the batch boundaries are skipped."""
import threading

from odoo.modules import module


def in_tests():
    # Odoo's runner sets current_test while tests run, on 18.0 and 19.0 (19.0
    # no longer marks the thread); pytest-odoo marks the thread instead on
    # 18.0, and sets current_test on 19.0.
    return bool(module.current_test) or getattr(threading.current_thread(), "testing", False)


def commit(cr):
    if not in_tests():
        cr.commit()  # pylint: disable=invalid-commit  # the point of this module (see above)


def rollback(cr):
    if not in_tests():
        cr.rollback()

"""Scheduled work commits after each batch, so a crash loses one batch at most.
Odoo's tests run everything in one transaction they roll back, and forbid
commits: there the batch boundaries are skipped."""
import threading


def in_tests():
    return getattr(threading.current_thread(), "testing", False)


def commit(cr):
    if not in_tests():
        cr.commit()  # pylint: disable=invalid-commit  # the point of this module (see above)


def rollback(cr):
    if not in_tests():
        cr.rollback()

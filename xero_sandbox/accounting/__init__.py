"""Accounting API resources (``/api.xro/2.0``): one module per resource family."""

"""Plain-Python Xero client layer of crm_xero (never imports odoo).

gateway.py: Accounting API calls; oauth.py: OAuth2 and connections;
errors.py: typed errors; pacing.py: per-organisation rate limiting.
"""

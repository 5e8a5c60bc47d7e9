"""Xero's numbers, in one place: page sizes, ids per call, timeouts, limits.

Sources: XERO.md and Xero's OpenAPI spec.  Everything that pages, batches or
waits takes its size from here.
"""

#: Xero's largest page (``pageSize``) for Contacts, Invoices, CreditNotes...
PAGE_SIZE = 1000
#: Ids per ``IDs=`` / ``ContactIDs=`` query: keeps the URL well under limits.
IDS_PER_CALL = 100

#: Seconds to connect, and to wait for an answer.  One pair for every call.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
#: Least time left of a request's deadline to send a write (else it is not sent).
MIN_WRITE_SECONDS = 2.0

#: Per organisation: calls in any rolling minute, and calls in flight.
MINUTE_LIMIT = 60
CONCURRENT_LIMIT = 5
#: Per app, across organisations: calls in any rolling minute.
APP_MINUTE_LIMIT = 10000
#: Of the minute budget, what background work (imports, scheduled jobs) may
#: use, so that a salesperson's click never queues behind an import.
BACKGROUND_MINUTE_LIMIT = 50
BACKGROUND_CONCURRENT_LIMIT = 4

#: Longest wait (s) for a rate-limit slot or a Retry-After, per priority.
MAX_WAIT = {"interactive": 10.0, "background": 90.0}
#: Retries after a 5xx or a network failure, per priority.
MAX_RETRIES = {"interactive": 2, "background": 4}
MAX_RATE_LIMIT_RETRIES = 3

#: Idempotency-Key: at most this long.
IDEMPOTENCY_KEY_MAX = 128
#: A history note (Contacts/{id}/History Details).
HISTORY_DETAILS_MAX = 250

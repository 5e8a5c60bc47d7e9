"""Subscribe Odoo to the local Xero sandbox's webhooks, as an admin does in
Xero's developer portal: deliveries to TARGET, signed with KEY.

    python3 scripts/sandbox_webhooks.py SANDBOX_URL TARGET KEY

Standard library only: make run and Docker's odoo-init both call it.
"""
import json
import sys
import urllib.request


def subscribe(sandbox_url, target, key):
    request = urllib.request.Request(
        sandbox_url.rstrip("/") + "/_sandbox/webhooks", method="POST",
        data=json.dumps({"url": target, "key": key}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


if __name__ == "__main__":
    subscribe(*sys.argv[1:4])
    print("sandbox webhooks go to %s" % sys.argv[2])

"""``python -m xero_sandbox``: run the sandbox until SIGTERM/SIGINT."""
import argparse
import signal
import sys
import threading

from .server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SandboxServer


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m xero_sandbox",
                                     description="A local, stateful Xero emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8070,
                        help="HTTPS: Xero's identity and API hosts, and everything else "
                             "(default 8070)")
    parser.add_argument("--browser-port", type=int, default=None,
                        help="plain HTTP for the pages a browser opens (consent, links into "
                             "Xero, online invoices) and the control API (default: --port + 1; "
                             "0: a free port)")
    parser.add_argument("--tls-dir", default="var/ca", metavar="DIR",
                        help="the local CA (ca.pem: what clients trust) and the sandbox's "
                             "certificate, made there if missing (default var/ca)")
    parser.add_argument("--tls-name", action="append", default=[], metavar="HOST",
                        help="an extra host name the certificate must cover (repeatable), "
                             "e.g. sandbox in Docker")
    parser.add_argument("--contacts", type=int, default=60,
                        help="contacts seeded in the demo organisation (default 60)")
    parser.add_argument("--seed", default="0", help="random seed for the demo data")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    parser.add_argument("--redirect-uri", action="append", default=[],
                        help="allowed redirect URI (repeatable); default: any "
                             "http://127.0.0.1 or localhost URI")
    parser.add_argument("--minute-limit", type=int, default=60)
    parser.add_argument("--day-limit", type=int, default=5000)
    parser.add_argument("--concurrent-limit", type=int, default=5)
    parser.add_argument("--state-file", metavar="PATH",
                        help="keep the whole state in this JSON file across restarts "
                             "(loaded at start if it exists, saved after changes and at exit)")
    parser.add_argument("--check-spec", action="store_true",
                        help="check every Accounting API request against Xero's OpenAPI "
                             "spec; violations are counted (GET /_sandbox/spec) and printed "
                             "to stderr, never refused")
    parser.add_argument("--spec", metavar="PATH",
                        help="xero_accounting.yaml to check against (default: "
                             "../shared/xero-openapi/ next to the repository)")
    parser.add_argument("--latency-per-call", type=float, default=0.0, metavar="SECONDS",
                        help="delay added to every API call (default 0: off)")
    parser.add_argument("--latency-per-item", type=float, default=0.0, metavar="SECONDS",
                        help="delay per record in list answers (contacts, invoices, "
                             "credit notes, payments; default 0: off)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    sandbox = SandboxServer(
        host=args.host, port=args.port, contacts=args.contacts, seed=args.seed,
        client_id=args.client_id, client_secret=args.client_secret,
        redirect_uris=args.redirect_uri, minute_limit=args.minute_limit,
        day_limit=args.day_limit, concurrent_limit=args.concurrent_limit,
        latency_per_call=args.latency_per_call, latency_per_item=args.latency_per_item,
        state_file=args.state_file, check_spec=args.check_spec, spec_path=args.spec,
        tls_dir=args.tls_dir, tls_names=args.tls_name,
        browser_port=args.port + 1 if args.browser_port is None and args.port else
        args.browser_port or 0)

    def stop(signum, frame):
        # shutdown() blocks until serve_forever returns: call it off this thread.
        threading.Thread(target=sandbox.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Scripts and tests read these lines: the first is the HTTPS address.
    print("xero_sandbox listening on %s" % sandbox.url, flush=True)
    print("xero_sandbox browser pages on %s" % sandbox.browser_url, flush=True)
    print("xero_sandbox CA certificate %s" % sandbox.ca_file, flush=True)
    try:
        sandbox.serve_forever()
    finally:
        sandbox.server_close()
        sandbox.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

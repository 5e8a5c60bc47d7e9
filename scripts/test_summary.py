"""Print the closing summary of `make test` and exit non-zero on any failure.

The Odoo runner logs "N failed, M error(s) of T tests when loading database";
a run where that line is missing or counts no test is a failure, never a pass.
The sandbox that served the Odoo tests checked every request against Xero's
OpenAPI spec: a single violation fails the run too.
"""
import argparse
import json
import re
import sys
import urllib.request
import xml.etree.ElementTree as ET

ODOO_RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")


def junit_counts(junit_path):
    try:
        root = ET.parse(junit_path).getroot()
    except (OSError, ET.ParseError):
        return None
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return total - failed - skipped, failed, skipped


def odoo_counts(log_path):
    try:
        with open(log_path, encoding="utf-8", errors="replace") as log:
            text = log.read()
    except OSError:
        return None
    matches = ODOO_RESULT.findall(text)
    if not matches:
        return None
    failed, errors, total = (int(n) for n in matches[-1])
    skipped = len(re.findall(r"odoo\.tests\.result: skipped ", text))
    return total - failed - errors - skipped, failed + errors, skipped


def spec_violations(url):
    """(checked, violations) as the sandbox counted them, or None."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/_sandbox/spec", timeout=10) as answer:
            data = json.load(answer)
    except (OSError, ValueError):
        return None
    if not data.get("enabled"):
        return None
    return data.get("checked", 0), data.get("violations") or []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lint-rc", type=int)
    parser.add_argument("--sandbox-junit")
    parser.add_argument("--sandbox-rc", type=int)
    parser.add_argument("--odoo-log", action="append", default=[],
                        help="an Odoo test log; give one --odoo-rc per log, in order")
    parser.add_argument("--odoo-rc", type=int, action="append", default=[])
    parser.add_argument("--workers-junit")
    parser.add_argument("--workers-rc", type=int)
    parser.add_argument("--spec-url")
    parser.add_argument("--seconds", type=int)
    args = parser.parse_args()

    problems = []
    if args.lint_rc is not None and args.lint_rc != 0:
        problems.append("lint failed: see var/test-lint.log")
    sandbox = junit_counts(args.sandbox_junit)
    if sandbox is None or sum(sandbox) == 0:
        problems.append("the sandbox tests did not run")
        sandbox = (0, 0, 0)
    elif args.sandbox_rc != 0 and sandbox[1] == 0:
        problems.append(f"pytest exited with {args.sandbox_rc}")
    odoo = (0, 0, 0)
    for log, rc in zip(args.odoo_log, args.odoo_rc):
        counts = odoo_counts(log)
        if counts is None or sum(counts) == 0:
            problems.append(f"the Odoo tests did not run (no test result in {log})")
            continue
        if rc != 0 and counts[1] == 0:
            problems.append(f"Odoo exited with {rc}: see {log}")
        if counts[2]:
            # No Odoo test is skipped on purpose: a skip is a tour without a browser.
            problems.append(f"{counts[2]} Odoo tests were skipped: see {log}")
        odoo = tuple(total + n for total, n in zip(odoo, counts))
    workers = (0, 0, 0)
    if args.workers_junit:
        workers = junit_counts(args.workers_junit)
        if workers is None or sum(workers) == 0:
            problems.append("the prefork run did not run: see var/test-workers.log")
            workers = (0, 0, 0)
        elif args.workers_rc != 0 and workers[1] == 0:
            problems.append(f"the prefork run exited with {args.workers_rc}")
    if args.spec_url:
        spec = spec_violations(args.spec_url)
        if spec is None:
            problems.append("the sandbox's spec check was not on or could not be read")
        else:
            checked, violations = spec
            print(f"spec check:    {checked} requests checked against xero_accounting.yaml, "
                  f"{len(violations)} violations")
            for violation in violations[:20]:
                print("  violation: %(method)s %(path)s: %(message)s" % violation)
            if violations:
                problems.append(f"{len(violations)} requests broke Xero's OpenAPI spec")

    print(f"sandbox tests: {sandbox[0]} passed, {sandbox[1]} failed, {sandbox[2]} skipped")
    print(f"odoo tests:    {odoo[0]} passed, {odoo[1]} failed, {odoo[2]} skipped")
    print(f"prefork run:   {workers[0]} passed, {workers[1]} failed, {workers[2]} skipped")
    for problem in problems:
        print(f"ERROR: {problem}")
    passed, failed, skipped = (s + o + w for s, o, w in zip(sandbox, odoo, workers))
    failed += len(problems)
    print(f"{'=' * 20} {passed} passed, {failed} failed, {skipped} skipped in {args.seconds}s "
          f"{'=' * 20}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

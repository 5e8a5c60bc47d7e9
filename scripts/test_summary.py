"""Print the closing summary of `make test` and exit non-zero on any failure.

The Odoo runner logs "N failed, M error(s) of T tests when loading database";
a run where that line is missing or counts no test is a failure, never a pass.
"""
import argparse
import re
import sys
import xml.etree.ElementTree as ET

ODOO_RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")


def sandbox_counts(junit_path):
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sandbox-junit")
    parser.add_argument("--sandbox-rc", type=int)
    parser.add_argument("--odoo-log", action="append", default=[],
                        help="an Odoo test log; give one --odoo-rc per log, in order")
    parser.add_argument("--odoo-rc", type=int, action="append", default=[])
    parser.add_argument("--seconds", type=int)
    args = parser.parse_args()

    problems = []
    sandbox = sandbox_counts(args.sandbox_junit)
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
        odoo = tuple(total + n for total, n in zip(odoo, counts))

    print(f"sandbox tests: {sandbox[0]} passed, {sandbox[1]} failed, {sandbox[2]} skipped")
    print(f"odoo tests:    {odoo[0]} passed, {odoo[1]} failed, {odoo[2]} skipped")
    for problem in problems:
        print(f"ERROR: {problem}")
    passed, failed, skipped = (s + o for s, o in zip(sandbox, odoo))
    failed += len(problems)
    print(f"{'=' * 20} {passed} passed, {failed} failed, {skipped} skipped in {args.seconds}s {'=' * 20}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

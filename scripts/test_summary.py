"""Print the closing summary of `make test` and exit non-zero on any failure.

A line for lint and the sandbox's tests (run once), a line per Odoo series
(its Odoo tests under pytest-odoo, its prefork run, what its sandbox checked
against Xero's OpenAPI spec, and how long each part took), then the total.
A part that did not run, a skipped test, or a single request that broke the
spec is a failure, never a pass.  Reads what the scripts left in var/.
"""
import argparse
import glob
import json
import os
import sys
import xml.etree.ElementTree as ET

#: The addons whose tests each series must have run (their JUnit class names
#: start with addons.<addon>.tests: pytest runs with the repository as rootdir).
ADDONS = ("crm_xero", "crm_xero_sale")


def junit_cases(junit_path):
    """[(classname, outcome)] of a JUnit report, or None if unreadable;
    outcome is passed, failed or skipped."""
    try:
        root = ET.parse(junit_path).getroot()
    except (OSError, ET.ParseError):
        return None
    cases = []
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            outcome = "failed"
        elif case.find("skipped") is not None:
            outcome = "skipped"
        else:
            outcome = "passed"
        cases.append((case.get("classname") or "", outcome))
    # A collection error has no testcase: the suite's own counters say so.
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    counted = sum(int(s.get("errors", 0)) + int(s.get("failures", 0)) for s in suites)
    failed = sum(1 for _c, outcome in cases if outcome == "failed")
    cases += [("<collection>", "failed")] * max(counted - failed, 0)
    return cases


def counts(cases):
    return tuple(sum(1 for _c, o in cases if o == outcome)
                 for outcome in ("passed", "failed", "skipped"))


def read_json(path, default=None):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return default


def series_report(var, series, rc, problems):
    """(passed, failed, skipped) of one series, its line printed."""
    odoo_cases = junit_cases(os.path.join(var, f"junit-odoo-{series}.xml"))
    if not odoo_cases:
        problems.append(f"{series}: the Odoo tests did not run (see var/test-{series}-odoo.log "
                        f"and var/test-{series}.log)")
        odoo_cases = []
    per_addon = {addon: sum(1 for c, _o in odoo_cases
                            if c.startswith(f"addons.{addon}.tests.")) for addon in ADDONS}
    for addon, number in per_addon.items():
        if odoo_cases and not number:
            problems.append(f"{series}: no test of {addon} ran")
    odoo = counts(odoo_cases)
    if odoo[2]:
        # No Odoo test is skipped on purpose: a skip is a tour without a browser.
        problems.append(f"{series}: {odoo[2]} Odoo tests were skipped: see "
                        f"var/test-{series}-odoo.log")
    workers_cases = junit_cases(os.path.join(var, f"junit-workers-{series}.xml"))
    if not workers_cases:
        problems.append(f"{series}: the prefork run did not run: see var/test-{series}-workers.log")
        workers_cases = []
    workers = counts(workers_cases)
    rcs = read_json(os.path.join(var, f"test-{series}-rc.json"), {})
    if rc and not (odoo[1] or workers[1]):
        problems.append(f"{series}: exited with {rc} (rc {rcs or 'unknown'}): see "
                        f"var/test-{series}.log")
    spec = read_json(os.path.join(var, f"spec-{series}.json"), {})
    if not spec.get("enabled"):
        problems.append(f"{series}: the sandbox's spec check was not on or could not be read")
        spec_text = "spec check missing"
    else:
        violations = spec.get("violations") or []
        spec_text = (f"{spec.get('checked', 0)} requests checked against xero_accounting.yaml, "
                     f"{len(violations)} violations")
        for violation in violations[:20]:
            print(f"  {series} violation: %(method)s %(path)s: %(message)s" % violation)
        if violations:
            problems.append(f"{series}: {len(violations)} requests broke Xero's OpenAPI spec")
    times = read_json(os.path.join(var, f"test-{series}-times.json"), {})
    addon_text = ", ".join(f"{addon} {number}" for addon, number in per_addon.items())
    print(f"{series}: odoo tests {odoo[0]} passed, {odoo[1]} failed, {odoo[2]} skipped "
          f"({addon_text}); prefork {workers[0]} passed, {workers[1]} failed, "
          f"{workers[2]} skipped; {spec_text}; "
          + ", ".join(f"{part.replace('_', ' ')} {seconds} s" for part, seconds in times.items()))
    return tuple(a + b for a, b in zip(odoo, workers))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", default="var")
    parser.add_argument("--series", action="append", default=[])
    parser.add_argument("--series-rc", action="append", default=[],
                        help="SERIES=RC, the exit code of scripts/test_series.sh")
    parser.add_argument("--lint-rc", type=int)
    parser.add_argument("--sandbox-rc", type=int)
    parser.add_argument("--wheels-rc", type=int)
    parser.add_argument("--partial", help="the supported series, when only some were tested")
    parser.add_argument("--seconds", type=int)
    args = parser.parse_args()
    rcs = dict(item.split("=", 1) for item in args.series_rc)

    problems = []
    if args.lint_rc != 0:
        problems.append("lint failed: see var/test-lint.log")
    print(f"lint:          {'clean' if args.lint_rc == 0 else 'FAILED'}")
    sandbox_cases = junit_cases(os.path.join(args.var, "junit-sandbox.xml"))
    if not sandbox_cases:
        problems.append("the sandbox tests did not run")
        sandbox_cases = []
    sandbox = counts(sandbox_cases)
    if args.sandbox_rc and not sandbox[1]:
        problems.append(f"the sandbox tests exited with {args.sandbox_rc}")
    if sandbox[2]:
        problems.append(f"{sandbox[2]} sandbox tests were skipped")
    print(f"sandbox tests: {sandbox[0]} passed, {sandbox[1]} failed, {sandbox[2]} skipped")
    wheels = sorted(os.path.basename(path) for path in glob.glob(
        os.path.join(args.var, "wheels", "*", "*.whl")))
    if args.wheels_rc != 0 or not wheels:
        problems.append("the wheels did not build or lack files: see var/test-wheels.log")
    print(f"wheels:        {len(wheels)} built, contents checked: {', '.join(wheels)}"
          if args.wheels_rc == 0 else "wheels:        FAILED")
    total = sandbox
    if not args.series:
        problems.append("no Odoo series was tested")
    for series in args.series:
        result = series_report(args.var, series, int(rcs.get(series, 1)), problems)
        total = tuple(a + b for a, b in zip(total, result))
    if args.partial:
        print(f"NOTE: only {', '.join(args.series)} tested (TEST_SERIES); make test covers "
              f"{args.partial}")
    for problem in problems:
        print(f"ERROR: {problem}")
    passed, failed, skipped = total
    failed += len(problems)
    print(f"{'=' * 20} {passed} passed, {failed} failed, {skipped} skipped in {args.seconds}s "
          f"{'=' * 20}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

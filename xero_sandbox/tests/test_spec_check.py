"""--check-spec: requests that break Xero's spec are counted, kept and printed, not refused."""
import requests

from xero_sandbox import DEMO_TENANT_ID, SandboxServer

from .conftest import TLS_DIR

SPEC_CHECK = True


def _report(sandbox):
    return requests.get(sandbox.url + "/_sandbox/spec").json()


def test_wrong_requests_are_counted_but_answered(sandbox, api, capsys):
    requests.delete(sandbox.url + "/_sandbox/spec")
    assert api.get("/Contacts", params={"page": 1}).status_code == 200
    assert _report(sandbox) == {"enabled": True, "spec": sandbox.spec_check.path,
                                "checked": 1, "violations": []}
    headers = dict(api.session.headers)
    wrong_body = requests.put(sandbox.url + "/api.xro/2.0/Contacts", headers=headers, json={
        "Contacts": [{"Name": "Wrong Types Ltd",
                      "PaymentTerms": {"Sales": {"Day": 30, "Type": "WHENEVER"}}}]})
    assert wrong_body.status_code == 200                 # observed, never refused
    wrong_query = requests.get(sandbox.url + "/api.xro/2.0/Contacts", headers=headers,
                               params={"summaryOnly": "maybe"})
    assert wrong_query.status_code == 200
    no_tenant = requests.get(sandbox.url + "/api.xro/2.0/Organisation", headers={
        "Authorization": headers["Authorization"]})
    assert no_tenant.status_code == 403
    report = _report(sandbox)
    assert report["checked"] == 4
    assert [(v["method"], v["path"], v["operation"]) for v in report["violations"]] == [
        ("PUT", "/api.xro/2.0/Contacts", "createContacts"),
        ("GET", "/api.xro/2.0/Contacts", "getContacts"),
        ("GET", "/api.xro/2.0/Organisation", "getOrganisations")]
    body, query, header = [v["message"] for v in report["violations"]]
    assert "'WHENEVER' is not one of" in body and "/Contacts/0/PaymentTerms/Sales/Type" in body
    assert "summaryOnly" in query
    assert "xero-tenant-id" in header
    printed = capsys.readouterr().err
    assert "spec violation: PUT /api.xro/2.0/Contacts (createContacts)" in printed


def test_reset_keeps_the_violations_delete_clears_them(sandbox, api):
    requests.delete(sandbox.url + "/_sandbox/spec")
    requests.get(sandbox.url + "/api.xro/2.0/Nothing", headers=dict(api.session.headers))
    [violation] = _report(sandbox)["violations"]
    assert violation["operation"] is None and "/api.xro/2.0/Nothing" in violation["message"]
    sandbox.reset()                          # a whole test run is asserted at its end
    assert len(_report(sandbox)["violations"]) == 1
    cleared = requests.delete(sandbox.url + "/_sandbox/spec").json()
    assert (cleared["checked"], cleared["violations"]) == (0, [])


def test_read_only_fields_alone_are_not_violations(sandbox, api):
    requests.delete(sandbox.url + "/_sandbox/spec")
    contact = api.get("/Contacts", params={"page": 1, "pageSize": 1}).json()["Contacts"][0]
    answer = requests.put(sandbox.url + "/api.xro/2.0/Invoices", headers=dict(
        api.session.headers), json={"Invoices": [{
            "Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]},
            "HasAttachments": False,      # what xero-python always sends
            "LineItems": [{"Description": "x", "UnitAmount": 1, "AccountCode": "200"}]}]})
    assert answer.status_code == 200
    assert _report(sandbox)["violations"] == []


def test_off_unless_asked():
    server = SandboxServer(port=0, contacts=0, tls_dir=TLS_DIR).start()
    try:
        assert _report(server) == {"enabled": False, "checked": 0, "violations": []}
        assert server.spec_check is None
    finally:
        server.stop()
    assert DEMO_TENANT_ID in server.tenant_ids

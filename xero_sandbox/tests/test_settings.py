"""Organisation, Accounts, TaxRates and Currencies as an integration reads them."""


def test_organisation(api):
    answer = api.get("/Organisation")
    assert answer.status_code == 200
    body = answer.json()
    assert body["Status"] == "OK" and body["Id"] and body["DateTimeUTC"].startswith("/Date(")
    [org] = body["Organisations"]
    assert org["Name"] == "Demo Company (Global)" and org["ShortCode"] == "!dEm0C"
    assert org["BaseCurrency"] == "USD" and org["CountryCode"] == "US"
    assert org["DefaultSalesTax"] == "Tax Exclusive"


def test_second_org_is_british(second_api):
    [org] = second_api.get("/Organisation").json()["Organisations"]
    assert org["Name"] == "Sandbox Second Org Ltd" and org["BaseCurrency"] == "GBP"


def test_active_revenue_accounts_with_where(api):
    answer = api.get("/Accounts", params={"where": 'Status=="ACTIVE" AND Class=="REVENUE"'})
    assert answer.status_code == 200
    accounts = answer.json()["Accounts"]
    assert [(a["Code"], a["Type"], a["TaxType"]) for a in accounts] == [
        ("200", "REVENUE", "OUTPUT"), ("260", "REVENUE", "OUTPUT"),
        ("270", "OTHERINCOME", "TAX001")]
    every = api.get("/Accounts").json()["Accounts"]
    archived = [a["Code"] for a in every if a["Status"] == "ARCHIVED"]
    assert archived == ["280"]
    assert {a["Class"] for a in every} == {"ASSET", "EXPENSE", "LIABILITY", "EQUITY",
                                           "REVENUE"}


def test_where_syntax_variants_and_errors(api):
    where = 'Name.ToLower().Contains("revenue") OR Code.StartsWith("27")'
    codes = [a["Code"] for a in api.get("/Accounts", params={"where": where})
             .json()["Accounts"]]
    assert codes == ["260", "270", "280"]
    broken = api.get("/Accounts", params={"where": 'Status=="ACTIVE" AND'})
    assert broken.status_code == 400
    assert broken.json()["Type"] == "QueryParseException"
    assert api.get("/Accounts", params={"where": "__import__('os')"}).status_code == 400


def test_tax_rates(api):
    rates = {r["TaxType"]: r for r in api.get("/TaxRates").json()["TaxRates"]}
    assert rates["OUTPUT"]["Name"] == "Tax on Sales"
    assert rates["OUTPUT"]["EffectiveRate"] == 15.0 and rates["OUTPUT"]["CanApplyToRevenue"]
    assert rates["TAX001"]["EffectiveRate"] == 0.0
    assert not rates["INPUT"]["CanApplyToRevenue"]
    revenue = api.get("/TaxRates", params={
        "where": 'Status=="ACTIVE" AND CanApplyToRevenue==true'}).json()["TaxRates"]
    assert sorted(r["TaxType"] for r in revenue) == ["NONE", "OUTPUT", "TAX001"]
    [one] = api.get("/TaxRates", params={"TaxType": "INPUT"}).json()["TaxRates"]
    assert one["Name"] == "Tax on Purchases"


def test_currencies(api):
    codes = [c["Code"] for c in api.get("/Currencies").json()["Currencies"]]
    assert codes == ["USD", "EUR", "GBP"]

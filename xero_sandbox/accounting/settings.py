"""Organisation, Accounts, TaxRates and Currencies: read-only settings.

The tables below are the chart of accounts and tax rates each sandbox
organisation starts with.  They mirror Xero's demo companies closely enough
that an integration's revenue-account and tax pickers have real choices,
including an ARCHIVED revenue account and a DELETED tax rate to filter out.
"""
import uuid

from .. import xero_json
from .common import not_found, sort_records, where_filter

# (Code, Name, Type, Class, TaxType, Status, SystemAccount)
_ACCOUNTS = [
    ("090", "Business Bank Account", "BANK", "ASSET", "NONE", "ACTIVE", ""),
    ("120", "Accounts Receivable", "CURRENT", "ASSET", "NONE", "ACTIVE", "DEBTORS"),
    ("140", "Prepayments", "CURRENT", "ASSET", "NONE", "ACTIVE", ""),
    ("200", "Sales", "REVENUE", "REVENUE", "{sales}", "ACTIVE", ""),
    ("260", "Other Revenue", "REVENUE", "REVENUE", "{sales}", "ACTIVE", ""),
    ("270", "Interest Income", "OTHERINCOME", "REVENUE", "{exempt}", "ACTIVE", ""),
    ("280", "Consulting Revenue (old)", "REVENUE", "REVENUE", "{sales}", "ARCHIVED", ""),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "EXPENSE", "{purchases}", "ACTIVE", ""),
    ("400", "Advertising", "OVERHEADS", "EXPENSE", "{purchases}", "ACTIVE", ""),
    ("429", "General Expenses", "EXPENSE", "EXPENSE", "{purchases}", "ACTIVE", ""),
    ("710", "Office Equipment", "FIXED", "ASSET", "{purchases}", "ACTIVE", ""),
    ("800", "Accounts Payable", "CURRLIAB", "LIABILITY", "NONE", "ACTIVE", "CREDITORS"),
    ("820", "Sales Tax", "CURRLIAB", "LIABILITY", "NONE", "ACTIVE", "GST"),
    ("960", "Retained Earnings", "EQUITY", "EQUITY", "NONE", "ACTIVE", "RETAINEDEARNINGS"),
]

# (TaxType, Name, Rate, ReportTaxType, Status, revenue, expenses, other classes)
_TAX_RATES = {
    "US": [
        ("OUTPUT", "Tax on Sales", "15.00", "OUTPUT", "ACTIVE", True, False, True),
        ("INPUT", "Tax on Purchases", "15.00", "INPUT", "ACTIVE", False, True, True),
        ("TAX001", "Tax Exempt", "0.00", "EXEMPTOUTPUT", "ACTIVE", True, True, True),
        ("TAX002", "Tax on Goods (old)", "8.75", "OUTPUT", "DELETED", True, False, False),
        ("NONE", "No Tax", "0.00", "NONE", "ACTIVE", True, True, True),
    ],
    "GB": [
        ("OUTPUT2", "20% (VAT on Income)", "20.00", "OUTPUT", "ACTIVE", True, False, True),
        ("INPUT2", "20% (VAT on Expenses)", "20.00", "INPUT", "ACTIVE", False, True, True),
        ("ZERORATEDOUTPUT", "Zero Rated Income", "0.00", "ZERORATEDOUTPUT", "ACTIVE",
         True, False, True),
        ("NONE", "No VAT", "0.00", "NONE", "ACTIVE", True, True, True),
    ],
}
_TAX_ROLES = {
    "US": {"sales": "OUTPUT", "purchases": "INPUT", "exempt": "TAX001"},
    "GB": {"sales": "OUTPUT2", "purchases": "INPUT2", "exempt": "ZERORATEDOUTPUT"},
}
CURRENCY_NAMES = {"USD": "United States Dollar", "EUR": "Euro",
                  "GBP": "British Pound", "NZD": "New Zealand Dollar",
                  "AUD": "Australian Dollar"}


def build_accounts(tenant_id, country, created):
    roles = _TAX_ROLES[country]
    accounts = []
    for code, name, type_, class_, tax, status, system in _ACCOUNTS:
        account = {
            "AccountID": str(uuid.uuid5(uuid.UUID(tenant_id), "account-" + code)),
            "Code": code, "Name": name, "Type": type_, "Class": class_,
            "TaxType": tax.format(**roles), "Status": status,
            "Description": "", "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": class_ == "EXPENSE", "BankAccountType": "",
            "ReportingCode": class_[:3], "ReportingCodeName": class_.title(),
            "HasAttachments": False, "AddToWatchlist": False, "UpdatedDateUTC": created,
        }
        if type_ == "BANK":
            account.update(BankAccountNumber="121-000-123456", BankAccountType="BANK",
                           EnablePaymentsToAccount=True)
        if system:
            account["SystemAccount"] = system
        accounts.append(account)
    return accounts


def build_tax_rates(country):
    rates = []
    for tax_type, name, rate, report, status, revenue, expenses, other in _TAX_RATES[country]:
        rate = xero_json.to_decimal(rate)
        rates.append({
            "Name": name, "TaxType": tax_type, "ReportTaxType": report, "Status": status,
            "CanApplyToAssets": other, "CanApplyToEquity": other,
            "CanApplyToExpenses": expenses, "CanApplyToLiabilities": other,
            "CanApplyToRevenue": revenue, "DisplayTaxRate": rate, "EffectiveRate": rate,
            "TaxComponents": [{"Name": name.split(" (")[0], "Rate": rate,
                               "IsCompound": False, "IsNonRecoverable": False}],
        })
    return rates


def build_organisation(org, country, created):
    gb = country == "GB"
    return {
        "OrganisationID": org.tenant_id, "APIKey": org.short_code.strip("!").upper(),
        "Name": org.name, "LegalName": org.name, "PaysTax": True,
        "Version": "UK" if gb else "GLOBAL", "OrganisationType": "COMPANY",
        "BaseCurrency": org.base_currency, "CountryCode": country,
        "IsDemoCompany": not gb, "OrganisationStatus": "ACTIVE",
        "TaxNumber": "GB123456789" if gb else "101-2-303",
        "FinancialYearEndDay": 31, "FinancialYearEndMonth": 12 if not gb else 3,
        "SalesTaxBasis": "ACCRUALS", "SalesTaxPeriod": "QUARTERLY",
        "DefaultSalesTax": "Tax Exclusive", "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": xero_json.ms_datetime(created),
        "OrganisationEntityType": "COMPANY",
        "Timezone": "GMTSTANDARDTIME" if gb else "EASTERNSTANDARDTIME",
        "ShortCode": org.short_code, "Class": "DEMO" if not gb else "STANDARD",
        "Edition": "BUSINESS", "LineOfBusiness": "Software and services",
        "Addresses": [{"AddressType": "STREET", "AddressLine1": "23 Main Street",
                       "City": "London" if gb else "Oaktown",
                       "PostalCode": "EC1A 1BB" if gb else "94100",
                       "Country": "United Kingdom" if gb else "United States"}],
        "Phones": [{"PhoneType": "OFFICE", "PhoneNumber": "800-1234"}],
        "ExternalLinks": [],
        "PaymentTerms": {"Sales": {"Day": 30, "Type": "DAYSAFTERBILLDATE"},
                         "Bills": {"Day": 30, "Type": "DAYSAFTERBILLDATE"}},
    }


def _account_json(account):
    out = dict(account)
    out["UpdatedDateUTC"] = xero_json.ms_datetime(account["UpdatedDateUTC"])
    return out


def _tax_json(rate):
    out = dict(rate)
    for key in ("DisplayTaxRate", "EffectiveRate"):
        out[key] = xero_json.number(rate[key])
    out["TaxComponents"] = [dict(c, Rate=xero_json.number(c["Rate"]))
                            for c in rate["TaxComponents"]]
    return out


def get_organisation(ctx):
    return 200, xero_json.envelope("Organisations", [ctx.org.organisation])


def get_accounts(ctx):
    records = ctx.org.accounts
    predicate = where_filter(ctx.arg("where"))
    if predicate:
        records = [a for a in records if predicate(a)]
    records = sort_records(records, ctx.arg("order"), "Code")
    return 200, xero_json.envelope("Accounts", [_account_json(a) for a in records])


def get_account(ctx):
    account = next((a for a in ctx.org.accounts
                    if a["AccountID"] == ctx.params["id"].lower()), None)
    if account is None:
        raise not_found()
    return 200, xero_json.envelope("Accounts", [_account_json(account)])


def get_tax_rates(ctx):
    records = ctx.org.tax_rates
    predicate = where_filter(ctx.arg("where"))
    if predicate:
        records = [r for r in records if predicate(r)]
    tax_type = ctx.arg("TaxType")
    if tax_type:
        records = [r for r in records if r["TaxType"] == tax_type.upper()]
    records = sort_records(records, ctx.arg("order"), "Name")
    return 200, xero_json.envelope("TaxRates", [_tax_json(r) for r in records])


def get_currencies(ctx):
    records = ctx.org.currencies
    predicate = where_filter(ctx.arg("where"))
    if predicate:
        records = [c for c in records if predicate(c)]
    if ctx.arg("order"):
        records = sort_records(records, ctx.arg("order"), "Code")
    return 200, xero_json.envelope("Currencies", list(records))


ROUTES = [
    ("GET", "/Organisation", get_organisation, "accounting.settings"),
    ("GET", "/Accounts", get_accounts, "accounting.settings"),
    ("GET", "/Accounts/{id}", get_account, "accounting.settings"),
    ("GET", "/TaxRates", get_tax_rates, "accounting.settings"),
    ("GET", "/Currencies", get_currencies, "accounting.settings"),
]

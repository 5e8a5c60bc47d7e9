"""Xero ``where`` filters, built safely: values are quoted, never pasted.

    where.any_of(where.eq("Name", name), where.eq("EmailAddress", email))
    -> 'Name=="Acme \\"Ltd\\"" OR EmailAddress=="a@b.c"'
"""


def quote(value):
    """A string literal for Xero's where syntax."""
    return '"%s"' % str(value).replace("\\", "\\\\").replace('"', '\\"')


def eq(field, value):
    return "%s==%s" % (field, quote(value))


def eq_ignore_case(field, value):
    """``field`` equals ``value`` in any case, as Xero compares names and
    codes for uniqueness (its ``==`` is case-sensitive).  An optional field
    is tested for null first: Xero fails a method called on a null."""
    return '%s!=null AND %s.ToLower()==%s' % (field, field, quote(str(value).lower()))


def guid_eq(field, value):
    return '%s==Guid(%s)' % (field, quote(value))


def any_of(*clauses):
    clauses = [c for c in clauses if c]
    return " OR ".join(clauses) if len(clauses) < 2 else " OR ".join(
        "(%s)" % c if " AND " in c else c for c in clauses)


def all_of(*clauses):
    clauses = [c for c in clauses if c]
    return " AND ".join("(%s)" % c if " OR " in c else c for c in clauses)

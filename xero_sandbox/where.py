"""A small, safe interpreter for Xero's ``where`` filter syntax.

Xero accepts a C#/LINQ-like expression (``Status=="ACTIVE" AND Class=="REVENUE"``,
``Name.ToLower().Contains("acme")``, ``ContactID==Guid("...")``).  Integrations
only use a handful of forms, so this parser covers those and refuses the rest
with Xero's QueryParseException instead of ever evaluating user text.
"""
import datetime as dt
import re
from decimal import Decimal

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<op>==|!=|<=|>=|<|>|&&|\|\||!|\(|\)|,|\.)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    )""", re.VERBOSE)

_METHODS = {"contains", "startswith", "endswith", "tolower", "toupper", "trim"}


class WhereError(ValueError):
    """Raised for anything the parser does not understand."""


def _tokenize(text):
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise WhereError("Unexpected character at position %d" % pos)
        pos = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        tokens.append((kind, value))
    return tokens


def _lookup(record, path):
    value = record
    for part in path:
        if not isinstance(value, dict):
            return None
        if part in value:
            value = value[part]
            continue
        lowered = part.lower()
        value = next((v for k, v in value.items() if k.lower() == lowered), None)
    return value


def _norm(value):
    """Bring both sides of a comparison to comparable Python types."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    if isinstance(value, float):
        return Decimal(str(value))
    if value == "":
        return None
    return value


def _compare(op, left, right):
    left, right = _norm(left), _norm(right)
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    if left is None or right is None:
        return False
    try:
        return {"<": left < right, ">": left > right,
                "<=": left <= right, ">=": left >= right}[op]
    except TypeError:
        return False


def _equal(left, right):
    if isinstance(left, str) and isinstance(right, str):
        # Ids are compared case-insensitively (Guid vs string forms).
        if len(left) == 36 and len(right) == 36:
            return left.lower() == right.lower()
    return left == right


def _either(left, right):
    return lambda record: bool(left(record)) or bool(right(record))


def _both(left, right):
    return lambda record: bool(left(record)) and bool(right(record))


class _Parser:
    def __init__(self, tokens):
        self.tokens, self.pos = tokens, 0

    def peek(self, offset=0):
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else (None, None)

    def take(self, kind=None, value=None):
        token = self.peek()
        if token[0] is None or (kind and token[0] != kind) or (
                value is not None and str(token[1]).upper() != value.upper()):
            raise WhereError("Expected %s near token %d" % (value or kind, self.pos))
        self.pos += 1
        return token[1]

    def is_word(self, *words):
        kind, value = self.peek()
        return kind in ("ident", "op") and str(value).upper() in words

    def parse(self):
        node = self.or_expr()
        if self.peek()[0] is not None:
            raise WhereError("Unexpected %r" % (self.peek()[1],))
        return node

    def or_expr(self):
        node = self.and_expr()
        while self.is_word("OR", "||"):
            self.pos += 1
            left, right = node, self.and_expr()
            node = _either(left, right)
        return node

    def and_expr(self):
        node = self.not_expr()
        while self.is_word("AND", "&&"):
            self.pos += 1
            left, right = node, self.not_expr()
            node = _both(left, right)
        return node

    def not_expr(self):
        if self.is_word("NOT", "!"):
            self.pos += 1
            inner = self.not_expr()
            return lambda r: not inner(r)
        return self.comparison()

    def comparison(self):
        left = self.operand()
        kind, value = self.peek()
        if kind == "op" and value in ("==", "!=", "<", ">", "<=", ">="):
            self.pos += 1
            right = self.operand()
            return lambda r, op=value: _compare(op, left(r), right(r))
        return left

    def operand(self):
        node = self.primary()
        while self.peek() == ("op", ".") and self.peek(1)[0] == "ident":
            method = self.peek(1)[1].lower()
            if method not in _METHODS:
                raise WhereError("Unsupported method %s" % self.peek(1)[1])
            self.pos += 2
            self.take("op", "(")
            arg = None if self.peek() == ("op", ")") else self.operand()
            self.take("op", ")")
            node = _method(method, node, arg)
        return node

    def primary(self):
        kind, value = self.peek()
        if kind == "op" and value == "(":
            self.pos += 1
            node = self.or_expr()
            self.take("op", ")")
            return node
        if kind == "string":
            self.pos += 1
            return lambda r: value
        if kind == "number":
            self.pos += 1
            constant = Decimal(value)
            return lambda r: constant
        if kind != "ident":
            raise WhereError("Unexpected %r" % (value,))
        word = value.lower()
        if word in ("true", "false", "null"):
            self.pos += 1
            constant = {"true": True, "false": False, "null": None}[word]
            return lambda r: constant
        if word == "guid" and self.peek(1) == ("op", "("):
            self.pos += 2
            text = self.take("string").lower()
            self.take("op", ")")
            return lambda r: text
        if word == "datetime" and self.peek(1) == ("op", "("):
            return self.datetime_literal()
        return self.field_path()

    def datetime_literal(self):
        self.pos += 2
        parts = [int(self.take("number"))]
        while self.peek() == ("op", ","):
            self.pos += 1
            parts.append(int(self.take("number")))
        self.take("op", ")")
        try:
            constant = dt.datetime(*parts, tzinfo=dt.timezone.utc)
        except (TypeError, ValueError) as exc:
            raise WhereError(str(exc))
        return lambda r: constant

    def field_path(self):
        path = [self.take("ident")]
        while (self.peek() == ("op", ".") and self.peek(1)[0] == "ident"
               and self.peek(1)[1].lower() not in _METHODS):
            self.pos += 1
            path.append(self.take("ident"))
        path = tuple(path)
        return lambda r: _lookup(r, path)


def _method(name, target, arg):
    def call(record):
        value = target(record)
        if name in ("tolower", "toupper", "trim"):
            if value is None:
                return None
            text = str(value)
            return {"tolower": text.lower, "toupper": text.upper, "trim": text.strip}[name]()
        if value is None:
            return False
        needle = "" if arg is None else str(arg(record))
        text = str(value)
        if name == "contains":
            return needle in text
        if name == "startswith":
            return text.startswith(needle)
        return text.endswith(needle)
    return call


def compile_where(text):
    """``where`` text -> predicate(record_dict) -> bool. Raises WhereError."""
    if text is None or not text.strip():
        return None
    return _Parser(_tokenize(text)).parse()


def mentions(text, field):
    """Whether a where clause refers to a field (e.g. ContactStatus)."""
    return bool(text) and re.search(r"\b%s\b" % re.escape(field), text, re.I) is not None

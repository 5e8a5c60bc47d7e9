"""``--check-spec``: every Accounting API request checked against Xero's OpenAPI spec.

The check observes, it never refuses: a request that breaks the spec is
answered as usual (real Xero is often lenient too), but it is counted, kept
(method, path, operation, message) and printed to stderr, so a whole test run
of the addon can assert at the end that it only ever sent what Xero
documents.  openapi-core and PyYAML are development dependencies, imported
only when the check is on; the spec is parsed once, at startup.

Xero's published spec does not pass strict spec validation (string defaults
on booleans), so, as tests/conftest.py does, the spec itself is not validated.
Read-only properties in request bodies are not counted (see ``_read_only``).
"""
import pathlib
import sys
import threading

XERO_API = "https://api.xero.com"
PREFIX = "/api.xro/2.0"
# Where tests/conftest.py finds it: ../shared/xero-openapi next to the repository.
_DEFAULT = pathlib.Path(__file__).resolve().parents[2] / "shared" / "xero-openapi" \
    / "xero_accounting.yaml"
_FALLBACK = pathlib.Path("/work/shared/xero-openapi/xero_accounting.yaml")
_parsed = {}
_parse_lock = threading.Lock()


def default_spec_path():
    return str(_DEFAULT if _DEFAULT.exists() else _FALLBACK)


def _load(path):
    """The parsed spec, once per process and path (tests start many servers)."""
    with _parse_lock:
        if path not in _parsed:
            try:
                import yaml
                from openapi_core import Config, OpenAPI
            except ImportError as exc:
                raise RuntimeError("--check-spec needs openapi-core and PyYAML (the dev "
                                   "requirements): %s" % exc)
            with open(path, encoding="utf-8") as handle:
                data = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            _parsed[path] = OpenAPI.from_dict(data, config=Config(spec_validator_cls=None))
        return _parsed[path]


def _schema_errors(error):
    cause = error.__cause__
    return list(getattr(cause, "schema_errors", None) or getattr(error, "schema_errors", None)
                or [])


def _read_only(detail):
    """A read-only property sent in a body.  Not counted: xero-python, Xero's own
    SDK, always sends ``HasAttachments: false`` on invoices, and Xero ignores
    read-only properties it is sent."""
    return getattr(detail, "validator", None) == "readOnly" or \
        str(getattr(detail, "message", "")).startswith("Tried to write read-only property")


def _violations(errors):
    """(error, its schema details) pairs worth reporting."""
    for error in errors:
        details = _schema_errors(error)
        kept = [d for d in details if not _read_only(d)]
        if details and not kept:
            continue
        yield error, kept


def _where(detail):
    path = "/".join(str(p) for p in getattr(detail, "absolute_path", ()) or ())
    return "%s (at /%s)" % (detail.message, path) if path else detail.message


def _message(error, details):
    """The exception and, for schema errors, what exactly did not fit and where."""
    text = str(error)
    if details:
        text += ": " + "; ".join(_where(d) for d in details[:3])
    elif error.__cause__ is not None and str(error.__cause__) not in text:
        text += ": %s" % error.__cause__
    return text


class _Request:
    """An incoming request as openapi-core's request protocol wants it."""

    def __init__(self, request):
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict
        self.host_url = XERO_API
        self.path = request.path
        self.method = request.method.lower()
        self.body = request.body or None
        self.content_type = (request.header("content-type") or "application/json") \
            .split(";")[0].strip()
        query = [(k, v) for k, values in request.query.items() for v in values]
        self.parameters = RequestParameters(query=ImmutableMultiDict(query),
                                            header=Headers(list(request.headers.items())),
                                            cookie=ImmutableMultiDict(), path={})


class SpecCheck:
    def __init__(self, path=None):
        from openapi_core.templating.paths.finders import APICallPathFinder
        self.path = path or default_spec_path()
        self.openapi = _load(self.path)
        self.finder = APICallPathFinder(self.openapi.spec)
        self.lock = threading.Lock()
        self.checked = 0
        self.violations = []

    def _operation(self, request):
        try:
            found = self.finder.find(request.method.lower(), XERO_API + request.path)
            return found.operation.getkey("operationId")
        except Exception:       # no such path or method in the spec
            return None

    def check(self, request):
        """Record what in ``request`` (an Accounting API call) breaks the spec."""
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # openapi-core can't check OAuth2 security
            try:
                errors = list(self.openapi.request_validator.iter_errors(_Request(request)))
            except Exception as exc:     # the validator itself choked: that is news too
                errors = [exc]
        operation = self._operation(request) if errors else None
        found = [{"method": request.method, "path": request.path, "operation": operation,
                  "message": _message(e, details)} for e, details in _violations(errors)]
        with self.lock:
            self.checked += 1
            self.violations.extend(found)
        for item in found:
            print("xero_sandbox: spec violation: %(method)s %(path)s (%(operation)s): "
                  "%(message)s" % item, file=sys.stderr, flush=True)

    def describe(self):
        with self.lock:
            return {"enabled": True, "spec": self.path, "checked": self.checked,
                    "violations": [dict(v) for v in self.violations]}

    def clear(self):
        with self.lock:
            self.checked = 0
            self.violations = []

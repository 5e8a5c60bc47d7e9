from . import test_quotation

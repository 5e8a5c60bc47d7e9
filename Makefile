# crm_xero — the commands a newcomer needs. See README.md.
.PHONY: help bootstrap test test-workers lint i18n screenshots run sandbox bench bench-large clean

help:
	@echo "make test       bootstrap, then the sandbox's tests and the addon's Odoo tests"
	@echo "make run        bootstrap, then the Xero sandbox and Odoo on :8069 with a demo database"
	@echo "make lint       ruff and pylint-odoo's mandatory checks (also run by make test)"
	@echo "make i18n       regenerate i18n/crm_xero.pot from the code, merge it into fr.po"
	@echo "make test-workers  Odoo in prefork mode (--workers=3), concurrent clicks over HTTP"
	@echo "make screenshots   the README's screenshots, taken by the browser tours (docs/)"
	@echo "make bench      benchmarks (JSON figures)"
	@echo "make bench-large   the import of 10,000 and of 100,000 contacts side by side (BENCH_LARGE)"
	@echo "make sandbox    only the Xero sandbox on 127.0.0.1:8070"
	@echo "make bootstrap  Odoo source check, virtualenv, PostgreSQL"

bootstrap:
	bash scripts/bootstrap.sh

test: bootstrap
	bash scripts/test.sh

test-workers: bootstrap
	bash scripts/test_workers.sh

lint: bootstrap
	bash scripts/lint.sh

i18n: bootstrap
	bash scripts/i18n.sh

screenshots: bootstrap
	bash scripts/screenshots.sh

run: bootstrap
	bash scripts/run.sh

sandbox: bootstrap
	.venv/bin/python -m xero_sandbox --host 127.0.0.1 --port $${SANDBOX_PORT:-8070}

bench: bootstrap
	bash scripts/bench.sh

bench-large: bootstrap
	bash scripts/bench.sh large

clean:
	rm -rf var .venv

# crm_xero — the commands a newcomer needs. See README.md.
# ODOO_SERIES (18.0 or 19.0, default 18.0) picks the Odoo series of run, bench,
# sandbox, lint, i18n, screenshots and test-workers; `make test` runs every series.
.PHONY: help bootstrap test test-workers lint i18n screenshots run sandbox bench bench-large wheels clean

help:
	@echo "make test       bootstrap every series, then lint, the sandbox's tests, and per Odoo"
	@echo "                series (18.0, 19.0) the addons' Odoo tests under pytest-odoo and the prefork run"
	@echo "make run        bootstrap, then the Xero sandbox and Odoo on :8069 with a demo database"
	@echo "                (ODOO_SERIES=19.0 make run for Odoo 19.0)"
	@echo "make lint       ruff and pylint-odoo's mandatory checks (also run by make test)"
	@echo "make i18n       regenerate i18n/crm_xero.pot from the code, merge it into fr.po"
	@echo "make test-workers  Odoo in prefork mode (--workers=3), concurrent clicks over HTTP"
	@echo "make screenshots   the README's screenshots, taken by the browser tours (docs/)"
	@echo "make bench      benchmarks (JSON figures)"
	@echo "make bench-large   the import of 10,000 and of 100,000 contacts side by side (BENCH_LARGE)"
	@echo "make wheels     the addons as pip wheels (var/wheels), their contents checked"
	@echo "make sandbox    only the Xero sandbox on 127.0.0.1:8070 (https) and :8071 (browser pages)"
	@echo "make bootstrap  Odoo source check, virtualenv, PostgreSQL (ODOO_SERIES, or 'all')"

bootstrap:
	bash scripts/bootstrap.sh $(if $(filter all,$(ODOO_SERIES)),all,)

test:
	bash scripts/bootstrap.sh all
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
	bash scripts/sandbox.sh

bench: bootstrap
	bash scripts/bench.sh

bench-large: bootstrap
	bash scripts/bench.sh large

wheels: bootstrap
	bash scripts/wheels.sh

clean:
	rm -rf var .venv-*

"""Validation of every input: Great Expectations suites per table, cross-table checks, the runner
behind ``corett validate`` and its offline result page.

* :mod:`~corett_lib.validation.suites` — GX expectation suites as code, one per table;
* :mod:`~corett_lib.validation.checks` — checks across rows and tables (disaggregations vs totals,
  population coverage, ratification dates, plan references);
* :mod:`~corett_lib.validation.runner` — ``validate(dataset)`` and ``run_cli`` for the command line;
* :mod:`~corett_lib.validation.html` — the self-contained result page.

Nothing here is imported by ``corett_lib`` at start-up: Great Expectations loads only when validation
runs.
"""

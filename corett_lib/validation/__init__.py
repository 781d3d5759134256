"""Validation: Great Expectations suites, cross-table checks, the SDG mapping checks, text checks, the HTML page, and ``load()`` (read + validate, the one entry point)."""

"""Reporting: report sections (annual, evaluation, SDG) and charts, as called by the notebooks."""

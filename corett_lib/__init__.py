"""CORETT workbench: data loading, validation, indicators and reports.

For CORETT, the Regional Coalition against Trafficking in Persons and Smuggling of Migrants.

Heavy libraries (pandas, Great Expectations, Altair, papermill) are imported lazily by the modules that
need them, so ``import corett_lib`` and ``corett --help`` stay fast.
"""

__version__ = "0.1.0"

"""Every docstring example of every corett_lib module runs and gives what it shows.

The examples are documentation: a stale one (a renamed module, a changed output) fails here. Each
module is imported by walking the package, so a new module's examples are run without listing it.
Examples marked ``# doctest: +SKIP`` are skipped by doctest itself and are not counted.
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil
from functools import cache

import pytest

import corett_lib

#: Examples run on the whole package when this test was written; fewer means examples were lost
#: (a module no longer walked, examples no longer found), not that they pass.
MIN_EXAMPLES = 207

MODULES = sorted(m.name for m in pkgutil.walk_packages(corett_lib.__path__, "corett_lib."))


@cache
def run_examples(module_name: str) -> tuple[int, int, str]:
    """Run the examples of one module; return ``(attempted, failed, doctest's report)``."""
    module = importlib.import_module(module_name)
    out = io.StringIO()
    runner = doctest.DocTestRunner(verbose=False)
    for test in doctest.DocTestFinder().find(module, module_name):
        runner.run(test, out=out.write)
    attempted, failed = runner.tries, runner.failures
    return attempted, failed, out.getvalue()


def test_the_package_walk_finds_the_modules() -> None:
    assert "corett_lib.core.i18n" in MODULES
    assert "corett_lib.publishing.disclosure" in MODULES
    assert len(MODULES) > 50


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name: str) -> None:
    _, failed, report = run_examples(module_name)
    assert failed == 0, report


def test_enough_examples_ran() -> None:
    attempted = sum(run_examples(m)[0] for m in MODULES)
    assert attempted >= MIN_EXAMPLES

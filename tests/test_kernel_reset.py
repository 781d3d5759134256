"""The reset between two reports in one reused kernel: nothing of the first report is left.

Starts a real kernel (slow). :func:`~corett_lib.batch.execute.clear_report_namespace` replaces
``%reset -f`` (same effect on the namespace and the output cache, without its two full garbage
collections).
"""

from __future__ import annotations

import nbformat
import pytest

from corett_lib.batch.execute import KernelSession, clear_report_namespace, prepare_environment


def _notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["papermill"] = {}  # what execute.parameterize adds
    return nb


def _text(execution_nb: nbformat.NotebookNode, cell: int) -> str:
    outputs = execution_nb.cells[cell].outputs
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in outputs)


@pytest.mark.slow
def test_the_second_report_sees_no_variable_or_output_of_the_first() -> None:
    prepare_environment()
    session = KernelSession()
    try:
        first = session.run(_notebook("secret = 41\nclass Block:\n    pass\nBlock()", "secret + 1"))
        assert first.ok
        assert _text(first.notebook, 1) == "42"
        second = session.run(
            _notebook(
                "print(sorted(k for k in globals() if not k.startswith('_')"
                " and k not in ('In', 'Out', 'get_ipython', 'exit', 'quit', 'open')))",
                "print(len(Out), repr(_), 'secret' in globals(), [k for k in globals() if k[1:].isdigit()])",
            )
        )
        assert second.ok
        assert _text(second.notebook, 0) == "[]\n"
        assert _text(second.notebook, 1) == "0 '' False []\n"
    finally:
        session.shutdown()


def test_outside_a_kernel_the_reset_does_nothing() -> None:
    clear_report_namespace()  # no IPython shell in the test process: returns without touching anything
    assert "clear_report_namespace" in globals()

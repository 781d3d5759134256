"""The reset between two reports in one reused kernel: nothing of the first report is left.

Starts a real kernel (slow). :func:`~corett_lib.batch.execute.clear_report_namespace` replaces
``%reset -f`` (same effect on the namespace and the output cache, without its two full garbage
collections).
"""

from __future__ import annotations

import types

import IPython
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


class _History:
    def __init__(self) -> None:
        self.resets: list[bool] = []

    def reset(self, new_session: bool = True) -> None:
        self.resets.append(new_session)


class _Shell:
    """What the reset touches of an IPython shell."""

    def __init__(self) -> None:
        self.user_ns_hidden = {"In": [], "Out": {}, "_": "", "_4": "held", "_i4": "x = 1"}
        self.user_ns = {**self.user_ns_hidden, "secret": 41, "table": object()}
        self.history_manager = _History()
        self.displayhook = types.SimpleNamespace(_="last", __="before", ___="older")


def test_the_reset_keeps_only_the_shell_s_own_names(monkeypatch: pytest.MonkeyPatch) -> None:
    shell = _Shell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    clear_report_namespace()
    assert sorted(shell.user_ns) == ["In", "Out", "_", "__", "___"]  # secret, table, _4, _i4 gone
    assert shell.user_ns["_"] == shell.user_ns["__"] == shell.user_ns["___"] == ""
    assert (shell.displayhook._, shell.displayhook.__, shell.displayhook.___) == ("", "", "")
    assert shell.history_manager.resets == [False]  # the history cleared, the session kept

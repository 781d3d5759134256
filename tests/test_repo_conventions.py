"""Conventions of the repository itself: dependency lists agree, the CLI starts light, CI calls make test."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_requirements() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(meta["dependencies"]) + list(meta["optional-dependencies"]["dev"])
    return {_name(r): r.replace(" ", "") for r in reqs}


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and _name(dep) not in {"python", "pip"}:
            out[_name(dep)] = dep.replace(" ", "")
    return out


def test_environment_yml_lists_the_same_dependencies_as_pyproject() -> None:
    py, conda = _pyproject_requirements(), _conda_requirements()
    assert sorted(py) == sorted(conda), {
        "only in pyproject.toml": sorted(set(py) - set(conda)),
        "only in environment.yml": sorted(set(conda) - set(py)),
    }
    assert py == conda, "version bounds differ between pyproject.toml and environment.yml"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in ci
    assert "make test" in readme and "make reports" in readme


def test_cli_help_lists_commands_without_importing_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from corett_lib.cli.main import main\n"
        "r = CliRunner().invoke(main, ['--help'])\n"
        "print(r.output)\n"
        "heavy = [m for m in ('pandas', 'great_expectations', 'altair', 'papermill', 'nbconvert')"
        " if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY=\n" in out.stdout, out.stdout
    for command in ("validate", "indicators", "build"):
        assert re.search(rf"^\s+{command}\s", out.stdout, re.M), out.stdout


def test_the_build_command_imports_no_table_library_until_the_data_changed() -> None:
    # A no-op build plans and stops: pandas, pyarrow and numpy (0.4 s to import) come in only with
    # the loading, validation and facts a changed input needs; tqdm only when a bar opens.
    code = (
        "import sys\n"
        "import corett_lib.cli.build, corett_lib.batch.build, corett_lib.dataset.digest\n"
        "heavy = [m for m in ('pandas', 'pyarrow', 'numpy', 'tqdm', 'nbformat', 'jupyter_client')"
        " if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY=\n" in out.stdout, out.stdout


def test_gitignore_keeps_generated_outputs_out_of_git() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    # ".venv" without a slash: a link named .venv is ignored too, not only a folder
    assert "outputs/" in ignored and ".venv" in ignored

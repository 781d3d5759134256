"""``corett build``: the report matrix, built in parallel, incrementally, atomically.

The steps, in order (nothing is written to the output folder before step 4):

1. **Matrix**: ``parameters/build.yaml``, each axis replaced by the ``--country/--year/--report/--lang``
   values given; every value is checked (member or CORETT, a report with a notebook, en/es) and the
   parameters are checked against the notebook's typed ``parameters`` cell. Errors name the value.
2. **Inputs**: checksums of the data folder, the notebooks, ``parameters/*.yaml`` and the library.
3. **Data, once**: when a report must be built, the data are loaded and validated once
   (:func:`corett_lib.validation.load.load`); invalid data stop the build here. The validated
   :class:`~corett_lib.dataset.model.Dataset` is saved as a snapshot in the cache (parquet + JSON,
   integrity-checked, :mod:`corett_lib.core.cache`), keyed by the data, configuration and library
   checksums, and its path is passed to every kernel, which reads it instead of re-validating.
   Years are then checked against the years in the data.
4. **Lock and build**: a lock on the output folder (a second build stops with a message); one worker
   thread per job slot, each with its own kernel reused between reports
   (:class:`~corett_lib.batch.execute.KernelSession`); each report is written aside and renamed into place, its
   record added to ``manifest.json`` (saved every few seconds and at the end); a failing report is kept under ``_failed/``
   and never stops the others.
5. **Index**: ``index.html`` lists every report and its status.

A report whose record matches its current inputs is skipped, so a no-op build reads checksums only.
"""

from __future__ import annotations

import ast
import json
import os
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from corett_lib import __version__
from corett_lib.batch import approval, extras, manifest, output_folder, page, products, reproducible
from corett_lib.batch import changes as build_changes
from corett_lib.batch.cluster import DaskPool
from corett_lib.batch.execute import (
    Execution,
    KernelSession,
    crash_record,
    parameterize,
    prepare_environment,
)
from corett_lib.batch.index_page import write_index
from corett_lib.batch.pdf import find_browser
from corett_lib.batch.render import RenderError, export_html
from corett_lib.core import cache, config, i18n, paths
from corett_lib.dataset import digest

if TYPE_CHECKING:  # loading, validating and the facts import pandas: only when the data changed
    from corett_lib.dataset.model import Dataset

if TYPE_CHECKING:
    from nbformat import NotebookNode

LANGS: tuple[str, ...] = ("en", "es")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
LOCK_NAME = ".build.lock"
SNAPSHOT_FORMAT = 3
MANIFEST_SAVE_SECONDS = 2.0
"""During a build, finished reports are recorded in ``manifest.json`` at most this often (and at the
end, or on Ctrl-C). A report finished in the last seconds before the process is killed outright has
its outputs in place but no record, so the next build rebuilds it."""
_TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}


class BuildError(ValueError):
    """A build cannot start: a parameter is invalid, or another build holds the output folder."""


@dataclass(frozen=True)
class Job:
    """One report of the matrix."""

    year: int
    country: str
    report: str
    lang: str

    @property
    def key(self) -> str:
        """The manifest key, e.g. ``2019/GTM/annual.en``."""
        return manifest.report_key(self.year, self.country, self.report, self.lang)

    def parameters(self) -> dict[str, Any]:
        """Return the report's own parameters (what its content depends on)."""
        return {"country": self.country, "year": self.year, "lang": self.lang}


@dataclass
class BuildResult:
    """What a build did; :func:`run_cli` prints it, the benchmark reads it."""

    run_id: str
    planned: int = 0
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, dict[str, Any]] = field(default_factory=dict)
    workers: int = 0
    wall_seconds: float = 0.0
    cell_seconds: float = 0.0
    load_seconds: float = 0.0  #: loading, validating and saving the data once (0 when cached)
    interrupted: bool = False
    reasons: dict[str, list[str]] = field(default_factory=dict)  #: report -> why it was rebuilt
    pdf_note: str = ""  #: why no PDF was printed although asked for (no browser)
    pdf_errors: dict[str, str] = field(default_factory=dict)  #: report key -> Chromium's failure

    @property
    def exit_code(self) -> int:
        """0 when every report is built or up to date, 1 otherwise."""
        return EXIT_FAILED if (self.failed or self.interrupted) else EXIT_OK


# --------------------------------------------------------------------------- 1. matrix and parameters


def declared_parameters(notebook: Path) -> dict[str, str]:
    """Return ``{name: type name}`` declared in the notebook's ``parameters`` cell.

    Read with :mod:`ast` (no kernel, no papermill), so it is cheap enough for every build.

    Raises
    ------
    BuildError
        When the notebook has not exactly one ``parameters`` cell or a parameter has no type.
    """
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = [
        c
        for c in nb.get("cells", [])
        if c.get("cell_type") == "code" and "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    if len(cells) != 1:
        raise BuildError(f"{notebook}: expected one cell tagged 'parameters', found {len(cells)}")
    source = cells[0]["source"]
    tree = ast.parse("".join(source) if isinstance(source, list) else source)
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = ast.unparse(node.annotation)
        elif isinstance(node, ast.Assign):
            names = ", ".join(ast.unparse(t) for t in node.targets)
            raise BuildError(f"{notebook}: parameter {names} has no type annotation")
    return out


def check_parameters(notebook: Path, parameters: dict[str, Any]) -> None:
    """Check that every parameter is declared in ``notebook`` with the value's type.

    Raises
    ------
    BuildError
        Naming the unknown parameter or the mistyped value.
    """
    declared = declared_parameters(notebook)
    for name, value in parameters.items():
        if name not in declared:
            known = ", ".join(sorted(declared))
            raise BuildError(f"unknown parameter {name!r} for {notebook.name} (declared: {known})")
        expected = _TYPES.get(declared[name])
        if expected is not None and type(value) is not expected:
            raise BuildError(
                f"parameter {name}={value!r} for {notebook.name} is not {declared[name]}"
            )


def _pick(given: Sequence[Any], default: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for v in given or default:
        if v not in out:
            out.append(v)
    return out


def resolve_matrix(
    countries: Sequence[str] = (),
    years: Sequence[int] = (),
    reports: Sequence[str] = (),
    langs: Sequence[str] = (),
) -> list[Job]:
    """Return the jobs of ``parameters/build.yaml``, each axis replaced by the values given.

    Countries, reports and languages are checked here; years are checked against the data by
    :func:`check_years`.

    Raises
    ------
    BuildError
        Naming the first unknown value of each axis.
    """
    matrix = config.build_matrix()
    coalition = config.coalition()
    allowed = [*coalition.members, coalition.region_code]
    wanted_countries = _pick(
        [c.strip().upper() for c in countries if c.strip()], matrix.country_list()
    )
    bad = [c for c in wanted_countries if c not in allowed]
    if bad:
        raise BuildError(
            f"unknown country {', '.join(map(repr, bad))}: "
            f"not a member ({', '.join(coalition.members)}) nor {coalition.region_code}"
        )
    wanted_reports = _pick(list(reports), matrix.reports)
    for r in wanted_reports:
        if r not in paths.REPORT_NOTEBOOKS:
            raise BuildError(
                f"unknown report {r!r} (known: {', '.join(sorted(paths.REPORT_NOTEBOOKS))})"
            )
        if not paths.notebook_path(r).is_file():
            raise BuildError(f"report {r!r}: its notebook {paths.notebook_path(r)} does not exist")
    wanted_langs = _pick(list(langs), matrix.languages)
    bad = [lang for lang in wanted_langs if lang not in LANGS]
    if bad:
        raise BuildError(f"unknown language {', '.join(map(repr, bad))} (known: en, es)")
    wanted_years = _pick([int(y) for y in years], matrix.year_list())
    return [
        Job(y, c, r, lang)
        for y in wanted_years
        for c in wanted_countries
        for r in wanted_reports
        for lang in wanted_langs
    ]


def check_years(jobs: Sequence[Job], available: Sequence[int]) -> None:
    """Raise :class:`BuildError` naming every requested year the data do not cover."""
    have = set(available)
    bad = sorted({j.year for j in jobs} - have)
    if bad:
        span = f"{min(have)}-{max(have)}" if have else "none"
        raise BuildError(
            f"year {', '.join(map(str, bad))} is outside the data (years with data: {span})"
        )


# --------------------------------------------------------------------------- 2-3. inputs and data


#: Run configurations the reports do not read. The matrix file is read for its disclosure threshold
#: alone (which reports exist is each page's navigation, keyed apart); the ingest limits only by
#: ``corett ingest``. Every other file of ``parameters/`` (the coalition, the quality rules, any new
#: one) is part of every report's key.
CONFIG_NOT_READ_BY_REPORTS: tuple[str, ...] = ("build.yaml", "limits.yaml")


def navigation_sets(
    reports: Sequence[tuple[int, str, str, str]],
) -> dict[tuple[int, str], tuple[tuple[str, str], ...]]:
    """Return, per ``(year, country)``, the ``(report, lang)`` pairs its pages link to.

    ``reports`` are the build's matrix plus the reports already published in the output folder,
    as :class:`~corett_lib.batch.page.PageSet` reads them: a page's navigation names its sibling
    reports and language twins, so a page is rebuilt when they change.

    Examples
    --------
    >>> navigation_sets([(2019, "GTM", "annual", "en"), (2019, "GTM", "sdg", "en")])
    {(2019, 'GTM'): (('annual', 'en'), ('sdg', 'en'))}
    """
    out: dict[tuple[int, str], set[tuple[str, str]]] = {}
    for year, country, report, lang in reports:
        out.setdefault((int(year), str(country)), set()).add((str(report), str(lang)))
    return {place: tuple(sorted(pairs)) for place, pairs in out.items()}


@dataclass
class Inputs:
    """Checksums of everything the reports depend on."""

    data_dir: Path
    data: dict[str, str]
    config: dict[str, str]
    library: str
    notebooks: dict[str, str]
    #: Content digests of the validated data per country, and ``_shared`` (see
    #: :func:`corett_lib.dataset.digest.slice_digests`); empty until the data were validated once.
    slices: dict[str, str] = field(default_factory=dict)
    #: Digests of the disclosure statuses each country's pages show (:func:`disclosure_digests`).
    disclosure: dict[str, str] = field(default_factory=dict)
    #: The reports each country-year's pages link to (:func:`navigation_sets`).
    navigation: dict[tuple[int, str], tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def parts(self, job: Job) -> dict[str, Any]:
        """Return what ``job`` depends on, by name.

        Its own data slice, the disclosure statuses its pages show, what every report reads, the
        notebook, the configuration reports read (:meth:`report_config`), the reports its page links
        to and the library; the manifest keeps them, to say why a page was rebuilt.
        """
        shared, config_digest = self._common()
        return {
            "data_slice": self.slices.get(job.country, ""),
            "disclosure": self.disclosure.get(job.country, ""),
            "shared_data": shared,
            "notebook": self.notebooks[job.report],
            "config": config_digest,
            "navigation": manifest.digest(
                {"links": [list(p) for p in self.navigation.get((job.year, job.country), ())]}
            ),
            "library_digest": self.library,
        }

    def report_config(self) -> dict[str, str]:
        """Return what the reports read of the run configuration.

        The checksums of ``parameters/`` but :data:`CONFIG_NOT_READ_BY_REPORTS`, and the disclosure
        threshold (``disclosure_k`` of ``build.yaml``): a wider matrix or new ingest limits rebuild
        nothing that exists.
        """
        cached = self.__dict__.get("_report_config")
        if cached is None:
            cached = {k: v for k, v in self.config.items() if k not in CONFIG_NOT_READ_BY_REPORTS}
            cached["build.yaml:disclosure_k"] = str(config.build_matrix().disclosure_k)
            self.__dict__["_report_config"] = cached
        return dict(cached)

    def _common(self) -> tuple[str, str]:
        """Return the digests every report shares (computed once per slices, not once per job)."""
        marker = self.slices.get(digest.SHARED)
        cached = self.__dict__.get("_common_digests")
        if cached is None or cached[0] != marker:
            shared = manifest.digest({"files": digest.shared_files(self.data), "content": marker})
            cached = (marker, shared, manifest.digest(self.report_config()))
            self.__dict__["_common_digests"] = cached
        return cached[1], cached[2]

    def key(self, job: Job) -> str:
        """Return the input key of ``job``: its parameters and :meth:`parts`, not whole data files."""
        parts = self.parts(job)
        return manifest.input_key(
            {**job.parameters(), "report": job.report},
            {
                "slice": parts["data_slice"],
                "disclosure": parts["disclosure"],
                "shared": parts["shared_data"],
                "navigation": parts["navigation"],
            },
            parts["notebook"],
            self.report_config(),
            self.library,
        )

    @property
    def snapshot_key(self) -> dict[str, Any]:
        """Return the key of the validated-data snapshot.

        The data, the configuration and the library that read and validated them
        (:mod:`corett_lib.core.cache`).
        """
        return {
            "data": self.data,
            "config": self.config,
            "library": self.library,
            "format": SNAPSHOT_FORMAT,
        }


def gather_inputs(data: str | None, reports: Sequence[str]) -> Inputs:
    """Return the checksums of the data folder, configuration, library and the reports' notebooks."""
    root = paths.data_dir(data)
    if not root.is_dir():
        raise BuildError(f"data folder {root} does not exist")
    return Inputs(
        data_dir=root,
        data=manifest.data_checksums(root),
        config=manifest.config_checksums(),
        library=manifest.library_digest(),
        notebooks={r: manifest.sha256_file(paths.notebook_path(r)) for r in set(reports)},
    )


SNAPSHOTS = cache.Store("build", keep=4)
"""The validated-data snapshots (one per data + configuration + library)."""


def snapshot_path(inputs: Inputs) -> Path:
    """Return the path of the validated-data snapshot (the header of its cache entry)."""
    return SNAPSHOTS.path(inputs.snapshot_key, "dataset")


def snapshot_files(inputs: Inputs) -> list[Path]:
    """Return every file of the validated snapshot (what a remote worker needs).

    Its header, the table files it names and the entries stored beside it: the published facts
    and the disclosure decision (a worker without them computes them).
    """
    header = snapshot_path(inputs)
    if not header.is_file():
        return []
    return [header, *sorted(p for p in header.parent.glob(f"{header.stem}.*") if p != header)]


def data_facts(ds: Dataset, statuses: Mapping[str, str]) -> dict[str, Any]:
    """Return what the build needs to know of the data without loading them again.

    ``statuses``: per country, the digest of how its facts are published
    (:func:`corett_lib.publishing.fact_disclosure.decision_digests`); see :func:`disclosure_digests`.
    """
    obs = ds.observations
    years = sorted({int(y) for y in obs["year"].dropna()}) if "year" in obs else []
    coalition = config.coalition()
    return {
        "years": years,
        "slices": digest.slice_digests(ds, coalition.members, coalition.region_code),
        "disclosure": disclosure_digests(statuses, coalition.members, coalition.region_code),
        "warnings": len(ds.warnings),
        "checksums": dict(ds.checksums),
        "format": SNAPSHOT_FORMAT,
    }


def disclosure_digests(
    statuses: Mapping[str, str], members: Sequence[str], region: str
) -> dict[str, str]:
    """Return, per member and the region, the digest of the disclosure statuses its pages show.

    Disclosure is decided across the members (a regional sum of members ties their counts
    together), so a change to one member's figures can hide a count on another member's page.
    A member's pages show its own facts; the region's show its own and every member's (the
    comparison across members), so its digest covers them all.

    Examples
    --------
    >>> d = disclosure_digests({"GTM": "a", "HND": "b", "CORETT": "c"}, ["GTM", "HND"], "CORETT")
    >>> d["GTM"], d["HND"], len(d["CORETT"])
    ('a', 'b', 64)
    """
    out = {code: statuses.get(code, "") for code in members}
    regional = manifest.digest({code: statuses.get(code, "") for code in [*members, region]})
    out[region] = regional
    return out


def read_facts(inputs: Inputs) -> dict[str, Any] | None:
    """Return the cached facts of this data + configuration + library, or None.

    None when there is no usable snapshot: never validated, or an entry that fails its integrity
    check (it is removed with a :class:`~corett_lib.core.cache.CacheWarning` naming the file, and
    rebuilt).
    """
    entry = SNAPSHOTS.get(inputs.snapshot_key, "dataset", tables=False)
    if entry is None or not isinstance(entry.meta, dict):
        return None
    facts = entry.meta.get("facts")
    if not (isinstance(facts, dict) and facts.get("format") == SNAPSHOT_FORMAT):
        return None
    # The published facts beside it (corett_lib.facts.store), checked through the cache module
    # alone, which imports no table library.
    store, key, prefix = cache.beside(entry.path, "facts")
    if not store.path(key, prefix).is_file():
        return None
    try:
        cache.read_entry(store.path(key, prefix), key=key, tables=False)  # header and tables
    except cache.CacheError as exc:
        warnings.warn(f"{exc}; it is rebuilt", cache.CacheWarning, stacklevel=2)
        return None
    return facts


def load_and_snapshot(inputs: Inputs) -> dict[str, Any]:
    """Load and validate the data once, save the snapshot for the kernels, return its facts.

    Raises
    ------
    corett_lib.core.problems.DataError
        When the data do not validate; nothing is written then.
    OSError
        When the snapshot cannot be written (the kernels need it).
    """
    from corett_lib.dataset import snapshot
    from corett_lib.facts import store as fact_store
    from corett_lib.facts.table import facts_from_dataset
    from corett_lib.publishing.fact_disclosure import decision_digests, write_decision
    from corett_lib.validation.load import load

    ds = load(inputs.data_dir)
    published = facts_from_dataset(ds)
    # Disclosure is decided across the members, so each report's key holds its pages' statuses.
    k = config.build_matrix().disclosure_k
    facts = data_facts(ds, decision_digests(published, k))
    meta, frames = snapshot.dataset_parts(ds)
    header = SNAPSHOTS.put(
        inputs.snapshot_key,
        meta={"facts": facts, "dataset": meta},
        frames=frames,
        prefix="dataset",
        required=True,
    )
    if header is None:  # required=True raises instead; this keeps the type checker informed
        raise OSError(f"the snapshot of {inputs.data_dir} could not be written")
    # The published facts, computed once per build; every report kernel reads them (facts/).
    provenance = {"snapshot_key": cache.digest(inputs.snapshot_key), "library_version": __version__}
    fact_store.write_facts(published, header, provenance)
    # The decision solved for the digests, stored so that no kernel solves it again.
    write_decision(published, k, header)
    return facts


# --------------------------------------------------------------------------- 4. one report


def report_title(job: Job) -> str:
    """Return the page title of a report: its name from the catalogue (``report.<report>.name``).

    Examples
    --------
    >>> report_title(Job(2019, "GTM", "evaluation", "es"))
    'CORETT · Informe de evaluación · GTM · 2019'
    """
    name = i18n.t(f"report.{job.report}.name", job.lang)
    return f"CORETT · {name} · {job.country} · {job.year}"


#: Run in each kernel as soon as it starts: the imports and the first chart rendering (vl-convert's
#: start-up, its fonts pinned first) every report needs. Its errors are not fatal: a report that
#: needs a module that fails to import fails on its own cell, with the traceback. At the end, what is
#: loaded is frozen out of the garbage collector's reach, so its automatic collections scan only what
#: reports made (the reset between reports, ``execute.clear_report_namespace``, collects every 20 reports).
WARM_UP = """\
from corett_lib.batch.execute import skip_unused_slow_imports
skip_unused_slow_imports()
import pandas, altair
from corett_lib.reporting import renderer
vl_convert = renderer.vl_convert()
import corett_lib.reporting.annual, corett_lib.reporting.charts, corett_lib.publishing.publish, corett_lib.facts.engine
import corett_lib.reporting.evaluation, corett_lib.reporting.sdg, corett_lib.reporting.infographic, corett_lib.reporting.quality
vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{"x": 1}]},
                            "encoding": {"x": {"field": "x", "type": "quantitative"}}})
import gc
gc.collect()
gc.freeze()
"""


def language_groups(jobs: Sequence[Job]) -> list[list[Job]]:
    """Return ``jobs`` grouped by report (year, country, report), in the order of their first job.

    Examples
    --------
    >>> jobs = [Job(2019, "GTM", "annual", "en"), Job(2019, "GTM", "sdg", "en"),
    ...         Job(2019, "GTM", "annual", "es")]
    >>> [[j.key for j in g] for g in language_groups(jobs)]
    [['2019/GTM/annual.en', '2019/GTM/annual.es'], ['2019/GTM/sdg.en']]
    """
    groups: dict[tuple[int, str, str], list[Job]] = {}
    for job in jobs:
        groups.setdefault((job.year, job.country, job.report), []).append(job)
    return list(groups.values())


def render_threads(workers: int) -> int:
    """Return how many threads render and write the reports that ``workers`` kernels execute.

    Rendering runs in this process (one interpreter lock), so more threads buy little CPU; one per
    two kernels keeps the queue short on a larger machine, at most four.

    Examples
    --------
    >>> [render_threads(n) for n in (1, 2, 3, 8, 32)]
    [1, 1, 1, 4, 4]
    """
    return max(1, min(4, workers // 2))


class WorkerPool:
    """Worker threads, each owning one kernel, and the threads that render what they executed.

    Each worker is started and warmed up at once, then reused for every report it takes from the
    queue, and shut down by its own thread at the end. A worker takes the languages of one report
    together (:func:`language_groups`), so a kernel computes what they share (the evaluation's
    answers) once.

    With ``finish``, a report is built in two stages: the worker runs ``run(job, session)`` (the
    notebook's execution), hands its result to a bounded queue and goes on with its next report at
    once; a render thread runs ``finish(job, staged) -> record`` (the page, products, downloads and
    atomic writes), so the kernels do not wait while the driver renders. Without ``finish``, ``run``
    returns the record itself. Either stage's exception fails that report only
    (:func:`~corett_lib.batch.execute.crash_record`).

    Parameters
    ----------
    workers
        Number of threads (and kernels).
    run
        ``run(job, session)``: executes one report in the thread's kernel session; returns its
        record, or with ``finish`` what ``finish`` takes.
    warm_up
        Code run in each kernel right after it starts (see :data:`WARM_UP`).
    finish
        ``finish(job, staged) -> record``: renders and writes one executed report.
    renderers
        Number of render threads with ``finish`` (default :func:`render_threads`).
    """

    def __init__(
        self,
        workers: int,
        run: Callable[[Job, KernelSession], Any],
        warm_up: str = WARM_UP,
        finish: Callable[[Job, Any], dict[str, Any]] | None = None,
        renderers: int | None = None,
    ) -> None:
        import queue

        self.jobs: queue.Queue[list[Job] | None] = queue.Queue()
        self.results: queue.Queue[tuple[Job, dict[str, Any]]] = queue.Queue()
        self._run = run
        self._finish = finish
        self._warm_up = warm_up
        n_render = (renderers or render_threads(workers)) if finish is not None else 0
        # Bounded: executed notebooks wait here at most this many; a worker blocks when it is full.
        self.staged: queue.Queue[tuple[Job, Any] | None] = queue.Queue(maxsize=max(2, workers))
        self._threads = [
            threading.Thread(target=self._work, name=f"corett-worker-{i}", daemon=True)
            for i in range(workers)
        ]
        self._renderers = [
            threading.Thread(target=self._render, name=f"corett-render-{i}", daemon=True)
            for i in range(n_render)
        ]
        for t in [*self._threads, *self._renderers]:
            t.start()

    def _work(self) -> None:

        session = KernelSession(warm_up=self._warm_up)
        start_error: Exception | None = None
        try:
            session.start()
        except Exception as exc:  # recorded as the failure of each report this worker takes
            start_error = exc
        try:
            while (group := self.jobs.get()) is not None:
                for job in group:
                    try:
                        if start_error is not None:
                            raise start_error
                        staged = self._run(job, session)
                    except Exception as exc:  # one report's crash is recorded; the others go on
                        self.results.put((job, crash_record(exc)))
                        continue
                    if self._finish is None:
                        self.results.put((job, staged))
                    else:
                        self.staged.put((job, staged))  # blocks while the render threads lag
        finally:
            session.shutdown()

    def _render(self) -> None:
        assert self._finish is not None
        while (item := self.staged.get()) is not None:
            job, staged = item
            try:
                record = self._finish(job, staged)
            except Exception as exc:  # a failing render fails its report only
                record = crash_record(exc)
            self.results.put((job, record))

    def next_result(self) -> tuple[Job, dict[str, Any]]:
        """Wait for the next finished report (polling, so Ctrl-C is handled at once)."""
        import queue

        while True:
            try:
                return self.results.get(timeout=0.2)
            except queue.Empty:
                continue

    def submit(self, jobs: Sequence[Job]) -> None:
        """Queue ``jobs``, the languages of one report together (:func:`language_groups`)."""
        for group in language_groups(jobs):
            self.jobs.put(group)

    def close(self, wait: bool = True) -> None:
        """Let every worker finish its current report, then stop it and its kernel.

        With ``wait``, the render threads then write what is still queued and stop; without it
        (Ctrl-C) nothing is waited for (the threads end with the process; a report whose files were
        not all renamed into place has no record, so the next build rebuilds it).
        """
        for _ in self._threads:
            self.jobs.put(None)
        if not wait:
            return
        for t in self._threads:
            t.join()
        for _ in self._renderers:
            self.staged.put(None)
        for t in self._renderers:
            t.join()


def notebook_bytes(nb: NotebookNode) -> bytes:
    """Return the executed notebook as :func:`nbformat.writes` writes it, without validating it.

    nbformat validates on every write and only logs a failure; the notebook comes from nbclient and
    papermill, which keep it valid, and the validation cost more than the serialisation.
    """
    if nb.get("nbformat") == 4:
        from nbformat.v4.nbjson import writes

        return writes(nb).encode("utf-8")
    import nbformat

    return nbformat.writes(nb).encode("utf-8")


@dataclass
class Executed:
    """A report executed in a kernel, waiting to be rendered and written (:func:`finish_report`)."""

    job: Job
    execution: Execution
    record: dict[str, Any]  #: started, worker, seconds, cell_seconds, cell_timings


def execute_report(
    job: Job, notebook_parameters: dict[str, Any], session: KernelSession
) -> Executed:
    """Execute one report's notebook in ``session`` (the kernel's part of :func:`build_one`)."""
    started = datetime.now(UTC).isoformat(timespec="seconds")
    record: dict[str, Any] = {"started": started, "worker": threading.current_thread().name}
    nb = parameterize(paths.notebook_path(job.report), notebook_parameters)
    execution = session.run(nb)
    record.update(
        seconds=round(execution.seconds, 3),
        cell_seconds=round(execution.cell_seconds, 3),
        cell_timings=execution.cell_timings,
    )
    return Executed(job, execution, record)


def build_one(
    job: Job,
    notebook_parameters: dict[str, Any],
    out_root: Path,
    session: KernelSession,
    info: page.PageInfo | None = None,
    browser: str | None = None,
    approved_sha256: str | None = None,
) -> dict[str, Any]:
    """Execute and render one report in ``session``; write it aside and rename it into place.

    :func:`execute_report`, then :func:`finish_report` (the local pool runs the two in different
    threads, so a kernel does not wait while its last report is rendered).

    With ``info`` the page carries its navigation and identity block and gets its downloads
    (``.xlsx`` unless the report offers its own, ``.csv.zip``) beside it, and its PDF when
    ``browser`` is given (:func:`corett_lib.batch.extras.write_companions`).

    Returns the report's manifest record (without the input checksums, which the caller adds). A
    failure never raises: the record says ``failed``, names the failing cell and keeps the executed
    notebook (with papermill's error banner) under ``_failed/``.
    """
    executed = execute_report(job, notebook_parameters, session)
    return finish_report(executed, out_root, info, browser, approved_sha256)


def finish_report(
    executed: Executed,
    out_root: Path,
    info: page.PageInfo | None = None,
    browser: str | None = None,
    approved_sha256: str | None = None,
) -> dict[str, Any]:
    """Render an executed report and write its files (the driver's part of :func:`build_one`).

    Needs no kernel: the local pool runs it in a render thread. Returns the manifest record.

    ``approved_sha256`` is the content checksum of the page's current approval, if any. When the
    new page's checksum differs, the page is rendered once more with the markup of earlier versions
    (:func:`~corett_lib.batch.render.nbconvert_markup`) and that checksum is recorded as
    ``legacy_content_sha256``: :func:`~corett_lib.batch.approval.reconcile` keeps an approval whose
    page changed in markup only.
    """
    job, execution, record = executed.job, executed.execution, dict(executed.record)
    rp = paths.report_paths(job.year, job.country, job.report, job.lang, out=out_root)
    failure = execution.failure.to_dict() if execution.failure else None
    html = b""
    if info is not None and extras.find_tables(execution.notebook) is None:
        info = extras.without_table_downloads(info)  # a page without tables (the infographic)
    if failure is None:
        try:
            html = export_html(
                execution.notebook, title=report_title(job), lang=job.lang, info=info
            ).encode("utf-8")
        except RenderError as exc:
            failure = {"cell_index": None, "ename": "RenderError", "evalue": str(exc)}
    # Issue 17 hook: every page is built DRAFT (approval.reconcile re-marks unchanged approved pages);
    # the notebook's products (the infographic's SVG and PNG) are written beside the page.
    extra: dict[Path, bytes] = {}
    if failure is None:
        html = approval.stamp(html.decode("utf-8"), job.lang).encode("utf-8")
        record["content_sha256"] = approval.content_checksum(html)
        if approved_sha256 and approved_sha256 != record["content_sha256"]:
            legacy = export_html(
                execution.notebook,
                title=report_title(job),
                lang=job.lang,
                info=info,
                legacy_markup=True,
            )
            record["legacy_content_sha256"] = approval.content_checksum(
                approval.stamp(legacy, job.lang)
            )
        extra = products.product_files(execution.notebook, rp.html, job.lang)
    if info is not None:  # the build's run id and time, in one place; no wall-clock times
        reproducible.stamp_notebook(
            execution.notebook, {"run_id": info.stamp.run_id, "built_at": info.stamp.built_at}
        )
    ipynb = notebook_bytes(execution.notebook)
    if failure is not None:
        manifest.atomic_write_bytes(rp.failed_notebook, ipynb)
        record.update(
            status="failed",
            failure=failure,
            failed_notebook=rp.failed_notebook.relative_to(out_root).as_posix(),
        )
        return record
    outputs = dict(
        [
            manifest.output_record(rp.notebook, ipynb, out_root),
            manifest.output_record(rp.html, html, out_root),
            *(manifest.output_record(p, data, out_root) for p, data in extra.items()),
        ]
    )
    for p, data in extra.items():
        manifest.atomic_write_bytes(p, data)
    manifest.atomic_write_bytes(rp.notebook, ipynb)
    manifest.atomic_write_bytes(rp.html, html)
    if (
        info is not None
    ):  # issue 16: downloads (and PDF) beside the page, after the page is in place
        companions = extras.write_companions(
            execution.notebook, info, rp.html, out_root, browser, offered=set(extra)
        )
        outputs.update(companions.pop("outputs"))
        record.update(companions)
    rp.failed_notebook.unlink(missing_ok=True)
    record.update(status="ok", outputs=outputs)
    return record


@dataclass(frozen=True)
class PagedBuild:
    """:func:`build_one` with the page around each report; picklable, so Dask workers run it too."""

    pages: page.PageSet
    browser: str | None = None
    #: report key -> content checksum of its current approval (see :func:`finish_report`)
    approved: dict[str, str] = field(default_factory=dict)

    def __call__(
        self, job: Job, parameters: dict[str, Any], out_root: Path, session: KernelSession
    ) -> dict[str, Any]:
        """Build ``job`` with its :class:`~corett_lib.batch.page.PageInfo`."""
        info = self.pages.info(job.year, job.country, job.report, job.lang)
        return build_one(
            job, parameters, out_root, session, info, self.browser, self.approved.get(job.key)
        )

    def execute(self, job: Job, parameters: dict[str, Any], session: KernelSession) -> Executed:
        """Execute ``job`` in ``session`` (:func:`execute_report`; :meth:`finish` renders it)."""
        return execute_report(job, parameters, session)

    def finish(self, executed: Executed, out_root: Path) -> dict[str, Any]:
        """Render and write an executed report with its page (:func:`finish_report`)."""
        job = executed.job
        info = self.pages.info(job.year, job.country, job.report, job.lang)
        return finish_report(executed, out_root, info, self.browser, self.approved.get(job.key))


# --------------------------------------------------------------------------- the build


def _remove_stale_temporaries(out_root: Path, current: dict[str, Any], jobs: Sequence[Job]) -> None:
    """Remove the temporaries an interrupted build left beside a product it knows of.

    Only under the build lock; see :mod:`corett_lib.batch.output_folder`. Nothing else is touched.
    """
    planned: list[Path] = []
    for j in jobs:  # their folders were checked by plan()
        rp = paths.report_locations(j.year, j.country, j.report, j.lang, out=out_root)
        planned += [rp.notebook, rp.html, rp.failed_notebook]
    for p in output_folder.stale_temporaries(
        output_folder.known_products(out_root, current, planned)
    ):
        p.unlink(missing_ok=True)


@dataclass
class Plan:
    """What a build will do, decided from checksums alone (no data loaded, nothing written)."""

    jobs: list[Job]  #: every report of the matrix
    todo: list[Job]  #: the reports to (re)build
    inputs: Inputs
    facts: dict[str, Any] | None  #: cached facts of the validated data, or None (never validated)
    out_root: Path
    reasons: dict[str, list[str]] = field(default_factory=dict)  #: report -> why it is rebuilt
    load_seconds: float = 0.0  #: loading and validating the data during planning (0 when cached)


def plan(
    data: str | None = None,
    countries: Sequence[str] = (),
    years: Sequence[int] = (),
    reports: Sequence[str] = (),
    langs: Sequence[str] = (),
    force: bool = False,
    out: str | None = None,
    pdf: bool = False,
    out_ok: bool = False,
) -> Plan:
    """Resolve and check the matrix, and decide which reports are out of date (steps 1-2).

    With ``pdf`` a report whose record has no PDF is out of date too.

    Raises
    ------
    BuildError
        For an unknown country, report, language or notebook parameter, a year outside the data
        (when the data were validated before), a path outside the output folder, or an output
        folder a build should not write into (root, home, a non-empty foreign folder) unless
        ``out_ok`` (:func:`corett_lib.batch.output_folder.check_output_folder`).
    """
    all_jobs = resolve_matrix(countries, years, reports, langs)
    data_root = str(paths.data_dir(data))
    for report in {j.report for j in all_jobs}:
        check_parameters(
            paths.notebook_path(report),
            {"country": "CORETT", "year": 0, "lang": "en", "data": data_root, "snapshot": ""},
        )
    inputs = gather_inputs(data, [j.report for j in all_jobs])
    out_root = paths.outputs_dir(out)
    try:
        output_folder.check_output_folder(out_root, out_ok=out_ok)
    except output_folder.OutputFolderError as exc:
        raise BuildError(str(exc)) from None
    # Every path must stay inside the output folder. The report and language are known tokens
    # (resolve_matrix), so one check per year/country folder covers its files: products are renamed
    # into place, which replaces a link rather than writing through it.
    checked: set[tuple[int, str]] = set()
    for j in all_jobs:
        if (j.year, j.country) in checked:
            continue
        try:
            paths.report_paths(j.year, j.country, j.report, j.lang, out=out_root)
        except ValueError as exc:
            raise BuildError(str(exc)) from None
        checked.add((j.year, j.country))
    facts = read_facts(inputs)
    load_seconds = 0.0
    if facts is None:  # the data changed (or were never validated): validate once, then compare
        t0 = time.perf_counter()
        facts = load_and_snapshot(inputs)  # raises DataError; nothing is written to the outputs
        load_seconds = time.perf_counter() - t0
    inputs.slices = dict(facts.get("slices") or {})
    inputs.disclosure = dict(facts.get("disclosure") or {})
    check_years(all_jobs, facts["years"])
    published = manifest.read_manifest(out_root)
    old = published["reports"]
    inputs.navigation = navigation_sets(
        [(j.year, j.country, j.report, j.lang) for j in all_jobs]
        + page.published_reports(published)
    )
    reasons: dict[str, list[str]] = {}
    for j in all_jobs:
        record = old.get(j.key)
        if not force and manifest.is_up_to_date(record, inputs.key(j), out_root):
            if record is not None and output_folder.unrecorded_rewrite(out_root, record):
                reasons[j.key] = ["interrupted build"]  # files of a killed run, never recorded
                continue
            if not pdf or _has_pdf(record):
                continue
            reasons[j.key] = ["pdf"]
            continue
        reasons[j.key] = rebuild_reasons(record, inputs.parts(j), force)
    todo = [j for j in all_jobs if j.key in reasons]
    return Plan(all_jobs, todo, inputs, facts, out_root, reasons, load_seconds)


def _has_pdf(record: dict[str, Any] | None) -> bool:
    return any(rel.endswith(".pdf") for rel in ((record or {}).get("outputs") or {}))


#: Why a report is rebuilt, in the order they are checked.
REASONS: tuple[str, ...] = (
    "forced",
    "new",
    "failed before",
    "data slice",
    "disclosure",
    "shared data",
    "notebook",
    "config",
    "navigation",
    "library",
    "parameters",
    "outputs missing",
    "pdf",  # up to date, but --pdf asked for a PDF it does not have
    "interrupted build",
)


def rebuild_reasons(record: dict[str, Any] | None, parts: dict[str, Any], force: bool) -> list[str]:
    """Return why a report is rebuilt: what changed since its record (names of :data:`REASONS`).

    Examples
    --------
    >>> old = {"status": "ok", "inputs": {"data_slice": "a", "notebook": "n", "config": "c"}}
    >>> rebuild_reasons(old, {"data_slice": "b", "notebook": "n", "config": "c"}, False)
    ['data slice']
    >>> rebuild_reasons(None, {}, False), rebuild_reasons(old, {}, True)
    (['new'], ['forced'])
    """
    if force:
        return ["forced"]
    if not record:
        return ["new"]
    if record.get("status") != "ok":
        return ["failed before"]
    before = record.get("inputs") or {}
    names = {
        "data_slice": "data slice",
        "disclosure": "disclosure",
        "shared_data": "shared data",
        "notebook": "notebook",
        "config": "config",
        "navigation": "navigation",
        "library_digest": "library",
    }
    changed = [label for k, label in names.items() if before.get(k) != parts.get(k)]
    return changed or ["outputs missing"]


class Progress(Protocol):
    """What the build tells about its progress (the CLI draws a bar; a library caller may log)."""

    def start(self, total: int) -> None:
        """Tell that the jobs start: ``total`` reports to build."""

    def report(self, key: str, status: str, failure: str = "") -> None:
        """One report finished with ``status`` (``ok`` or ``failed``, with the failure's line)."""

    def close(self) -> None:
        """Tell that the jobs ended (finished, failed or interrupted)."""


class NoProgress:
    """Progress that shows nothing (the default for library callers)."""

    def start(self, total: int) -> None:
        """Ignore the start."""

    def report(self, key: str, status: str, failure: str = "") -> None:
        """Ignore a finished report."""

    def close(self) -> None:
        """Ignore the end."""


def build(
    data: str | None = None,
    countries: Sequence[str] = (),
    years: Sequence[int] = (),
    reports: Sequence[str] = (),
    langs: Sequence[str] = (),
    jobs: int | None = None,
    force: bool = False,
    out: str | None = None,
    progress: Progress | None = None,
    cluster: str | None = None,
    ship_snapshot: bool = True,
    pdf: bool = False,
    out_ok: bool = False,
) -> BuildResult:
    """Build the report matrix; see the module docstring for the steps.

    Parameters
    ----------
    data
        Data folder (default ``$CORETT_DATA`` or the shipped ``data/``).
    countries, years, reports, langs
        Replace the corresponding axis of ``parameters/build.yaml`` when given.
    jobs
        Parallel workers, each with its own kernel (default: CPU count).
    force
        Rebuild reports that are up to date.
    out
        Output folder (default ``outputs/``).
    progress
        Told when the jobs start and as each report finishes (the CLI shows a progress bar).
    cluster
        A Dask scheduler address, or ``"local"`` for a LocalCluster of ``jobs`` workers started
        here (:mod:`corett_lib.batch.cluster`); None (default) uses the local pool of kernels.
    ship_snapshot
        With ``cluster``: broadcast the validated snapshot to the workers (default); false when
        they share this machine's storage.
    pdf
        Also print each built report to ``<report>.<lang>.pdf`` with headless Chromium; without a
        browser :attr:`BuildResult.pdf_note` says so and the HTML is built as usual.
    out_ok
        Accept an output folder :func:`~corett_lib.batch.output_folder.check_output_folder` refuses.

    Raises
    ------
    BuildError
        For an invalid parameter or when another build holds the output folder (nothing written).
    corett_lib.core.problems.DataError
        When the data do not validate (nothing written).
    """
    t_start = time.perf_counter()
    prepare_environment()
    stamp = page.new_stamp()  # the run id and build time of every page and record of this build
    result = BuildResult(run_id=stamp.run_id)
    browser = find_browser() if pdf else None
    if pdf and browser is None:
        result.pdf_note = "no PDF written: Chromium not found (Debian package chromium)"
    p = plan(
        data, countries, years, reports, langs, force, out, pdf=browser is not None, out_ok=out_ok
    )
    all_jobs, todo, inputs, out_root = p.jobs, p.todo, p.inputs, p.out_root
    result.planned = len(all_jobs)
    result.skipped = [j.key for j in all_jobs if j not in todo]
    result.reasons = dict(p.reasons)
    result.load_seconds = p.load_seconds

    from filelock import FileLock, Timeout

    out_root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_root / LOCK_NAME))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise BuildError(
            f"another corett build is writing to {out_root} (lock {out_root / LOCK_NAME}); "
            "wait for it to finish, or build into another folder with --out"
        ) from None
    pool: WorkerPool | DaskPool | None = None
    try:
        if todo:
            workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
            result.workers = workers
            snapshot_file = str(snapshot_path(inputs))

            def params_of(job: Job) -> dict[str, Any]:
                return {**job.parameters(), "data": str(inputs.data_dir), "snapshot": snapshot_file}

            published = manifest.read_manifest(out_root)
            paged = PagedBuild(
                page.PageSet(
                    stamp,
                    page.safe_data_edition(inputs.data_dir),
                    manifest.git_commit(),
                    [(j.year, j.country, j.report, j.lang) for j in all_jobs]
                    + page.published_reports(published),
                    pdf=browser is not None,
                ),
                browser,
                approval.approved_checksums(published),
            )

            def execute_one(job: Job, session: KernelSession) -> Executed:
                return execute_report(job, params_of(job), session)

            def finish_one(job: Job, executed: Executed) -> dict[str, Any]:
                return paged.finish(executed, out_root)

            if cluster is None:  # each kernel starts and warms up in its worker thread
                pool = WorkerPool(workers, execute_one, finish=finish_one)
            else:
                pool = DaskPool(
                    cluster,
                    workers,
                    params_of,
                    out_root,
                    snapshot_files(inputs),
                    paged,
                    WARM_UP,
                    ship_snapshot=ship_snapshot,
                )
        facts = p.facts
        current = manifest.read_manifest(out_root)  # re-read under the lock
        previous = build_changes.previous_state(current)
        _remove_stale_temporaries(out_root, current, all_jobs)
        if pool is not None:
            _run_jobs(todo, inputs, facts or {}, out_root, current, result, pool, progress)
            approval.reconcile(current, out_root, result.built, result.run_id)  # issue 17 hook
        current["builds"] = [
            *current["builds"][-19:],
            {
                "run_id": result.run_id,
                "started": stamp.built_at,
                "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                "git_commit": manifest.git_commit() if todo else None,
                "library_version": __version__,
                "planned": result.planned,
                "built": len(result.built),
                "failed": sorted(result.failed),
                "up_to_date": len(result.skipped),
                "interrupted": result.interrupted,
                "workers": result.workers,
                "seconds": round(time.perf_counter() - t_start, 2),
                "load_seconds": round(result.load_seconds, 2),
                "cell_seconds": round(result.cell_seconds, 2),
            },
        ]
        if todo:
            current["changes"] = build_changes.compute(
                previous, current, result.built, sorted(result.failed), stamp.run_id,
                stamp.built_at, out_root,
                build_changes.changed_files(current.get(build_changes.DATA_FILES), inputs.data),
            )  # fmt: skip
        current[build_changes.DATA_FILES] = dict(inputs.data)
        manifest.write_manifest(current, out_root)
        write_index(current, out_root)
        build_changes.write_changes(current.get("changes"), out_root)
    except KeyboardInterrupt:
        result.interrupted = True  # finished reports are in place; kernels end with this process
        raise
    finally:
        if pool is not None:
            pool.close(wait=not result.interrupted)
        lock.release()
    result.wall_seconds = time.perf_counter() - t_start
    return result


def _run_jobs(
    todo: list[Job],
    inputs: Inputs,
    facts: dict[str, Any],
    out_root: Path,
    current: dict[str, Any],
    result: BuildResult,
    pool: WorkerPool | DaskPool,
    progress: Progress | None,
) -> None:
    """Queue the reports, then record each one in the manifest as it finishes."""
    commit = manifest.git_commit()
    pool.submit(todo)
    bar = progress or NoProgress()
    bar.start(len(todo))
    saved_at, unsaved = time.monotonic(), 0
    try:
        for _ in range(len(todo)):
            job, record = pool.next_result()
            record.update(
                key=job.key,
                parameters=job.parameters() | {"report": job.report},
                input_key=inputs.key(job),
                inputs={**inputs.parts(job), "data": inputs.data},  # data: provenance
                rebuilt_because=result.reasons.get(job.key, []),
                data_warnings=facts.get("warnings"),
                library_version=__version__,
                git_commit=commit,
                run_id=result.run_id,
                finished=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            if record["status"] == "ok":
                result.built.append(job.key)
                result.cell_seconds += float(record.get("cell_seconds", 0.0))
                if record.get("pdf_error"):
                    result.pdf_errors[job.key] = record["pdf_error"]
            else:
                result.failed[job.key] = record
                previous = current["reports"].get(job.key) or {}
                if previous.get("status") == "ok":  # the last good outputs stay, marked stale
                    record["previous_outputs"] = previous.get("outputs")
            current["reports"][job.key] = record
            unsaved += 1
            if time.monotonic() - saved_at >= MANIFEST_SAVE_SECONDS:
                manifest.write_manifest(current, out_root)
                saved_at, unsaved = time.monotonic(), 0
            bar.report(
                job.key, record["status"], failure_line(record) if record["status"] != "ok" else ""
            )
    except KeyboardInterrupt:
        result.interrupted = True
        raise
    finally:
        if unsaved:  # an interrupted build records what it finished
            manifest.write_manifest(current, out_root)
        bar.close()


def failure_line(record: dict[str, Any]) -> str:
    """Return the failure of a manifest ``record`` on one line: ``cell N: ename: evalue``."""
    f = record.get("failure") or {}
    where = f"cell {f['cell_index']}: " if f.get("cell_index") is not None else ""
    return f"{where}{f.get('ename', '')}: {f.get('evalue', '')}".strip()


def kept_line(record: dict[str, Any], out_root: Path, lang: str = "en") -> str:
    """Return where a failed report's notebook was kept, or that none was.

    Never names a notebook that is not there (e.g. when the disk was full).
    """
    rel = record.get("failed_notebook")
    if rel and (out_root / rel).is_file():
        return i18n.t("failure.notebook_kept", lang, path=out_root / rel)
    reason = (record.get("failure") or {}).get("evalue") or "-"
    return i18n.t("failure.no_notebook_kept", lang, reason=" ".join(str(reason).split())[:200])

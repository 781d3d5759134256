"""Published facts: one fact table per build, from which every page, download, chart and view takes its figures.

* :mod:`~corett_lib.facts.engine` computes every declared indicator for every source, member, the
  region, year and breakdown (precedence, regional sums of one source with their members, ranges);
* :mod:`~corett_lib.facts.rules` flags parts above their total and withholds what would be computed
  from them;
* :mod:`~corett_lib.facts.table` builds the fact table (documented schema, language-independent) and
  the long table of every source's figure;
* :mod:`~corett_lib.facts.store` writes them beside the build's snapshot (Parquet) and reads them
  once per kernel;
* :mod:`~corett_lib.facts.view` selects facts and applies a language's labels (what pages, the CLI
  and the explorer show); :mod:`~corett_lib.facts.reconcile` lists where sources differ.

The layer sits below ``analysis``: it imports only ``core``, ``raw``, ``dataset`` and ``validation``.
"""

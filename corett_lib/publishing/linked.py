"""Disclosure at the fact level: suppression decided once across linked tables.

:func:`~corett_lib.publishing.publish.publish_table` alone decides suppression one table at a time,
so a count hidden in one table can be recovered from figures another table of the same page (or
country-year) publishes: the sex table hides Female = 3 and Male = 20 behind a total of 23, and a
table of male victims by age shows their total, 20; 23 - 20 = 3.

A :class:`LinkedPlan` decides once for every table registered with it. Each table names the *fact*
each of its count cells shows (a key such as ``GTM|2019|victims|sex|Male``); cells that show the
same fact are one cell of one suppression problem, whose relations are the union of every table's
relations (each table still says how its own cells add up). The joint problem is solved by the
same rule (:func:`corett_lib.publishing.disclosure.suppress`), so a fact is hidden in every table or
in none, and no hidden count can be derived from any combination of the linked tables' relations
(within the limits of interval propagation stated in :mod:`corett_lib.publishing.disclosure`).

Use::

    plan = LinkedPlan(k)
    plan.register(sex_df, table_id="by_sex", count_columns=["n"], total_row={"sex": "Total"},
                  facts=facts_of(sex_df, "n", ["indicator", "sex"]))
    plan.register(male_df, table_id="male_by_age", ...)
    by_sex = publish_table(sex_df, table_id="by_sex", count_columns=["n"],
                           total_row={"sex": "Total"}, linked=plan)

Registering every table first and publishing afterwards is required: a table registered after the
decision would not be protected, so :meth:`LinkedPlan.register` refuses it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from corett_lib.publishing import disclosure
from corett_lib.publishing.publish import DEFAULT_K, TableModel, table_model

if TYPE_CHECKING:
    import pandas as pd

#: Joins the parts of a fact key made from table columns.
FACT_SEPARATOR = "|"


def facts_of(
    df: pd.DataFrame, count_column: str, key_columns: Sequence[str], prefix: Sequence[Any] = ()
) -> dict[tuple[int, str], str]:
    """Return the fact key of every cell of ``count_column``: ``prefix`` and the row's key columns.

    Parameters
    ----------
    df
        The table as it will be published (its rows are numbered from 0, as publishing does).
    count_column
        The column of counts.
    key_columns
        Columns whose values say which fact a row shows (language-independent codes, not labels:
        the same fact must get the same key on a Spanish and an English page).
    prefix
        Leading parts of every key, e.g. the country and year.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"sex": ["Female", "Total"], "n": [3, 23]})
    >>> facts_of(df, "n", ["sex"], prefix=("GTM", 2019, "victims"))
    {(0, 'n'): 'GTM|2019|victims|Female', (1, 'n'): 'GTM|2019|victims|Total'}
    """
    out: dict[tuple[int, str], str] = {}
    rows = df.reset_index(drop=True)[list(key_columns)].itertuples(index=False, name=None)
    for r, values in enumerate(rows):
        out[(r, count_column)] = FACT_SEPARATOR.join(str(v) for v in (*prefix, *values))
    return out


@dataclass
class _Registered:
    cells: dict[Hashable, Any]
    relations: list[disclosure.Relation]
    fixed: set[Hashable]
    facts: dict[tuple[int, str], str]


@dataclass
class LinkedPlan:
    """One suppression decision for every table registered with it (a page or a country-year).

    Parameters
    ----------
    k
        Threshold (the report's ``disclosure_k``); every linked table must be published with it.
    suppress_zeros, on_unprotectable
        As for :func:`corett_lib.publishing.disclosure.suppress`.
    """

    k: int = DEFAULT_K
    suppress_zeros: bool = False
    on_unprotectable: Literal["withhold", "raise"] = "withhold"
    _tables: dict[str, _Registered] = field(default_factory=dict, init=False, repr=False)
    _decision: disclosure.Suppression | None = field(default=None, init=False, repr=False)

    def register(
        self,
        df: pd.DataFrame,
        *,
        table_id: str,
        count_columns: Sequence[str],
        facts: Mapping[tuple[int, str], str],
        row_total: str | None = None,
        total_row: Mapping[str, Any] | None = None,
        group_by: Sequence[str] | None = None,
        group_total: Mapping[str, Any] | None = None,
        declared_totals: Mapping[Any, Any] | None = None,
    ) -> None:
        """Add a table to the plan, with the fact each count cell shows.

        Layout parameters are those of :func:`~corett_lib.publishing.publish.publish_table` (the
        same values must be passed to it). Cells without a fact are the table's own.

        Raises
        ------
        ValueError
            The plan has already decided, the table id is registered twice, or a fact key names a
            cell that is not a count cell of the table.
        """
        if self._decision is not None:
            raise ValueError(
                f"table {table_id!r} is registered after the linked decision was made; register "
                "every linked table before publishing any"
            )
        if table_id in self._tables:
            raise ValueError(f"table {table_id!r} is registered twice")
        _, cells, relations, fixed = table_model(
            df,
            table_id=table_id,
            count_columns=count_columns,
            row_total=row_total,
            total_row=total_row,
            group_by=group_by,
            group_total=group_total,
            declared_totals=declared_totals,
        )
        unknown = [key for key in facts if key not in cells]
        if unknown:
            raise ValueError(f"table {table_id!r}: facts name cells that are not counts: {unknown}")
        self._tables[table_id] = _Registered(cells, relations, fixed, dict(facts))

    def facts(self, table_id: str) -> dict[tuple[int, str], str]:
        """Return the fact keys registered for ``table_id``."""
        return dict(self._registered(table_id).facts)

    def _registered(self, table_id: str) -> _Registered:
        try:
            return self._tables[table_id]
        except KeyError:
            raise KeyError(
                f"table {table_id!r} was not registered with the linked plan "
                f"(registered: {sorted(self._tables)})"
            ) from None

    @staticmethod
    def _global(table_id: str, reg: _Registered, key: Any) -> tuple[Any, ...]:
        fact = reg.facts.get(key)
        return ("fact", fact) if fact is not None else ("cell", table_id, key)

    def decide(self) -> disclosure.Suppression:
        """Solve the joint suppression problem once (later calls return the same decision).

        Raises
        ------
        ValueError
            The same fact has different counts in two tables (one fact, one reading).
        disclosure.DisclosureError
            With ``on_unprotectable="raise"``, when a cell cannot be protected.
        """
        if self._decision is not None:
            return self._decision
        cells: dict[Hashable, Any] = {}
        seen_in: dict[Hashable, tuple[str, disclosure.Cell]] = {}
        relations: list[disclosure.Relation] = []
        known: set[tuple[Hashable, frozenset[Hashable]]] = set()
        fixed: set[Hashable] = set()
        for table_id, reg in self._tables.items():
            for key, raw in reg.cells.items():
                g = self._global(table_id, reg, key)
                cell = disclosure.parse_count(raw)
                if g in seen_in:
                    other, before = seen_in[g]
                    if (before.low, before.high, before.value) != (cell.low, cell.high, cell.value):
                        raise ValueError(
                            f"fact {g[1]!r} is {before} in table {other!r} and {cell} in table "
                            f"{table_id!r}: one fact must read the same in every table"
                        )
                    continue
                seen_in[g] = (table_id, cell)
                cells[g] = cell
            for rel in reg.relations:
                total = self._global(table_id, reg, rel.total)
                parts = tuple(self._global(table_id, reg, p) for p in rel.parts)
                signature = (total, frozenset(parts))
                if signature in known:
                    continue  # the same relation published by two tables
                known.add(signature)
                relations.append(disclosure.Relation(total, parts, f"{table_id}:{rel.name}"))
            fixed |= {self._global(table_id, reg, key) for key in reg.fixed}
        self._decision = disclosure.suppress(
            cells,
            relations,
            k=self.k,
            suppress_zeros=self.suppress_zeros,
            fixed=fixed,
            on_unprotectable=self.on_unprotectable,
        )
        return self._decision

    def result(
        self,
        table_id: str,
        cells: Mapping[Hashable, Any] | None = None,
        *,
        model: TableModel | None = None,
    ) -> disclosure.Suppression:
        """Return the joint decision for the cells of ``table_id``, keyed by its own cells.

        Parameters
        ----------
        table_id
            A registered table.
        cells
            The table's cells as publishing sees them; when given they must be those registered
            (a table published differently from how it was registered is refused).
        model
            The table as publishing sees it (unused: the plan has the table's registration).

        Raises
        ------
        KeyError
            The table was not registered.
        ValueError
            ``cells`` differ from the registered ones.
        """
        del model
        reg = self._registered(table_id)
        if cells is not None and set(cells) != set(reg.cells):
            raise ValueError(f"table {table_id!r} is published with other cells than registered")
        decision = self.decide()
        status = {key: decision.status[self._global(table_id, reg, key)] for key in reg.cells}
        bounds = {key: decision.bounds[self._global(table_id, reg, key)] for key in reg.cells}
        prefix = f"{table_id}:"
        incomplete = [n[len(prefix) :] for n in decision.incomplete if n.startswith(prefix)]
        return disclosure.Suppression(status=status, bounds=bounds, incomplete=incomplete)

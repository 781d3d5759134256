"""Primary and complementary suppression on small hand-made tables; expected cells written out."""

from __future__ import annotations

import math

import pytest

from corett_lib.publishing.disclosure import (
    Cell,
    DisclosureError,
    Relation,
    parse_count,
    propagate,
    suppress,
)


def _wide(cells: dict[str, object], rows: list[str], cols: list[str]) -> list[Relation]:
    """Relations of a wide table whose keys are row letter + column letter, totals ``t``."""
    rels = [Relation(f"{r}t", tuple(f"{r}{c}" for c in cols), f"row {r}") for r in [*rows, "t"]]
    rels += [Relation(f"t{c}", tuple(f"{r}{c}" for r in rows), f"col {c}") for c in [*cols, "t"]]
    assert set(k for rel in rels for k in (rel.total, *rel.parts)) <= set(cells)
    return rels


TWO_BY_TWO = {
    "xa": 3, "xb": 10, "xt": 13,
    "ya": 20, "yb": 30, "yt": 50,
    "ta": 23, "tb": 40, "tt": 63,
}  # fmt: skip


def test_two_by_two_with_one_small_cell_suppresses_its_row_column_and_the_closing_cell() -> None:
    res = suppress(TWO_BY_TWO, _wide(TWO_BY_TWO, ["x", "y"], ["a", "b"]), k=5)
    assert res.keys("primary") == ["xa"]
    assert res.keys("complementary") == ["xb", "ya", "yb"]
    # What a reader can still work out: the small cell lies anywhere in 1..4.
    assert res.bounds["xa"] == (1, 4)
    assert res.bounds["xb"] == (9, 12)
    assert res.bounds["ya"] == (19, 22)
    assert res.bounds["yb"] == (28, 31)


def test_two_small_cells_in_a_row_protect_each_other() -> None:
    cells = {"a": 2, "b": 3, "c": 20, "t": 25}
    res = suppress(cells, [Relation("t", ("a", "b", "c"))], k=5)
    assert res.keys("primary") == ["a", "b"]
    assert res.keys("complementary") == []
    assert res.bounds["a"] == (1, 4) and res.bounds["b"] == (1, 4)


def test_two_small_cells_pinned_by_the_total_need_a_third() -> None:
    # <5 and <5 adding up to 2 can only be 1 and 1: the 10 is suppressed too.
    cells = {"a": 1, "b": 1, "c": 10, "t": 12}
    res = suppress(cells, [Relation("t", ("a", "b", "c"))], k=5)
    assert res.keys("primary") == ["a", "b"]
    assert res.keys("complementary") == ["c"]


def test_single_small_cell_gets_the_smallest_nonzero_neighbour() -> None:
    cells = {"a": 4, "b": 7, "c": 90, "t": 101}
    res = suppress(cells, [Relation("t", ("a", "b", "c"))], k=5)
    assert res.keys("primary") == ["a"]
    assert res.keys("complementary") == ["b"]


def test_k11_two_by_two() -> None:
    cells = {
        "xa": 7, "xb": 15, "xt": 22,
        "ya": 12, "yb": 40, "yt": 52,
        "ta": 19, "tb": 55, "tt": 74,
    }  # fmt: skip
    res = suppress(cells, _wide(cells, ["x", "y"], ["a", "b"]), k=11)
    assert res.keys("primary") == ["xa"]
    assert res.keys("complementary") == ["xb", "ya", "yb"]
    assert suppress(cells, _wide(cells, ["x", "y"], ["a", "b"]), k=5).keys("primary") == []


def test_k11_row_and_ten_is_small() -> None:
    cells = {"a": 10, "b": 25, "t": 35}
    res = suppress(cells, [Relation("t", ("a", "b"))], k=11)
    assert res.keys("primary") == ["a"] and res.keys("complementary") == ["b"]
    assert suppress(cells, [Relation("t", ("a", "b"))], k=5).keys("primary") == []


def test_k11_two_small_cells_protect_each_other() -> None:
    cells = {"a": 6, "b": 8, "c": 30, "t": 44}
    res = suppress(cells, [Relation("t", ("a", "b", "c"))], k=11)
    assert res.keys("primary") == ["a", "b"] and res.keys("complementary") == []


def test_zero_stays_zero_and_is_never_the_complementary_cell() -> None:
    cells = {"a": 0, "b": 3, "c": 12, "t": 15}
    res = suppress(cells, [Relation("t", ("a", "b", "c"))], k=5)
    assert res.status == {"a": "", "b": "primary", "c": "complementary", "t": ""}


def test_zeros_suppressed_when_configured() -> None:
    cells = {"a": 0, "b": 3, "c": 12, "t": 15}
    res = suppress(cells, [Relation("t", ("a", "b", "c"))], k=5, suppress_zeros=True)
    assert res.keys("primary") == ["a", "b"] and res.keys("complementary") == []


def test_censored_input_is_primary_and_protected() -> None:
    # UNODC "<5" beside a shown 20 and a total of 23: the <5 would be 3, so the 20 is suppressed.
    cells = {"a": "<5", "b": 20, "t": 23}
    res = suppress(cells, [Relation("t", ("a", "b"))], k=5)
    assert res.keys("primary") == ["a"] and res.keys("complementary") == ["b"]
    # A censored cell is primary whatever k is, even below 5.
    assert suppress({"a": "<5"}, k=3).keys("primary") == ["a"]


def test_total_that_is_the_only_suppressed_cell_gets_a_part_suppressed() -> None:
    cells = {"a": 2, "b": 0, "t": 2, "c": 8, "d": 9, "u": 17, "ta": 10, "tb": 9, "tt": 19}
    rels = [
        Relation("t", ("a", "b")),
        Relation("u", ("c", "d")),
        Relation("tt", ("ta", "tb")),
        Relation("ta", ("a", "c")),
        Relation("tb", ("b", "d")),
        Relation("tt", ("t", "u")),
    ]
    res = suppress(cells, rels, k=5)
    assert res.keys("primary") == ["a", "t"]
    # Column a (10 = a + 8) pins a, so c is hidden; then the grand total (19 = t + 17) pins t,
    # so u is hidden. d stays shown: row u is protected by c and u.
    assert res.keys("complementary") == ["c", "u"]
    assert all(res.bounds[key][0] < res.bounds[key][1] for key in ("a", "t", "c", "u"))


def test_incomplete_total_with_small_remainder_is_protected() -> None:
    # 32 published, parts 10 and 20: the unlisted remainder is 2, a small count.
    res = suppress({"a": 10, "b": 20, "t": 32}, [Relation("t", ("a", "b"), "g")], k=5)
    assert res.incomplete == ["g"]
    assert res.keys("primary") == [] and res.keys("complementary") == ["a"]
    # A large remainder needs nothing.
    res = suppress({"a": 10, "b": 20, "t": 50}, [Relation("t", ("a", "b"), "g")], k=5)
    assert res.incomplete == ["g"] and res.keys("complementary") == []


def test_unprotectable_declared_total_withholds_or_raises() -> None:
    # A total of 8 published elsewhere and two parts <5: both must be 4.
    cells = {"a": "<5", "b": "<5", "t": 8}
    rels = [Relation("t", ("a", "b"))]
    with pytest.raises(DisclosureError, match="can be derived"):
        suppress(cells, rels, k=5, fixed=["t"], on_unprotectable="raise")
    res = suppress(cells, rels, k=5, fixed=["t"])
    assert res.keys("withheld") == ["a", "b"]
    assert res.bounds["a"] == (0, 8)


def test_missing_part_is_unknown_to_the_reader() -> None:
    res = suppress({"a": 3, "b": float("nan"), "t": 10}, [Relation("t", ("a", "b"))], k=5)
    assert res.keys("primary") == ["a"] and res.keys("complementary") == []


def test_parse_count() -> None:
    assert parse_count("<5") == Cell(None, 1.0, 4.0)
    assert parse_count("1,234") == Cell.exact(1234)
    assert parse_count(None).missing and parse_count("").missing
    assert parse_count(math.nan).missing
    with pytest.raises(ValueError, match="negative"):
        parse_count(-1)
    with pytest.raises(ValueError, match="not a count"):
        parse_count("many")


def test_propagate_narrows_through_two_relations() -> None:
    b = propagate(
        {"t": (13, 13), "a": (1, 4), "b": (0, math.inf), "u": (30, 30), "c": (20, 20)},
        [("t", ["a", "b"]), ("u", ["b", "c"])],
    )
    assert b["b"] == (10, 10) and b["a"] == (3, 3)


def test_k_below_two_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        suppress({"a": 1}, k=1)


def _propagate_pairwise(bounds, relations):  # type: ignore[no-untyped-def]
    """The definition: each member against the sum of the others, recomputed member by member."""
    import math

    from corett_lib.publishing.disclosure import INF

    def ceil(x: float) -> float:
        return x if x in (INF, -INF) else math.ceil(x - 1e-9)

    def floor(x: float) -> float:
        return x if x in (INF, -INF) else math.floor(x + 1e-9)

    cur = {key: (ceil(lo), floor(hi)) for key, (lo, hi) in bounds.items()}
    for _ in range(200):
        changed = False
        for total, parts in relations:
            members = [total, *parts]
            signs = [1.0] + [-1.0] * len(parts)
            for i, key in enumerate(members):
                lo_rest = hi_rest = 0.0
                for j, other in enumerate(members):
                    if j != i:
                        o_lo, o_hi = cur[other]
                        lo_rest += -signs[j] * (o_hi if signs[j] > 0 else o_lo)
                        hi_rest += -signs[j] * (o_lo if signs[j] > 0 else o_hi)
                if signs[i] < 0:
                    lo_rest, hi_rest = -hi_rest, -lo_rest
                k_lo, k_hi = cur[key]
                lo = max(k_lo, ceil(lo_rest)) if not math.isnan(lo_rest) else k_lo
                hi = min(k_hi, floor(hi_rest)) if not math.isnan(hi_rest) else k_hi
                if (lo, hi) != (k_lo, k_hi):
                    cur[key] = (lo, hi)
                    changed = True
        if not changed:
            break
    return cur


def _random_table(rng, consistent: bool):  # type: ignore[no-untyped-def]
    """Cells with true counts, nested and overlapping sum relations, and what a reader sees of each."""
    from corett_lib.publishing.disclosure import INF

    truth = {f"c{i}": rng.randint(0, 60) for i in range(rng.randint(2, 10))}
    relations = []
    for n in range(rng.randint(1, 4)):
        parts = rng.sample(sorted(truth), rng.randint(1, min(6, len(truth))))
        total = f"t{n}"
        truth[total] = sum(truth[p] for p in parts) + (0 if consistent else rng.randint(-9, 9))
        relations.append((total, parts))
    bounds = {}
    for key, v in truth.items():
        kind = rng.random()
        if kind < 0.45:
            bounds[key] = (float(v), float(v))  # shown
        elif kind < 0.65 and 1 <= v <= 4:
            bounds[key] = (1.0, 4.0)  # <5
        elif kind < 0.85 and v >= 5:
            bounds[key] = (5.0, INF)  # complementary
        else:
            bounds[key] = (0.0, INF)  # unknown
    return bounds, relations


def test_propagate_narrows_as_the_pairwise_definition_does() -> None:
    """Random tables (shown, <5, hidden, unknown cells; nested and overlapping relations): the
    linear-time propagation gives exactly what comparing each cell with the others one by one gives."""
    import random

    from corett_lib.publishing.disclosure import propagate

    rng = random.Random(19)
    pinned_somewhere = 0
    for _ in range(500):
        bounds, relations = _random_table(rng, consistent=True)
        got = propagate(bounds, relations)
        assert got == _propagate_pairwise(bounds, relations)
        pinned_somewhere += any(
            lo == hi and bounds[k][0] != bounds[k][1] for k, (lo, hi) in got.items()
        )
    assert pinned_somewhere > 50  # the cases exercise derivation, not only shown cells


def test_contradicting_relations_empty_the_same_cells_as_the_definition() -> None:
    """Totals that do not add up empty some intervals (they then pin nothing); the others agree."""
    import random

    from corett_lib.publishing.disclosure import INF, propagate

    rng = random.Random(5)
    emptied = 0
    for _ in range(300):
        bounds, relations = _random_table(rng, consistent=False)
        got, want = propagate(bounds, relations), _propagate_pairwise(bounds, relations)
        assert {k for k, (lo, hi) in got.items() if lo > hi} == {
            k for k, (lo, hi) in want.items() if lo > hi
        }
        assert {k for k, (lo, hi) in got.items() if lo == hi} == {
            k for k, (lo, hi) in want.items() if lo == hi
        }
        # Past 2**53 the ever-growing bounds of a contradiction are no longer whole numbers in
        # floating point, and no two summation orders agree; below it they must.
        exact = [
            k for k in got if all(abs(x) < 2**53 or x in (INF, -INF) for x in (*got[k], *want[k]))
        ]
        assert {k: got[k] for k in exact} == {k: want[k] for k in exact}
        emptied += any(lo > hi for lo, hi in got.values())
    assert emptied > 30


def test_a_relation_pins_a_cell_exactly_when_propagating_it_does() -> None:
    """The shortcut of ``_pins`` (every other member pinned) against propagating the one relation,
    on consistent and contradicting random tables (where it falls back to propagation)."""
    import random

    from corett_lib.publishing.disclosure import INF, _pins, propagate

    rng = random.Random(7)
    pinned = 0
    for consistent in (True, False):
        for _ in range(300):
            bounds, relations = _random_table(rng, consistent=consistent)
            for total, parts in relations:
                for key in (total, *parts):
                    others = {m: bounds[m] for m in (total, *parts) if m != key}
                    narrowed = propagate({**others, key: (-INF, INF)}, [(total, parts)])
                    want = narrowed[key][0] == narrowed[key][1]
                    assert _pins(key, (total, parts), bounds) == want
                    pinned += want
    assert pinned > 100

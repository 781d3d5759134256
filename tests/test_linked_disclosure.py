"""Disclosure at the fact level (issue 13): suppression decided once across linked tables.

Hand-worked cases of two tables of one country-year, k = 5:

* **sex** — Female 3, Male 20, Total 23. Alone: Female is shown ``<5`` and Male is suppressed as
  its complement (the total 23 stays); a reader knows Female in 1..4 and Male in 19..22.
* **male by age** — 0-17: 8, 18+: 12, Total (= Male) 20. Alone: nothing is small, all shown. But it
  shows Male = 20, so Female = 23 - 20 = 3: the count hidden in the sex table is recovered.
  Decided together, the male total (20) and its smallest part (8) are suppressed too: Male is
  19..22 (from the sex table) and 0-17 = Male - 12 is 7..10.
* **age** — 0-17: 10, 18+: 13, Total 23, the same total as the sex table: nothing leaks, and the
  joint decision suppresses exactly what each table alone does (no over-suppression).
"""

from __future__ import annotations

import pandas as pd
import pytest

from corett_lib.publishing.linked import LinkedPlan, facts_of
from corett_lib.publishing.publish import PublishedTable, publish_table
from corett_lib.publishing.scanner import scan_html

PREFIX = ("GTM", 2019, "victims")
MALE = "GTM|2019|victims|sex|Male"


def sex_table() -> tuple[pd.DataFrame, dict]:
    df = pd.DataFrame({"sex": ["Female", "Male", "Total"], "n": [3, 20, 23]})
    facts = facts_of(df, "n", ["sex"], (*PREFIX, "sex"))
    facts[(2, "n")] = "GTM|2019|victims|total"
    return df, facts


def male_by_age() -> tuple[pd.DataFrame, dict]:
    df = pd.DataFrame({"age": ["0 to 17", "18 or over", "Total"], "n": [8, 12, 20]})
    facts = facts_of(df, "n", ["age"], (*PREFIX, "male_by_age"))
    facts[(2, "n")] = MALE  # the total of this table is the sex table's Male
    return df, facts


def age_table() -> tuple[pd.DataFrame, dict]:
    df = pd.DataFrame({"age": ["0 to 17", "18 or over", "Total"], "n": [10, 13, 23]})
    facts = facts_of(df, "n", ["age"], (*PREFIX, "age"))
    facts[(2, "n")] = "GTM|2019|victims|total"  # the same total as the sex table
    return df, facts


LAYOUT = {"sex": {"sex": "Total"}, "age": {"age": "Total"}}


def publish(df: pd.DataFrame, table_id: str, facts: dict, **kw) -> PublishedTable:
    col = "sex" if "sex" in df.columns else "age"
    return publish_table(
        df, table_id=table_id, count_columns=["n"], total_row=LAYOUT[col], facts=facts, **kw
    )


def plan_of(*tables: tuple[str, pd.DataFrame, dict]) -> LinkedPlan:
    plan = LinkedPlan(5)
    for table_id, df, facts in tables:
        col = "sex" if "sex" in df.columns else "age"
        plan.register(
            df, table_id=table_id, count_columns=["n"], total_row=LAYOUT[col], facts=facts
        )
    return plan


def test_tables_decided_alone_leak_and_the_scanner_sees_it_across_the_page() -> None:
    (sex, sf), (male, mf) = sex_table(), male_by_age()
    a, b = publish(sex, "by_sex", sf), publish(male, "male_by_age", mf)
    assert a.display["n"].tolist() == ["<5", "suppressed", "23"]
    assert b.display["n"].tolist() == ["8", "12", "20"]
    # Each table alone passes the scanner ...
    assert scan_html(a.to_html(), 5) == [] and scan_html(b.to_html(), 5) == []
    # ... the page does not: Female = 23 - 20 and Male = 20 (shown in the other table).
    found = scan_html(a.to_html() + b.to_html(), 5)
    assert [(f.kind, f.where, f.message.rsplit(": it is ", 1)[1]) for f in found] == [
        ("derivable_across_tables", "table by_sex, row 1, column 'n'", "3"),
        ("derivable_across_tables", "table by_sex, row 2, column 'n'", "20"),
    ]


def test_a_linked_decision_hides_the_count_in_every_table() -> None:
    (sex, sf), (male, mf) = sex_table(), male_by_age()
    plan = plan_of(("by_sex", sex, sf), ("male_by_age", male, mf))
    a = publish(sex, "by_sex", sf, linked=plan)
    b = publish(male, "male_by_age", mf, linked=plan)
    assert a.status["n"].tolist() == ["primary", "complementary", ""]
    assert b.status["n"].tolist() == ["complementary", "", "complementary"]
    assert b.display["n"].tolist() == ["suppressed", "12", "suppressed"]
    # What a reader can work out, hand-checked: Female 1..4, Male 19..22, 0-17 = Male - 12: 7..10.
    bounds = plan.decide().bounds
    assert bounds[("fact", "GTM|2019|victims|sex|Female")] == (1, 4)
    assert bounds[("fact", MALE)] == (19, 22)
    assert bounds[("fact", "GTM|2019|victims|male_by_age|0 to 17")] == (7, 10)
    assert scan_html(a.to_html() + b.to_html(), 5) == []


def test_tables_sharing_a_total_are_not_over_suppressed() -> None:
    (sex, sf), (age, af) = sex_table(), age_table()
    alone = [publish(sex, "by_sex", sf).status, publish(age, "by_age", af).status]
    plan = plan_of(("by_sex", sex, sf), ("by_age", age, af))
    linked = [publish(sex, "by_sex", sf, linked=plan), publish(age, "by_age", af, linked=plan)]
    assert [t.status["n"].tolist() for t in linked] == [s["n"].tolist() for s in alone]
    assert linked[1].display["n"].tolist() == ["10", "13", "23"]
    assert scan_html(linked[0].to_html() + linked[1].to_html(), 5) == []


def test_one_fact_must_read_the_same_in_every_table() -> None:
    (sex, sf), (age, af) = sex_table(), age_table()
    age.loc[2, "n"] = 24  # the same total, published as another number
    plan = plan_of(("by_sex", sex, sf), ("by_age", age, af))
    with pytest.raises(ValueError, match="one fact must read the same in every table"):
        plan.decide()


def test_a_table_registered_after_the_decision_is_refused() -> None:
    (sex, sf), (male, mf) = sex_table(), male_by_age()
    plan = plan_of(("by_sex", sex, sf))
    publish(sex, "by_sex", sf, linked=plan)
    with pytest.raises(ValueError, match="register every linked table before publishing any"):
        plan.register(
            male, table_id="male_by_age", count_columns=["n"], total_row=LAYOUT["age"], facts=mf
        )


def test_the_same_fact_shown_in_one_table_and_hidden_in_another_is_found() -> None:
    sex, sf = sex_table()
    hidden = publish(sex, "by_sex", sf)  # Male suppressed as a complement
    shown = pd.DataFrame({"sex": ["Male"], "n": [20]})
    page = (
        hidden.to_html()
        + publish_table(
            shown, table_id="male", count_columns=["n"], facts={(0, "n"): MALE}
        ).to_html()
    )
    kinds = {(f.kind, f.where) for f in scan_html(page, 5)}
    assert ("derivable_across_tables", "table by_sex, row 2, column 'n'") in kinds


def test_the_pages_of_a_country_year_are_audited_together(tmp_path) -> None:
    from corett_lib.publishing.scanner import scan_outputs

    (sex, sf), (male, mf) = sex_table(), male_by_age()
    folder = tmp_path / "2019" / "GTM"
    folder.mkdir(parents=True)
    # Each page alone is safe; the annual page's hidden Female = 23 - 20 with the SDG page's 20.
    (folder / "annual.en.html").write_text(publish(sex, "by_sex", sf).to_html(), encoding="utf-8")
    (folder / "sdg.en.html").write_text(
        publish(male, "male_by_age", mf).to_html(), encoding="utf-8"
    )
    # The Spanish page of another language is another group: it does not combine with English.
    (folder / "sdg.es.html").write_text("<p></p>", encoding="utf-8")
    found = scan_outputs(tmp_path, 5)
    assert [(f.file, f.kind, f.where) for f in found] == [
        ("2019/GTM/annual.en.html", "derivable_across_tables", "table by_sex, row 1, column 'n'"),
        ("2019/GTM/annual.en.html", "derivable_across_tables", "table by_sex, row 2, column 'n'"),
    ]
    assert "it is 3" in found[0].message


# --------------------------------------------------------------------------------------------
# The country-year decision at the fact level (corett_lib.publishing.fact_disclosure), k = 5.
#
# GTM 2019, detected victims (hand-worked):
#   sex:      Female 3, Male 20, Total 23
#   age:      0 to 17 years 10, 18 years or over 13
#   sex_age:  Male, 0 to 17 years 8; Male, 18 years or over 12
#             (Female, ... not published: the Female parts are not facts)
# The annual report's sex table shows Female, Male, Total; the SDG page shows the male victims by
# age: Male 0-17, Male 18+ and their total, Male (the same fact as the sex table's Male).
# Alone: the sex table hides Female (<5) and Male (its complement, the total 23 stays); the male
# table hides nothing, so Male = 20 and Female = 23 - 20 = 3.
# Decided once, from every relation among these facts:
# * Female 3 is primary; Male is complementary (Total = Female + Male would give Female);
# * the Female parts by age are not published, but they are small: Female 0-17 = age 0-17 - Male
#   0-17 = 10 - 8 = 2 and Female 18+ = 13 - 12 = 1. So both Male parts are hidden too
#   (complementary), or age - Male part would give them.
# A reader then knows: Female 1..4 and Male 19..22 (from 23 = Female + Male); Male 0-17 = x >= 5
# (complementary) with x <= 10 (age 0-17 = x + Female 0-17) and x = Male - Male 18+ >= 19 - 13 = 6
# (Male 18+ <= 13 from age 18+): 6..10; Male 18+ likewise 9..13. Nothing is pinned.

from corett_lib.publishing import disclosure  # noqa: E402
from corett_lib.publishing.fact_disclosure import FactDecision, fact_key, facts_for  # noqa: E402
from corett_lib.publishing.publish import excel_bytes, export_csv  # noqa: E402


def _fact_rows(rows: list[tuple]) -> pd.DataFrame:
    out = []
    for iso3, d, c, v, source, member_source, covered in rows:
        censored = v == "<5"  # as UNODC publishes it: 1 to 4
        out.append(
            {
                "iso3": iso3,
                "year": 2019,
                "indicator_id": "victims",
                "disaggregation": d,
                "category": c,
                "value": float("nan") if censored else float(v),
                "lower": 1.0 if censored else float(v),
                "upper": 4.0 if censored else float(v),
                "censored": censored,
                "flags": "",
                "source": source,
                "member_sources": member_source,
                "coverage_members": covered,
            }
        )
    return pd.DataFrame(out)


def gtm_facts() -> pd.DataFrame:
    u = ("UNODC", "UNODC", "GTM")
    return _fact_rows(
        [
            ("GTM", "total", "Total", 23, *u),
            ("GTM", "sex", "Female", 3, *u),
            ("GTM", "sex", "Male", 20, *u),
            ("GTM", "age", "0 to 17 years", 10, *u),
            ("GTM", "age", "18 years or over", 13, *u),
            ("GTM", "sex_age", "Male, 0 to 17 years", 8, *u),
            ("GTM", "sex_age", "Male, 18 years or over", 12, *u),
        ]
    )


def decision_of(table: pd.DataFrame) -> FactDecision:
    # sex_age decided with the pages: the male-by-age table publishes it here
    return FactDecision(
        table, frozenset({"victims"}), 5, ("GTM", "HND"), frozenset({"sex", "age", "sex_age"})
    )


def annual_sex_table(facts: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The annual report's victims by sex: the parts, then the total row (as ``_breakdown``)."""
    rows = pd.concat([facts[facts["disaggregation"] == "sex"], facts[facts["category"] == "Total"]])
    df = pd.DataFrame(
        {
            "year": [2019] * len(rows),
            "sex": ["Total" if c == "Total" else c for c in rows["category"]],
            "n": rows["value"].to_list(),
        }
    )
    return df, facts_for(rows, "n")


def sdg_male_by_age(facts: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The SDG page's male victims by age: Male's parts, then Male as the total row."""
    parts = facts[facts["disaggregation"] == "sex_age"]
    male = facts[facts["category"] == "Male"]
    rows = pd.concat([parts, male])
    df = pd.DataFrame(
        {
            "year": [2019] * len(rows),
            "age": [c.split(", ")[-1] if c != "Male" else "Total" for c in rows["category"]],
            "n": rows["value"].to_list(),
        }
    )
    return df, facts_for(rows, "n")


def page(df: pd.DataFrame, table_id: str, facts: dict, col: str, **kw) -> PublishedTable:
    return publish_table(
        df,
        table_id=table_id,
        count_columns=["n"],
        group_by=["year"],
        group_total={col: "Total"},
        facts=facts,
        k=5,
        **kw,
    )


def test_per_table_decisions_leak_across_two_pages_of_a_country_year(tmp_path) -> None:
    from corett_lib.publishing.scanner import scan_outputs

    facts = gtm_facts()
    (sex, sf), (male, mf) = annual_sex_table(facts), sdg_male_by_age(facts)
    a, b = page(sex, "victims_sex", sf, "sex"), page(male, "sdg_male_age", mf, "age")
    assert a.display["n"].tolist() == ["<5", "suppressed", "23"]
    assert b.display["n"].tolist() == ["8", "12", "20"]  # Male = 20, so Female = 23 - 20 = 3
    folder = tmp_path / "2019" / "GTM"
    folder.mkdir(parents=True)
    (folder / "annual.en.html").write_text(a.to_html(), encoding="utf-8")
    (folder / "sdg.en.html").write_text(b.to_html(), encoding="utf-8")
    found = scan_outputs(tmp_path, 5)
    assert {f.kind for f in found} == {"derivable_across_tables"}
    assert any("it is 3" in f.message for f in found)


def test_the_country_year_decision_hides_a_fact_on_every_page_and_download(tmp_path) -> None:
    from corett_lib.publishing.scanner import scan_outputs

    facts = gtm_facts()
    decision = decision_of(facts)
    male = fact_key("GTM", 2019, "victims", "sex", "Male")
    assert decision.status(fact_key("GTM", 2019, "victims", "sex", "Female")) == "primary"
    assert decision.status(male) == "complementary"
    assert decision.status(fact_key("GTM", 2019, "victims", "sex_age", "Male, 0 to 17 years")) == (
        "complementary"
    )
    assert decision.status(fact_key("GTM", 2019, "victims", "total", "Total")) == ""
    # What a reader can work out from every published fact, hand-checked.
    assert decision.bounds(fact_key("GTM", 2019, "victims", "sex", "Female")) == (1, 4)
    assert decision.bounds(male) == (19, 22)
    assert decision.bounds(fact_key("GTM", 2019, "victims", "sex_age", "Male, 0 to 17 years")) == (
        6,
        10,
    )
    assert decision.bounds(
        fact_key("GTM", 2019, "victims", "sex_age", "Male, 18 years or over")
    ) == (9, 13)

    (sex, sf), (by_age, mf) = annual_sex_table(facts), sdg_male_by_age(facts)
    a = page(sex, "victims_sex", sf, "sex", linked=decision)
    b = page(by_age, "sdg_male_age", mf, "age", linked=decision, lang="es")
    assert a.status["n"].tolist() == ["primary", "complementary", ""]
    assert b.status["n"].tolist() == ["complementary"] * 3
    assert b.display["n"].tolist() == ["suprimido"] * 3
    # The downloads show what the page shows: Male (20) and its parts (8, 12) nowhere.
    csv = export_csv(b)
    assert csv.splitlines()[1:] == [
        "2019,0 to 17 years,suprimido",
        "2019,18 years or over,suprimido",
        "2019,Total,suprimido",
    ]
    xlsx = tmp_path / "b.xlsx"
    xlsx.write_bytes(excel_bytes([("sdg_male_age", b)]))
    from openpyxl import load_workbook

    values = [c.value for row in load_workbook(xlsx).active.iter_rows() for c in row]
    assert not {8, 12, 20} & set(values) and values.count("suprimido") == 3
    # The scanner, auditing both pages together, finds nothing.
    folder = tmp_path / "out" / "2019" / "GTM"
    folder.mkdir(parents=True)
    (folder / "annual.en.html").write_text(a.to_html(), encoding="utf-8")
    (folder / "sdg.en.html").write_text(
        page(by_age, "sdg_male_age", mf, "age", linked=decision).to_html(), encoding="utf-8"
    )
    assert scan_outputs(tmp_path / "out", 5) == []


def test_the_same_decision_whichever_page_is_built_first() -> None:
    facts = gtm_facts()
    (sex, sf), (by_age, mf) = annual_sex_table(facts), sdg_male_by_age(facts)
    first = decision_of(facts)
    a1 = page(sex, "victims_sex", sf, "sex", linked=first)
    b1 = page(by_age, "sdg_male_age", mf, "age", linked=first)
    second = decision_of(facts)
    b2 = page(by_age, "sdg_male_age", mf, "age", linked=second)
    a2 = page(sex, "victims_sex", sf, "sex", linked=second)
    assert a1.status["n"].tolist() == a2.status["n"].tolist() == ["primary", "complementary", ""]
    assert b1.status["n"].tolist() == b2.status["n"].tolist()
    # Asking for a fact of the component first or last gives the same statuses.
    keys = list(facts_for(facts, "n").values())
    assert first.hidden(keys) == second.hidden(reversed(keys))


def test_a_regional_sum_does_not_give_away_a_members_hidden_count() -> None:
    """GTM Female 3 / Male 20 / 23; HND 10 / 30 / 40; CORETT = sum of members: 13 / 50 / 63.

    Alone, GTM hides Female and Male, HND and CORETT show everything: GTM Male = 50 - 30 = 20 and
    GTM Female = 13 - 10 = 3. Decided once, the 3x3 table with margins (members x sex) is protected
    as one: GTM Female primary, and the rectangle that closes it (HND Female 10, GTM Male 20,
    HND Male 30) complementary; the regional figures stay.
    """
    s = ("sum of members (UNODC)", "UNODC", "GTM,HND")
    rows = [
        ("GTM", "total", "Total", 23, "UNODC", "UNODC", "GTM"),
        ("GTM", "sex", "Female", 3, "UNODC", "UNODC", "GTM"),
        ("GTM", "sex", "Male", 20, "UNODC", "UNODC", "GTM"),
        ("HND", "total", "Total", 40, "UNODC", "UNODC", "HND"),
        ("HND", "sex", "Female", 10, "UNODC", "UNODC", "HND"),
        ("HND", "sex", "Male", 30, "UNODC", "UNODC", "HND"),
        ("CORETT", "total", "Total", 63, *s),
        ("CORETT", "sex", "Female", 13, *s),
        ("CORETT", "sex", "Male", 50, *s),
    ]
    decision = decision_of(_fact_rows(rows))
    got = {f"{i}|{c}": decision.status(fact_key(i, 2019, "victims", d, c)) for i, d, c, *_ in rows}
    assert got == {
        "GTM|Total": "",
        "GTM|Female": "primary",
        "GTM|Male": "complementary",
        "HND|Total": "",
        "HND|Female": "complementary",
        "HND|Male": "complementary",
        "CORETT|Total": "",
        "CORETT|Female": "",
        "CORETT|Male": "",
    }
    assert decision.bounds(fact_key("GTM", 2019, "victims", "sex", "Female")) == (1, 4)
    # A member whose published figure is of another source is not a part of the sum: the Female
    # sum relates no published facts (HND's Female 10 of CORETT is not the UNODC figure summed).
    rows[4] = ("HND", "sex", "Female", 10, "CORETT", "CORETT", "HND")
    other = decision_of(_fact_rows(rows)).component(2019, "victims")
    assert other is not None
    assert sorted(r.name for r in other.relations if r.name.startswith("CORETT")) == [
        "CORETT:sex=Male:sum",
        "CORETT:total=Total:sum",
        "CORETT:total=sex",
    ]


def test_a_table_relation_the_decision_does_not_know_is_refused() -> None:
    """A table adding facts the decision does not relate cannot hide a fact the decision shows."""
    facts = gtm_facts()
    decision = decision_of(facts)
    keys = [
        fact_key("GTM", 2019, "victims", "sex", "Female"),  # 3, primary
        fact_key("GTM", 2019, "victims", "age", "0 to 17 years"),  # 10, shown
        fact_key("GTM", 2019, "victims", "age", "18 years or over"),  # 13 as a "total", shown
    ]
    df = pd.DataFrame({"year": [2019] * 3, "what": ["a", "b", "Total"], "n": [3, 10, 13]})
    with pytest.raises(disclosure.DisclosureError, match="does not know"):
        page(
            df,
            "odd",
            {(r, "n"): k for r, k in enumerate(keys)},
            "what",
            linked=decision,
            on_unprotectable="raise",
        )
    # A table whose cells name no fact decides alone, as before.
    alone = page(df, "odd", {}, "what")
    assert alone.status["n"].tolist() == ["primary", "complementary", ""]


def test_a_table_that_shows_no_figure_for_a_hidden_fact_still_shows_none() -> None:
    """The SDG page leaves out a withheld part ("–"): the decision does not turn it into ``<5``."""
    facts = gtm_facts()
    decision = decision_of(facts)
    sex, sf = annual_sex_table(facts)
    sex.loc[0, "n"] = float("nan")  # Female (3, primary in the decision) not shown here
    pub = page(sex, "sdg_sex", sf, "sex", linked=decision)
    assert pub.display["n"].tolist() == ["–", "suppressed", "23"]
    assert pub.status["n"].tolist() == ["", "complementary", ""]


def test_one_decision_per_facts_and_threshold_per_process() -> None:
    from corett_lib.dataset.registry import load_registry
    from corett_lib.facts.table import Facts
    from corett_lib.publishing.fact_disclosure import decision_for

    facts = Facts(gtm_facts(), pd.DataFrame(), load_registry(), ("GTM", "HND"))
    first = decision_for(facts, 5)
    assert decision_for(facts, 5) is first  # every page of the process: the same object
    assert decision_for(facts, 11) is not first and decision_for(facts, 11).k == 11
    assert first.status(fact_key("GTM", 2019, "victims", "sex", "Male")) == "complementary"
    # At k = 11, Female 3 and age 0-17 10 are small; Male 20 and the total are not.
    at_11 = decision_for(facts, 11)
    assert at_11.status(fact_key("GTM", 2019, "victims", "age", "0 to 17 years")) == "primary"
    # The pages publish no breakdown by sex and age: it is not part of their decision.
    assert first.status(fact_key("GTM", 2019, "victims", "sex_age", "Male, 0 to 17 years")) is None


def test_sections_publish_tables_that_name_facts_with_the_country_year_decision() -> None:
    from corett_lib.reporting import context

    class Ctx:
        disclosure = object()

    ctx = Ctx()
    named = context._linked(ctx, {"facts": {(0, "n"): "GTM|2019|victims|total|Total"}})  # type: ignore[arg-type]
    assert named["linked"] is Ctx.disclosure
    assert "linked" not in context._linked(ctx, {"count_columns": ["n"]})  # type: ignore[arg-type]
    assert "linked" not in context._linked(ctx, {"facts": {}})  # type: ignore[arg-type]


def test_relations_the_figures_contradict_together_do_not_blind_the_decision() -> None:
    """Total 9 = Female 7 + Male 2 = 0-17 7 + 18+ 2; by sex and age: Male 0-17 <5, Male 18+ 0,
    Female 0-17 4, Female 18+ 3.

    Each relation holds on its own, but together they do not: the total by sex and age gives
    Male 0-17 = 9 - 0 - 4 - 3 = 2, and age 0-17 = Male 0-17 + Female 0-17 gives 7 - 4 = 3. Read
    together, interval propagation empties an interval, and an empty interval pins nothing: the
    whole decision would see no leak at all. The relation that makes the figures contradictory
    (age 0-17 by sex) is left out; the others, those the pages show first, are kept; no bound is
    empty and no hidden count is pinned.
    """
    rows = [
        ("GTM", d, c, v, "UNODC", "UNODC", "GTM")
        for d, c, v in [
            ("total", "Total", 9),
            ("sex", "Female", 7),
            ("sex", "Male", 2),
            ("age", "0 to 17 years", 7),
            ("age", "18 years or over", 2),
            ("sex_age", "Male, 0 to 17 years", "<5"),
            ("sex_age", "Male, 18 years or over", 0),
            ("sex_age", "Female, 0 to 17 years", 4),
            ("sex_age", "Female, 18 years or over", 3),
        ]
    ]
    comp = decision_of(_fact_rows(rows)).component(2019, "victims")
    assert comp is not None
    assert [r.name for r in comp.dropped] == ["GTM:age=0 to 17 years:sex_age"]
    assert [r.name for r in comp.relations][:2] == ["GTM:total=sex", "GTM:total=age"]
    assert all(lo <= hi for lo, hi in comp.bounds.values())
    hidden = [k for k, st in comp.status.items() if st]
    assert "GTM|2019|victims|sex|Male" in hidden  # 2: small
    assert all(comp.bounds[k][0] < comp.bounds[k][1] for k in hidden)


# --------------------------------------------------------------------------------------------------
# Tables that show a fact under another name (branch linked2): the data-quality review, the SDG
# page's linked indicators and the explorer, on the shipped data (k = 5).
#
# * NIC 2019 victims: total 8 (CORETT); by form, Sexual exploitation <5 and Other forms <5 (UNODC).
#   Shown, 8 = <5 + <5 would pin both forms at 4: the decision hides the total (complementary).
# * DOM 2019 persons convicted: total 8; by sex, Female <5 and Other <5 (no Male row). Shown,
#   8 = <5 + <5 pins both at 4: the total is hidden (complementary); prosecuted 47 is shown.


def _rows_of(html: str, caption: str) -> list[list[str]]:
    """The cells of the table captioned ``caption`` (text only)."""
    import html as html_lib
    import re

    for table in re.findall(r"<table.*?</table>", html, re.S):
        cap = re.findall(r"<caption[^>]*>(.*?)</caption>", table, re.S)
        if cap and html_lib.unescape(re.sub("<[^>]+>", "", cap[0])).strip() == caption:
            return [
                [
                    html_lib.unescape(re.sub("<[^>]+>", "", c)).strip()
                    for c in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row, re.S)
                ]
                for row in re.findall(r"<tr.*?</tr>", table, re.S)
            ]
    raise AssertionError(f"no table {caption!r}")


@pytest.fixture(scope="module")
def dom_2019():
    from corett_lib.reporting.context import open_context

    return open_context("DOM", 2019, "en")


@pytest.fixture(scope="module")
def nic_2019():
    from corett_lib.reporting.context import open_context

    return open_context("NIC", 2019, "en")


def test_the_pages_hide_the_two_totals_of_8(nic_2019, dom_2019) -> None:
    victims = fact_key("NIC", 2019, "victims", "total", "Total")
    convicted = fact_key("DOM", 2019, "convicted", "total", "Total")
    assert nic_2019.disclosure is dom_2019.disclosure  # one decision per facts and k
    assert nic_2019.disclosure.status(victims) == "complementary"
    assert nic_2019.disclosure.status(convicted) == "complementary"
    assert nic_2019.disclosure.status(fact_key("DOM", 2019, "prosecuted", "total", "Total")) == ""


def test_observation_and_indicator_facts() -> None:
    from corett_lib.dataset.registry import load_registry
    from corett_lib.publishing.fact_disclosure import (
        denominator_fact,
        indicator_fact,
        observation_fact,
    )

    reg = load_registry()
    assert observation_fact(reg, "DOM", 2019, "Persons convicted") == convicted_key()
    form = observation_fact(
        reg,
        "DOM",
        2019,
        "Detected trafficking victims",
        "by form of exploitation",
        "Sexual exploitation",
    )
    assert form == "DOM|2019|victims|form|Sexual exploitation"
    # form by age is no published breakdown; citizenship is derived (no observation is its fact)
    assert (
        observation_fact(
            reg,
            "DOM",
            2019,
            "Detected trafficking victims",
            "by form of exploitation",
            "Sexual exploitation",
            age="0 to 17 years",
        )
        is None
    )
    assert (
        observation_fact(
            reg, "DOM", 2019, "Detected trafficking victims", "by citizenship", "Nationals"
        )
        is None
    )
    # a ratio's persons are its numerator; a change's, the year's figure it follows
    assert indicator_fact(reg, "convictions_per_prosecution", "DOM", 2019) == convicted_key()
    assert indicator_fact(reg, "women_girls_share", "NIC", 2019) == "NIC|2019|victims|sex|Female"
    assert indicator_fact(reg, "victims_trend", "NIC", 2019) == "NIC|2019|victims|total|Total"
    assert denominator_fact(reg, "convictions_per_prosecution", "DOM", 2019) == (
        "DOM|2019|prosecuted|total|Total"
    )
    assert (
        denominator_fact(reg, "convicted_change", "DOM", 2019) == "DOM|2018|convicted|total|Total"
    )


def convicted_key() -> str:
    return fact_key("DOM", 2019, "convicted", "total", "Total")


def test_quality_flags_and_trend_hide_the_hidden_convicted_total(dom_2019) -> None:
    """The review flags DOM's 2019 convicted (8, -52 % against 2016-2018): decided alone, its table
    showed 8, and so did the trend chart of DOM's convicted; both now hide it, as every page."""
    from corett_lib.reporting import quality

    flags = _rows_of(quality.flags(dom_2019).html, "Flagged figures")
    head = flags[0]
    value = head.index("Published figure")
    row = next(r for r in flags if r[0] == "Persons convicted, all (headline figure)")
    assert row[value] == "suppressed"
    # Shown facts stay shown: victims 195 and prosecuted 47 are the decision's shown facts.
    shown = {r[0]: r[value] for r in flags[1:]}
    assert shown["Detected trafficking victims, all (headline figure)"] == "195"
    assert shown["Persons prosecuted, all (headline figure)"] == "47"
    # The trend chart of the convicted: 2018 is 27, 2019 hidden (not drawn as its value).
    html = quality.trends(dom_2019).html
    assert '"Year":2019,"Published figure":null,"Published figure_status":"complementary"' in html
    assert '"Year":2018,"Published figure":27' in html


def test_quality_fact_of_takes_the_facts_source_or_the_same_figure(dom_2019) -> None:
    from corett_lib.reporting.quality import fact_of

    victims = "Detected trafficking victims"
    # DOM victims 2019: UNODC 195 is the fact; CORETT's 195 is the same figure: the same fact.
    assert fact_of(dom_2019, "DOM", 2019, victims, "UNODC", 195) == "DOM|2019|victims|total|Total"
    assert fact_of(dom_2019, "DOM", 2019, victims, "CORETT", 195) == "DOM|2019|victims|total|Total"
    # Another source's different figure is not the fact (SLV 2019: CORETT 124, UNODC's fact 41).
    slv = fact_of(dom_2019, "SLV", 2019, victims, "CORETT", 124)
    assert slv is None
    # A figure no count indicator publishes has no fact.
    assert (
        fact_of(dom_2019, "DOM", 2019, "Persons brought into formal contact", "UNODC", 14) is None
    )


def test_sdg_linked_indicators_hide_a_numerator_equal_to_a_hidden_fact(nic_2019, dom_2019) -> None:
    """NIC 2019: victims 8 was shown as the persons of victims, of 16.2.2 (rate 0.12), of the yearly
    change (-75 %: 32 in 2018) and of the growth; DOM 2019: convicted 8 as the persons of convicted,
    of convictions per prosecution (8 / 47 = 0.17) and of the change (-70.37 %: 27 in 2018)."""
    from corett_lib.reporting import sdg

    html = sdg.targets(nic_2019).html
    rows = _rows_of(html, "Target 16.2 — Workbench indicators linked")
    persons, value = rows[0].index("Number"), rows[0].index("Value, 2019")
    by = {r[0]: (r[persons], r[value]) for r in rows[1:]}
    assert by["Detected victims per 100,000 population"] == ("suppressed", "suppressed")
    assert by["Detected victims of trafficking"][0] == "suppressed"
    assert by["Detected victims, change on the previous year"] == ("suppressed", "suppressed")
    assert by["Detected victims, compound annual growth"] == ("suppressed", "suppressed")
    for target in ("5.2", "8.7"):
        rows = _rows_of(html, f"Target {target} — Workbench indicators linked")
        assert rows[1][0] == "Detected victims of trafficking" and rows[1][persons] == "suppressed"

    rows = _rows_of(sdg.targets(dom_2019).html, "Target 16.3 — Workbench indicators linked")
    by = {r[0]: (r[persons], r[value]) for r in rows[1:]}
    assert by["Persons convicted of trafficking in persons"][0] == "suppressed"
    assert by["Convictions per prosecution"] == ("suppressed", "suppressed")
    assert by["Persons convicted, change on the previous year"] == ("suppressed", "suppressed")
    assert by["Persons prosecuted for trafficking in persons"][0] == "47"  # shown fact: shown


@pytest.fixture(scope="module")
def explorer_data():
    from corett_lib.apps import explorer as ex

    return ex.ExplorerData(ex.open_dataset())


def test_the_explorer_reads_each_fact_as_the_pages_do(explorer_data, nic_2019) -> None:
    """NIC victims 2017-2019: 12, 32, 8. Alone, the view has one row per year and no relation: it
    showed 8. With the pages' decision it hides 8 (complementary), in the table, chart and download;
    16.2.2's numerator 8 and the change's (-75 %) are hidden with it, their rates derived."""
    from corett_lib.apps import explorer as ex

    view = ex.explore(explorer_data, ex.ExplorerState(countries=("NIC",), years=(2017, 2019)))
    col = next(c for c in view.table.display.columns if c.startswith("Value"))
    assert view.table.display[col].tolist() == ["12", "32", "suppressed"]
    assert view.table.status[col].tolist() == ["", "", "complementary"]
    csv = ex.download_bytes(view, "csv").decode("utf-8-sig").splitlines()
    assert csv[3] == "Nicaragua,2019,suppressed,CORETT,1/1,,"
    assert view.chart_data["hidden"].tolist() == [False, False, True]  # not drawn, not as <5
    # one fact, one reading: every count the view shows has the status the pages give its fact
    decision = nic_2019.disclosure
    for year, st in zip([2017, 2018, 2019], view.table.status[col], strict=True):
        assert decision.status(fact_key("NIC", year, "victims", "total", "Total")) == st

    rate = ex.explore(
        explorer_data,
        ex.ExplorerState(countries=("NIC",), years=(2018, 2019), indicator="victims_change"),
    )
    num, den = "Numerator", "Denominator"
    assert rate.table.display[num].tolist() == ["32", "suppressed"]
    assert rate.table.display[den].tolist() == ["12", "32"]
    assert rate.table.status["Value (%)"].tolist() == ["", "derived"]


def test_the_explorer_hides_a_ratios_numerator_the_pages_hide(explorer_data) -> None:
    """DOM convictions per prosecution 2019: 8 / 47. The numerator is the hidden convicted total."""
    from corett_lib.apps import explorer as ex

    view = ex.explore(
        explorer_data,
        ex.ExplorerState(
            countries=("DOM",), years=(2019, 2019), indicator="convictions_per_prosecution"
        ),
    )
    assert view.table.display["Numerator"].tolist() == ["suppressed"]
    assert view.table.display["Denominator"].tolist() == ["47"]
    assert view.chart_data["value"].isna().all()  # the ratio is not drawn


def test_the_explorers_sex_by_age_view_does_not_give_away_a_hidden_sex_count(explorer_data) -> None:
    """HND 2021, detected victims (UNODC), as the pages publish them:

    Total 101; Female 75, Male 24 (complementary on every page); age 0-17 51, 18+ 50.
    Sex by age (shown only by the explorer): Female 0-17 41, Female 18+ 34, Male 0-17 10,
    Male 18+ 14.

    Before: the view's only relation was Total = sum of the four cells; it hid Male 0-17 alone and
    showed 41, 34 and 14. A reader took age 0-17 from the pages: Male 0-17 = 51 - 41 = 10, so
    Male = 10 + 14 = 24, the count the pages hide.
    Now the explorer decides the sex-by-age facts on top of the pages' decision, with
    sex = sum over ages and age = sum over sexes. Male is hidden, so its parts cannot both show;
    hiding Male 0-17 and 18+ alone leaves Female 0-17 = 51 - Male 0-17 and Female 18+ = 50 - Male
    18+ shown, which give them back: the rectangle goes (all four, complementary). A reader then
    knows Male 0-17 >= 5 and Male 18+ >= 5 (complementary), so Male >= 10 and (from Total 101 =
    75 + Male + unknown) Male <= 26: Male is not pinned. Every page fact reads as the pages read it.
    """
    from corett_lib.apps import explorer as ex
    from corett_lib.publishing import fact_disclosure as fd

    male = fact_key("HND", 2021, "victims", "sex", "Male")
    pages = fd.decision_for(explorer_data.facts(ex.BEST_SOURCE), 5)
    assert pages.status(male) == "complementary"
    assert pages.status(fact_key("HND", 2021, "victims", "age", "0 to 17 years")) == ""
    assert pages.figure(fact_key("HND", 2021, "victims", "age", "0 to 17 years")).value == 51
    for lang, word in (("en", "suppressed"), ("es", "suprimido")):
        view = ex.explore(
            explorer_data,
            ex.ExplorerState(
                countries=("HND",), years=(2021, 2021), disaggregation="sex_age", lang=lang
            ),
        )
        col = view.table.display.columns[3]
        assert view.table.display[col].tolist() == ["101", word, word, word, word]
        assert view.table.status[col].tolist() == ["", *["complementary"] * 4]
        csv = ex.download_bytes(view, "csv").decode("utf-8-sig")
        assert ",41," not in csv and ",34," not in csv and ",14," not in csv
    viewer = fd.decision_for(explorer_data.facts(ex.BEST_SOURCE), 5, fd.VIEW_BREAKDOWNS)
    assert viewer.base is pages
    assert viewer.bounds(male) == (14, 26)  # not pinned: 24 stays hidden
    # one fact, one reading: the view's decision gives every page fact the pages' status
    comp, page_comp = viewer.component(2021, "victims"), pages.component(2021, "victims")
    assert comp is not None and page_comp is not None
    assert {k: comp.status[k] for k in page_comp.cells} == page_comp.status


def test_a_sex_by_age_part_with_no_figure_is_unknown_not_zero(explorer_data) -> None:
    """DOM 2012 victims: Female 12 (complementary on the pages), Male 9, age 0-17 21; sex by age
    only Female 0-17 12 and Male 0-17 9 (no 18+ part). Read as zero, the missing Female 18+ would
    make Female = Female 0-17 and Male = Male 0-17 = 9 (shown), so Female = 21 - 9 = 12 whatever the
    view hides: no cell could protect it. A part with no figure is unknown (0 or more), so hiding
    both 0-17 cells protects Female 12 (the reader knows only Female >= 12 - its 18+ part)."""
    from corett_lib.apps import explorer as ex
    from corett_lib.publishing import fact_disclosure as fd

    view = ex.explore(
        explorer_data,
        ex.ExplorerState(countries=("DOM",), years=(2012, 2012), disaggregation="sex_age"),
    )
    col = view.table.display.columns[3]
    assert view.table.display[col].tolist() == ["72", "suppressed", "suppressed"]
    viewer = fd.decision_for(explorer_data.facts(ex.BEST_SOURCE), 5, fd.VIEW_BREAKDOWNS)
    low, high = viewer.bounds(fact_key("DOM", 2012, "victims", "sex", "Female"))
    assert low < high


def test_quality_words_do_not_give_away_the_hidden_convicted_total(dom_2019) -> None:
    """DOM convicted 2019 is flagged as -52 % against the mean of 2016-2018, 16.7 (13, 10, 27):
    16.7 x 0.48 = 8.0, the hidden total. Its evidence is withheld in the flags table and in the
    question sent back, which quotes the figure as suppressed; 47 prosecuted keeps its evidence."""
    from corett_lib.reporting import quality

    flags = _rows_of(quality.flags(dom_2019).html, "Flagged figures")
    evidence = flags[0].index("Evidence")
    by = {r[0]: r[evidence] for r in flags[1:]}
    assert by["Persons convicted, all (headline figure)"] == (
        "not shown: it would give away a suppressed figure"
    )
    assert by["Persons prosecuted, all (headline figure)"].startswith("+107 % against the mean")
    asked = quality.questions(dom_2019).html
    assert "Persons convicted, all (headline figure), 2019 (UNODC: suppressed)" in asked
    assert "16.7" not in asked.split("Persons convicted", 1)[1].split("</li>", 1)[0]
    assert "(UNODC: 47)" in asked

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

"""The message catalogue and the formatting of numbers, dates, names and data labels."""

from __future__ import annotations

import datetime as dt
import doctest
import re

import pytest

from corett_lib.core import i18n


def test_english_and_spanish_have_the_same_keys_and_placeholders() -> None:
    en, es = i18n.catalogue("en"), i18n.catalogue("es")
    assert sorted(set(en) - set(es)) == [] and sorted(set(es) - set(en)) == []
    differ = {k: (en[k], es[k]) for k in en if i18n.placeholders(en[k]) != i18n.placeholders(es[k])}
    assert differ == {}
    assert len(en) > 150


def test_no_message_is_empty_or_left_in_english_by_mistake() -> None:
    en, es = i18n.catalogue("en"), i18n.catalogue("es")
    assert [k for k, v in es.items() if not v.strip()] == []
    same = {k for k in en if en[k] == es[k]}
    # The same text in both languages is right only for placeholders and symbols, and "Total"/"No".
    unexpected = sorted(
        k
        for k in same
        if re.search(r"[A-Za-z]", re.sub(r"\{\w+\}", "", en[k])) and en[k] not in {"Total", "No"}
    )
    assert unexpected == []


def test_headings_and_labels_in_both_languages() -> None:
    assert i18n.t("section.headline", "es") == "Cifras principales"
    assert i18n.t("section.headline", "en") == "Headline figures"
    assert i18n.t("section.suppression_ledger", "es") == "Registro de datos suprimidos"
    assert i18n.t("status.on_track", "es") == "En camino"
    assert i18n.t("verdict.not_enough_evidence", "en") == "Not enough evidence"
    assert i18n.t("verdict.yes", "es") == "Sí"
    assert i18n.t("age.adults", "es") == "18 años o más"
    assert i18n.t("index.failed", "es") == "falló"


def test_messages_are_formatted_with_keyword_arguments() -> None:
    assert i18n.t("label.coverage", "en", n=7, total=9) == "7 of 9 members reported"
    assert i18n.t("label.coverage", "es", n=7, total=9) == "7 de 9 países miembros informaron"
    title = i18n.t("report.annual.title", "es", country="Guatemala", year=2019)
    assert title == "Informe anual sobre la trata de personas, Guatemala, 2019"


def test_source_attributions_are_verbatim() -> None:
    assert i18n.t("source.unodc", "en") == (
        "Source: UNODC, Global Report on Trafficking in Persons data (dataUNODC), "
        "export of 14 April 2025."
    )
    assert i18n.t("source.unodc", "es").startswith("Fuente: UNODC, datos del Informe Mundial")
    assert i18n.t("source.corett", "en") == (
        "IOM & CORETT, Infographics on Statistics 2017, 2018 and 2019 on Trafficking in Persons "
        "in the Region"
    )
    assert i18n.t("banner.illustrative", "en").startswith("Illustrative data:")
    assert "not real monitoring results" in i18n.t("banner.illustrative", "en")


def test_unknown_key_names_the_key_and_the_language() -> None:
    with pytest.raises(KeyError, match=r"'section\.nope' is not in the 'es' catalogue"):
        i18n.t("section.nope", "es")


def test_missing_placeholder_value_names_it() -> None:
    with pytest.raises(KeyError, match=r"label\.coverage.*needs a value for total"):
        i18n.t("label.coverage", "en", n=7)


def test_unknown_language_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"unknown language 'fr'"):
        i18n.t("section.headline", "fr")


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1582, "en", 0, "1,582"),
        (1582, "es", 0, "1,582"),  # regional convention (es-419): comma groups thousands
        (2.54, "es", 2, "2.54"),  # and a point marks decimals
        (2.545, "en", 2, "2.55"),  # half away from zero, not to even
        (0.5, "es", 0, "1"),
        (1234567.891, "es", 1, "1,234,567.9"),
        (970, "en", 0, "970"),
        (-0.4, "en", 0, "0"),
        (-1582.5, "en", 0, "-1,583"),
    ],
)
def test_number(value: float, lang: str, decimals: int, expected: str) -> None:
    assert i18n.number(value, lang, decimals) == expected


def test_missing_number_is_no_data() -> None:
    assert i18n.number(float("nan"), "es") == "sin datos"
    assert i18n.number(None, "en") == "no data"


def test_percent() -> None:
    assert i18n.percent(0.4812, "es", 1) == "48.1%"
    assert i18n.percent(0.09, "en") == "9%"
    assert i18n.percent(48, "en", fraction=False) == "48%"
    assert i18n.percent(0.0705, "en", 1) == "7.1%"


def test_dates_are_written_out() -> None:
    assert i18n.date("2025-04-14", "en") == "14 April 2025"
    assert i18n.date("2025-04-14", "es") == "14 de abril de 2025"
    assert i18n.date(dt.date(2019, 1, 1), "es") == "1 de enero de 2019"
    assert i18n.date(dt.datetime(2027, 12, 31, 23, 0), "en") == "31 December 2027"


def test_country_names_are_those_of_the_dataset_country_table() -> None:
    from corett_lib.raw.reference import country_table

    rows = country_table(["BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "DOM", "COL"])
    assert len(rows) == 10
    for row in rows.itertuples():
        assert i18n.country_name(row.iso3, "en") == row.name_en
        assert i18n.country_name(row.iso3, "es") == row.name_es
    assert rows.set_index("iso3").loc["PAN", "name_es"] == "Panamá"


def test_country_names() -> None:
    assert i18n.country_name("DOM", "es") == "República Dominicana"
    assert i18n.country_name("BOL", "es") == "Bolivia"
    assert i18n.country_name("CIV", "es") == "Costa de Marfil"
    assert i18n.country_name("CORETT", "es") == (
        "Coalición Regional contra la Trata de Personas y el Tráfico Ilícito de Migrantes"
    )
    assert i18n.country_name("CORETT", "en").startswith("Regional Coalition against Trafficking")
    with pytest.raises(KeyError, match="'XYZ' is not an ISO 3166-1 alpha-3"):
        i18n.country_name("XYZ", "en")


def test_unodc_forms_of_exploitation_are_translated() -> None:
    # The three categories of "by form of exploitation" in the export of 14 April 2025.
    assert i18n.label("category", "Sexual exploitation", "es") == "Explotación sexual"
    assert i18n.label("category", "Forced labour", "es") == "Trabajo forzoso"
    assert i18n.label("category", "Other forms of exploitation", "es") == (
        "Otras formas de explotación"
    )
    assert i18n.label("category", "Forced labour", "en") == "Forced labour"
    assert i18n.label("category", "forced_marriage", "es") == "Matrimonio forzado"


def test_unknown_category_falls_back_to_its_text() -> None:
    assert i18n.label("category", "Removal of organs", "es") == "Removal of organs"
    assert i18n.label("citizenship", "GUINEANA", "en") == "GUINEANA"  # Guinea? Equatorial Guinea?
    assert i18n.label("category", "Rep\ufffdblica X", "es") == "Rep\ufffdblica X"
    assert i18n.label("category", None, "es") == "No consta"


@pytest.mark.parametrize(
    ("kind", "text", "en", "es"),
    [
        # Category texts of CORETT members' rows with U+FFFD in the UNODC export.
        ("citizenship", "Ciudadanos de su pa\ufffds", "Nationals", "Nacionales"),
        ("citizenship", "Rep\ufffdblica Dominicana", "Dominican Republic", "República Dominicana"),
        ("citizenship", "Panam\ufffd", "Panama", "Panamá"),
        ("citizenship", "Hait\ufffd", "Haiti", "Haití"),
        ("citizenship", "BELICE\ufffdA", "Belize", "Belice"),
        ("citizenship", "HONDURE\ufffdA", "Honduras", "Honduras"),
        ("citizenship", "SALVADORE\ufffdA", "El Salvador", "El Salvador"),
        ("citizenship", "Salvadore\ufffdas", "El Salvador", "El Salvador"),
        ("citizenship", "Salvadore\ufffdos", "El Salvador", "El Salvador"),
        ("repatriation", "Per\ufffd", "Peru", "Perú"),
        ("repatriation", "Turqu\ufffda", "Türkiye", "Turquía"),
        ("repatriation", "(especifique el pa\ufffds)", "Other countries (not specified)",
         "Otros países (sin especificar)"),
        # ... and of other countries' rows.
        ("repatriation", "ESPA\ufffdA", "Spain", "España"),
        ("repatriation", "M\ufffdXICO", "Mexico", "México"),
        ("citizenship", "C\ufffdte d\ufffdIvoire", "Côte d'Ivoire", "Costa de Marfil"),
        ("citizenship", "Personnes de nationalit\ufffd \ufffdtrang\ufffdre", "Foreign nationals",
         "Extranjeros"),
        ("citizenship", "3 nig\ufffdriens et 1 tunisien", "3 Nigeriens and 1 Tunisian",
         "3 nigerinos y 1 tunecino"),
        # Spellings without U+FFFD.
        ("citizenship", "GUATEMALTECA", "Guatemala", "Guatemala"),
        ("citizenship", "Venezuela (Bolivarian Republic of)", "Venezuela", "Venezuela"),
        ("repatriation", "TOTAL POR AÑO", "Total", "Total"),
        ("citizenship", "NO DETERMINADA", "Unknown", "Desconocida"),
        ("sex", "Female", "Female", "Femenino"),
        ("age", "0 to 17 years", "0 to 17 years", "0 a 17 años"),
        ("dimension", "by country of repatriation", "By country of repatriation",
         "Por país de repatriación"),
        ("indicator", "Persons convicted", "Persons convicted", "Personas condenadas"),
    ],
)  # fmt: skip
def test_labels_of_source_texts(kind: str, text: str, en: str, es: str) -> None:
    assert (i18n.label(kind, text, "en"), i18n.label(kind, text, "es")) == (en, es)


def test_unknown_label_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown label kind 'colour'"):
        i18n.label("colour", "red", "en")


def test_docstring_examples_run() -> None:
    result = doctest.testmod(i18n)
    assert result.attempted >= 8 and result.failed == 0


def test_swapped_label_arguments_are_named_in_the_error() -> None:
    with pytest.raises(ValueError, match=r"the order is label\(kind, value, lang\)"):
        i18n.label("Persons convicted", "indicator", "es")

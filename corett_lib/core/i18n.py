"""Labels, numbers, dates and names in English and Spanish.

Every word a report shows comes from the message catalogues ``corett_lib/core/messages/{en,es}.yaml``
through :func:`t`; reports hold no hard-coded English. The catalogues are nested YAML mappings read as
dotted keys (``section.headline``); both languages have exactly the same keys and the same
``{placeholders}`` (a test checks this).

* :func:`t` — one message, formatted with keyword arguments.
* :func:`number`, :func:`percent`, :func:`date` — figures and dates as a reader of that language
  expects them (see :func:`number` for the convention chosen for Spanish).
* :func:`country_name` — a country (ISO 3166-1 alpha-3) or the coalition (``"CORETT"``).
* :func:`label` — the label of a value found in the data (a UNODC category, sex, age group, dimension,
  indicator, citizenship), falling back to the original text for a value it does not know.

Number convention
-----------------
Spanish figures follow the regional practice of the coalition's Spanish-speaking members, which is
also the CLDR convention for Latin American Spanish (``es-419``, ``es-MX``, ``es-GT``, ``es-SV``,
``es-HN``, ``es-NI``, ``es-PA``, ``es-DO``): a comma groups thousands and a point marks decimals, so
``1,582`` and ``2.54`` read the same in both languages, and percentages carry no space (``48%``).
Seven of the eight Spanish-speaking members write numbers this way; only Costa Rica (``es-CR``) uses a
decimal comma and a space for thousands. Spain's ``1.582`` / ``2,54`` would make a Mexican or
Guatemalan reader take ``1.582`` for one and a half, which is the misreading that matters most in a
report of counts. The RAE/ASALE recommendation (a thin space for thousands) was not chosen because no
member's statistical offices publish that way. One convention for both languages also means the charts
(rendered by Vega with d3's default ``en-US`` number locale) agree with the text.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import string
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from corett_lib.core import config

#: Languages with a catalogue.
LANGUAGES: tuple[str, ...] = ("en", "es")

MESSAGES_DIR: Path = Path(__file__).resolve().parent / "messages"
"""Folder of the message catalogues: ``<lang>.yaml`` plus every ``<lang>/*.yaml`` (one per feature)."""

#: ``label()`` kinds and the catalogue namespace that holds their labels.
LABEL_KINDS: dict[str, str] = {
    "category": "category",  # forms of exploitation (UNODC and CORETT)
    "citizenship": "citizenship",  # UNODC "by citizenship": countries, nationals, foreigners, ...
    "repatriation": "citizenship",  # UNODC "by country of repatriation": same vocabulary
    "sex": "sex",
    "age": "age",
    "dimension": "dimension",
    "indicator": "indicator",
    "unit": "unit",
    "status": "status",
    "verdict": "verdict",
}

#: Source texts that differ from the English label, per namespace: text -> message key (last part).
#: Texts equal to an English or Spanish label need no entry (they are matched from the catalogues).
#: Texts with U+FFFD (lost accented letters in the UNODC export) are matched by :func:`label` with
#: the replacement character standing for any one letter, so they need no entry either.
SOURCE_ALIASES: dict[str, dict[str, str]] = {
    "category": {
        "Labour exploitation": "labour_exploitation",
        "Labor exploitation": "labour_exploitation",
        "Forced labor": "forced_labour",
        "Forced labour or services": "forced_labour",
        "Other purposes": "other_purposes",
        "Illegal adoption": "illegal_adoption",
        "Irregular or illegal adoption": "illegal_adoption",
    },
    "citizenship": {
        "Nationals": "nationals",
        "Ciudadanos de su país": "nationals",
        "Foreigners": "foreigners",
        "Personnes de nationalité étrangère": "foreigners",
        "Unknown": "unknown",
        "Desconocida": "unknown",
        "No determinada": "unknown",
        "No determinadas": "unknown",
        "(especifique el país)": "not_specified",
        "(especifique otras nacionalidades)": "not_specified",
        "Abroad": "abroad",
        "Total": "total",
        "Total por año": "total",
        "3 nigériens et 1 tunisien": "nigeriens_tunisian",
    },
    "sex": {"Female": "female", "Male": "male", "Other": "other", "Unknown": "unknown"},
    "age": {
        "0 to 17 years": "children",
        "18 years or over": "adults",
        "Unknown": "unknown",
    },
    "dimension": {
        "by form of exploitation": "by_form",
        "by citizenship": "by_citizenship",
        "by country of repatriation": "by_repatriation",
    },
    "indicator": {
        "Detected trafficking victims": "detected_victims",
        "Persons prosecuted": "persons_prosecuted",
        "Persons convicted": "persons_convicted",
        "Persons brought into formal contact": "persons_formal_contact",
        "Offences of trafficking in persons": "offences",
        "Repatriated victims": "repatriated_victims",
    },
    "unit": {"Counts": "counts", "Percent": "percent"},
}

#: Citizenship / country-of-repatriation texts naming a country (nationality adjectives, spellings the
#: ISO names do not cover) -> ISO 3166-1 alpha-3. Country names in English or Spanish need no entry.
CITIZENSHIP_COUNTRIES: dict[str, str] = {
    "Beliceña": "BLZ",
    "Belizean": "BLZ",
    "Guatemalteca": "GTM",
    "Guatemalean": "GTM",
    "Hondureña": "HND",
    "Honduranian": "HND",
    "Hodruanian": "HND",
    "Hondureans": "HND",
    "Salvadoreña": "SLV",
    "Salvadoreñas": "SLV",
    "Salvadoreños": "SLV",
    "Mexicana": "MEX",
    "Mexican": "MEX",
    "Nicaraguense": "NIC",
    "Dominicana": "DOM",
    "Rep. Dominicana": "DOM",
    "Haitiana": "HTI",
    "Venezolana": "VEN",
    "Venezuelan": "VEN",
    "Argentinian": "ARG",
    "Brazilian": "BRA",
    "Chilean": "CHL",
    "Chinese": "CHN",
    "Colombian": "COL",
    "Ecuadorean": "ECU",
    "Germans": "DEU",
    "Peruvian": "PER",
    "Paraguayian": "PRY",
    "Nigeriana": "NGA",
    "Camboya": "KHM",
    "Estados Unidos": "USA",
    "USA": "USA",
    "Republic of Korea": "KOR",
}

#: Spanish country names where the iso-codes translation is misspelt ("Costa de Marfíl").
SPANISH_NAME_FIXES: dict[str, str] = {"CIV": "Costa de Marfil"}

_MONTH_KEYS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

_FORMATTER = string.Formatter()


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    return lang


def _flatten(tree: Any, prefix: str, out: dict[str, str], file: Path) -> None:
    if not isinstance(tree, dict):
        raise ValueError(f"{file}: {prefix or '(top)'}: expected a mapping of messages")
    for key, value in tree.items():
        full = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            _flatten(value, full, out, file)
        elif isinstance(value, str):
            out[full] = value
        else:
            raise ValueError(f"{file}: {full}: a message must be text, got {type(value).__name__}")


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> dict[str, str]:
    """Return the message catalogue of ``lang`` as a flat ``{dotted key: text}`` dict.

    Parameters
    ----------
    lang
        ``"en"`` or ``"es"``.

    Returns
    -------
    dict[str, str]
        The messages, keyed by dotted path (``"section.headline"``). Do not modify it (it is cached).
    """
    lang = _check_lang(lang)
    files = [MESSAGES_DIR / f"{lang}.yaml", *sorted((MESSAGES_DIR / lang).glob("*.yaml"))]
    out: dict[str, str] = {}
    for path in files:
        tree = yaml.load(
            path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
        part: dict[str, str] = {}
        _flatten(tree or {}, "", part, path)
        clash = sorted(set(part) & set(out))
        if clash:
            raise ValueError(f"{path}: message keys already defined in another file: {clash[:5]}")
        out.update(part)
    return out


def placeholders(text: str) -> set[str]:
    """Return the names of the ``{placeholders}`` of a message.

    Examples
    --------
    >>> sorted(placeholders("{n} of {total} members reported"))
    ['n', 'total']
    """
    return {name for _, name, _, _ in _FORMATTER.parse(text) if name}


def t(key: str, lang: str, **kwargs: Any) -> str:
    """Return the message ``key`` in ``lang``, formatted with ``kwargs``.

    Parameters
    ----------
    key
        Dotted key, e.g. ``"section.headline"``.
    lang
        ``"en"`` or ``"es"``.
    **kwargs
        Values of the message's ``{placeholders}``. Numbers are inserted as given: format them first
        with :func:`number` or :func:`percent`.

    Returns
    -------
    str
        The message.

    Raises
    ------
    KeyError
        The key is not in the catalogue (the error names the key and the language), or a placeholder
        of the message has no value in ``kwargs``.
    ValueError
        ``lang`` is not a catalogue language.

    Examples
    --------
    >>> t("label.coverage", "en", n=7, total=9)
    '7 of 9 members reported'
    >>> t("section.headline", "es")
    'Cifras principales'
    """
    messages = catalogue(lang)
    try:
        text = messages[key]
    except KeyError:
        raise KeyError(
            f"message {key!r} is not in the {lang!r} catalogue (corett_lib/core/messages/{lang}.yaml)"
        ) from None
    missing = placeholders(text) - kwargs.keys()
    if missing:
        raise KeyError(
            f"message {key!r} ({lang}) needs a value for {', '.join(sorted(missing))}; "
            f"got {', '.join(sorted(kwargs)) or 'none'}"
        )
    return text.format(**kwargs) if kwargs or "{" in text else text


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return False


def number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """Return ``value`` as a reader of ``lang`` writes it.

    English and Spanish share one convention (see the module docstring): a comma groups thousands
    and a point marks decimals, as in Mexico and Central America. Values are rounded half away from
    zero (``2.545`` -> ``2.55``), as people round, not to even. A missing value (None or NaN) gives the
    catalogue's "no data" label.

    Parameters
    ----------
    value
        The number.
    lang
        ``"en"`` or ``"es"``.
    decimals
        Digits after the decimal point.

    Returns
    -------
    str

    Examples
    --------
    >>> number(1582, "en"), number(2.54, "es", decimals=2), number(1234567.891, "es", 1)
    ('1,582', '2.54', '1,234,567.9')
    """
    _check_lang(lang)
    if value is None or _is_missing(value):  # ``is None`` narrows the type for mypy
        return t("label.no_data", lang)
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, got {decimals}")
    exact = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(int(value))
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    return f"{rounded:,.{decimals}f}"


def percent(value: float | None, lang: str, decimals: int = 0, *, fraction: bool = True) -> str:
    """Return ``value`` as a percentage (``48%``; no space, in both languages).

    Parameters
    ----------
    value
        A fraction (``0.48``) or, with ``fraction=False``, a percentage (``48``).
    lang
        ``"en"`` or ``"es"``.
    decimals
        Digits after the decimal point.
    fraction
        Whether ``value`` is a fraction of 1 (default) or already a percentage.

    Returns
    -------
    str

    Examples
    --------
    >>> percent(0.4812, "es", 1), percent(9, "en", fraction=False)
    ('48.1%', '9%')
    """
    if value is None or _is_missing(value):  # ``is None`` narrows the type for mypy
        return number(value, lang)
    pct = float(Decimal(repr(float(value))) * 100) if fraction else value
    return t("format.percent", lang, value=number(pct, lang, decimals))


def date(value: _dt.date | str, lang: str) -> str:
    """Return a date written out: ``14 April 2025`` / ``14 de abril de 2025``.

    Parameters
    ----------
    value
        A :class:`datetime.date` (or datetime) or an ISO date string (``"2025-04-14"``).
    lang
        ``"en"`` or ``"es"``.

    Returns
    -------
    str

    Examples
    --------
    >>> date("2025-04-14", "es")
    '14 de abril de 2025'
    """
    d = _dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    month = t(f"date.month.{_MONTH_KEYS[d.month - 1]}", lang)
    return t("date.long", lang, day=d.day, month=month, year=d.year)


@lru_cache(maxsize=1)
def _pycountry_es() -> Any:
    import gettext

    import pycountry

    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])


def country_name(iso3: str, lang: str) -> str:
    """Return the common name of a country, or of the coalition for ``"CORETT"``.

    Names come from pycountry (Debian iso-codes; the dataset's country table is built from them):
    the short name (``common_name`` where ISO's is inverted, e.g. "Bolivia"), and its Spanish
    translation.

    Parameters
    ----------
    iso3
        ISO 3166-1 alpha-3 code, or the regional code of :func:`corett_lib.core.config.coalition`.
    lang
        ``"en"`` or ``"es"``.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        ``iso3`` is not an ISO 3166-1 alpha-3 code.

    Examples
    --------
    >>> country_name("DOM", "es"), country_name("MEX", "en")
    ('República Dominicana', 'Mexico')
    """
    _check_lang(lang)

    coalition = config.coalition()
    if iso3 == coalition.region_code:
        return coalition.name_en if lang == "en" else coalition.name_es
    import pycountry

    country = pycountry.countries.get(alpha_3=str(iso3).upper())
    if country is None:
        raise KeyError(f"{iso3!r} is not an ISO 3166-1 alpha-3 country code")
    common = getattr(country, "common_name", None)
    if lang == "en":
        return common or country.name
    if country.alpha_3 in SPANISH_NAME_FIXES:
        return SPANISH_NAME_FIXES[country.alpha_3]
    return _pycountry_es().gettext(common or country.name)


def _norm(text: str) -> str:
    """Casefold, drop accents and curly quotes, collapse spaces: how source texts are compared."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


@lru_cache(maxsize=len(LABEL_KINDS))
def _index(namespace: str) -> dict[str, str]:
    """Normalised source text -> target (``"key:<message key>"`` or ``"iso3:<code>"``)."""
    out: dict[str, str] = {}
    if namespace == "citizenship":
        import pycountry

        es = _pycountry_es()
        for c in pycountry.countries:
            for field in ("name", "official_name", "common_name"):
                name = getattr(c, field, None)
                if name:
                    out.setdefault(_norm(name), f"iso3:{c.alpha_3}")
                    out.setdefault(_norm(es.gettext(name)), f"iso3:{c.alpha_3}")
        out.update({_norm(k): f"iso3:{v}" for k, v in CITIZENSHIP_COUNTRIES.items()})
    prefix = namespace + "."
    for lang in LANGUAGES:
        for key, text in catalogue(lang).items():
            if key.startswith(prefix) and "{" not in text:
                out[_norm(text)] = f"key:{key}"
    out.update({_norm(k): f"key:{prefix}{v}" for k, v in SOURCE_ALIASES.get(namespace, {}).items()})
    return out


def _lookup(namespace: str, text: str) -> str | None:
    index = _index(namespace)
    norm = _norm(text)
    if norm in index:
        return index[norm]
    if "(" in norm and not norm.startswith("("):
        # UN M49 style, e.g. "Venezuela (Bolivarian Republic of)": the part before the bracket.
        head = norm.split("(", 1)[0].strip()
        if head in index:
            return index[head]
    if "\ufffd" not in norm:
        return None
    # U+FFFD stands for one lost character (an accented letter or a curly quote).
    pattern = re.compile(".".join(re.escape(part) for part in norm.split("\ufffd")))
    targets = {target for known, target in index.items() if pattern.fullmatch(known)}
    return targets.pop() if len(targets) == 1 else None


def label(kind: str, value: Any, lang: str) -> str:
    r"""Return the label of a value found in the data, in ``lang``; never fails on an unknown value.

    Matching ignores case, accents and extra spaces, and a U+FFFD replacement character (an accented
    letter lost in the UNODC export, e.g. ``"Rep\ufffdblica Dominicana"``) matches any one letter.
    Citizenship and country-of-repatriation values that name a country (in English or Spanish, or
    as a nationality such as ``"GUATEMALTECA"``) get :func:`country_name`.

    Parameters
    ----------
    kind
        One of :data:`LABEL_KINDS`: ``"category"`` (form of exploitation), ``"citizenship"``,
        ``"repatriation"``, ``"sex"``, ``"age"``, ``"dimension"``, ``"indicator"``, ``"unit"``,
        ``"status"``, ``"verdict"``.
    value
        The value as the data has it (e.g. ``"Sexual exploitation"``); a catalogue key's last part
        (``"sexual_exploitation"``) works too.
    lang
        ``"en"`` or ``"es"``.

    Returns
    -------
    str
        The label; the original text when the value is unknown (or an empty value's "not stated").

    Raises
    ------
    ValueError
        ``kind`` or ``lang`` is unknown (a programming error, unlike an unknown value).

    Examples
    --------
    >>> label("category", "Forced labour", "es")
    'Trabajo forzoso'
    >>> label("category", "Removal of organs", "es")
    'Removal of organs'
    """
    _check_lang(lang)
    try:
        namespace = LABEL_KINDS[kind]
    except KeyError:
        hint = " (the order is label(kind, value, lang))" if value in LABEL_KINDS else ""
        raise ValueError(
            f"unknown label kind {kind!r}{hint}; known: {', '.join(LABEL_KINDS)}"
        ) from None
    if _is_missing(value) or str(value).strip() == "":
        return t("label.not_stated", lang)
    text = str(value)
    direct = f"{namespace}.{text}"
    if direct in catalogue(lang):
        return t(direct, lang)
    target = _lookup(namespace, text)
    if target is None:
        return text
    what, _, ref = target.partition(":")
    return country_name(ref, lang) if what == "iso3" else t(ref, lang)

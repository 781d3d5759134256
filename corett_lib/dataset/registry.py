"""The indicator registry: declared indicators, read from ``registry.yaml`` and validated strictly.

Every indicator the engine computes is data: id, bilingual name and definition, numerator and optional
denominator (selectors over the tidy observations), scale, unit, decimals, allowed disaggregations,
direction of desired change, linked SDG targets and plan indicators, and a source precedence. Unknown
keys, unknown disaggregations, a disaggregation that contradicts a selector's filter, a ``change`` of
an undeclared indicator and the like are errors raised at load, naming the file and the key.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from corett_lib.core.config import ConfigError, read_yaml

REGISTRY_PATH: Path = Path(__file__).with_name("registry.yaml")
"""The shipped registry."""

Direction = Literal["increase", "decrease", "ambiguous"]
Kind = Literal["count", "ratio", "change", "cagr"]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_SDG = re.compile(r"^\d{1,2}\.[0-9a-c]{1,2}(\.\d{1,2})?$")
_SELECTOR_FIELDS = ("dimension", "category", "sex", "age")


class RegistryError(ConfigError):
    """The registry file is invalid; the message names the file and every offending key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Selector(_Strict):
    """Observations a numerator or denominator takes: an indicator and filters (default ``Total``).

    ``population: total`` selects the population table instead of observations.
    """

    indicator: str | None = None
    population: Literal["total"] | None = None
    dimension: str = "Total"
    category: str = "Total"
    sex: str = "Total"
    age: str = "Total"

    @model_validator(mode="after")
    def _one_target(self) -> Selector:
        if (self.indicator is None) == (self.population is None):
            raise ValueError("a selector names exactly one of `indicator` or `population`")
        return self

    @property
    def is_population(self) -> bool:
        """True when the selector takes the population table."""
        return self.population is not None


class Disaggregation(_Strict):
    """How one disaggregation replaces the selectors' filters."""

    label_en: str
    label_es: str
    sex: tuple[str, ...] = ()
    age: tuple[str, ...] = ()
    dimension: str | None = None
    derive: Literal["citizenship"] | None = None

    @property
    def fields(self) -> set[str]:
        """Selector fields this disaggregation overrides."""
        out = set()
        if self.sex:
            out.add("sex")
        if self.age:
            out.add("age")
        if self.dimension:
            out |= {"dimension", "category"}
        return out


class Indicator(_Strict):
    """One declared indicator."""

    id: str
    name_en: str
    name_es: str
    definition_en: str
    definition_es: str
    kind: Kind
    numerator: Selector | tuple[Selector, ...] | None = None
    denominator: Selector | None = None
    of: str | None = None
    window: int | None = Field(default=None, ge=1, le=30)
    scale: Literal[1, 100, 100000]
    unit_en: str
    unit_es: str
    decimals: int = Field(ge=0, le=4)
    disaggregations: tuple[str, ...]
    direction: Direction
    sdg: tuple[str, ...] = ()
    plan: tuple[str, ...] = ()
    precedence: tuple[str, ...] | None = None
    region: tuple[Literal["published", "sum"], ...] | None = None
    target: float | None = None

    @property
    def numerators(self) -> tuple[Selector, ...]:
        """The numerator's alternatives (one selector, or several tried in order per source)."""
        if self.numerator is None:
            return ()
        return self.numerator if isinstance(self.numerator, tuple) else (self.numerator,)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("ids are lower_snake_case")
        return v

    @field_validator("sdg")
    @classmethod
    def _sdg(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in v if not _SDG.match(c)]
        if bad:
            raise ValueError(f"not SDG target/indicator codes: {bad}")
        return v

    @field_validator("disaggregations", "precedence", "region")
    @classmethod
    def _unique(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if v is not None and (not v or len(set(v)) != len(v)):
            raise ValueError("must be a non-empty list without repeats")
        return v

    @model_validator(mode="after")
    def _kind_fields(self) -> Indicator:
        if self.kind in ("count", "ratio"):
            if not self.numerator:
                raise ValueError(f"a {self.kind} needs a numerator")
            if any(s.is_population for s in self.numerators):
                raise ValueError("the numerator cannot be the population")
            if self.of is not None or self.window is not None:
                raise ValueError(f"`of` and `window` are for change/cagr, not {self.kind}")
        if self.kind == "count" and self.denominator is not None:
            raise ValueError("a count has no denominator (use kind: ratio)")
        if self.kind == "ratio" and self.denominator is None:
            raise ValueError("a ratio needs a denominator")
        if self.kind in ("change", "cagr"):
            if self.of is None:
                raise ValueError(f"a {self.kind} needs `of` (the indicator it follows)")
            if self.numerator is not None or self.denominator is not None:
                raise ValueError(f"a {self.kind} takes `of`, not a numerator/denominator")
        if self.kind == "change" and self.window is not None:
            raise ValueError("`window` is for cagr")
        if "total" not in self.disaggregations:
            raise ValueError("every indicator has the `total` disaggregation")
        return self

    def name(self, lang: str) -> str:
        """Return the name in ``lang`` (``en`` or ``es``)."""
        return self.name_es if lang == "es" else self.name_en

    def unit(self, lang: str) -> str:
        """Return the unit in ``lang``."""
        return self.unit_es if lang == "es" else self.unit_en


class Defaults(_Strict):
    """Registry-wide defaults."""

    precedence: tuple[str, ...]
    region: tuple[Literal["published", "sum"], ...]
    trend_window: int = Field(ge=1, le=30)


class StatusRules(_Strict):
    """Thresholds of the status of indicators with a target."""

    band: float = Field(gt=0, lt=1)


class Citizenship(_Strict):
    """Labels that mean own nationals, unknown citizenship, and each member's own nationality."""

    domestic_any: tuple[str, ...]
    unknown: tuple[str, ...]
    domestic: dict[str, tuple[str, ...]]


class Registry(_Strict):
    """The whole registry."""

    version: Literal[1]
    defaults: Defaults
    status: StatusRules
    disaggregations: dict[str, Disaggregation]
    category_labels: dict[str, str]
    citizenship: Citizenship
    indicators: tuple[Indicator, ...]

    @model_validator(mode="after")
    def _cross(self) -> Registry:
        problems: list[str] = []
        ids = [i.id for i in self.indicators]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            problems.append(f"indicator ids declared twice: {dup}")
        if "total" not in self.disaggregations:
            problems.append("disaggregations: `total` must be declared")
        by_id = {i.id: i for i in self.indicators}
        for ind in self.indicators:
            where = f"indicators.{ind.id}"
            unknown = [d for d in ind.disaggregations if d not in self.disaggregations]
            if unknown:
                problems.append(f"{where}.disaggregations: not declared: {unknown}")
                continue
            selectors = [*ind.numerators, *([ind.denominator] if ind.denominator else [])]
            for d in ind.disaggregations:
                spec = self.disaggregations[d]
                for sel in selectors:
                    if sel.is_population and d != "total":
                        problems.append(
                            f"{where}: population has no `{d}` breakdown; only `total` is allowed"
                        )
                    fixed = {f for f in _SELECTOR_FIELDS if getattr(sel, f) != "Total"}
                    clash = sorted(fixed & spec.fields)
                    if clash and not sel.is_population:
                        problems.append(
                            f"{where}: disaggregation `{d}` overrides the selector's fixed {clash}"
                        )
            if ind.kind in ("change", "cagr"):
                base = by_id.get(ind.of or "")
                if base is None:
                    problems.append(f"{where}.of: {ind.of!r} is not a declared indicator")
                elif base.kind in ("change", "cagr"):
                    problems.append(f"{where}.of: {ind.of!r} is itself a {base.kind}")
                else:
                    extra = [d for d in ind.disaggregations if d not in base.disaggregations]
                    if extra:
                        problems.append(
                            f"{where}.disaggregations: {extra} not allowed for {ind.of!r}"
                        )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def get(self, indicator_id: str) -> Indicator:
        """Return the indicator ``indicator_id``; ``KeyError`` naming the known ids otherwise."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(f"unknown indicator {indicator_id!r}; known: {', '.join(self.ids())}")

    def ids(self) -> list[str]:
        """Return the indicator ids in declared order."""
        return [i.id for i in self.indicators]

    def precedence(self, ind: Indicator) -> tuple[str, ...]:
        """Return the indicator's source precedence (its own, else the default)."""
        base = self.get(ind.of) if ind.of else ind
        return base.precedence or ind.precedence or self.defaults.precedence

    def region_rule(self, ind: Indicator) -> tuple[str, ...]:
        """Return the indicator's regional rule (its own, else the default)."""
        return ind.region or self.defaults.region

    def category_label(self, category: str, lang: str) -> str:
        """Return the label of an observation category in ``lang`` (``sex, age`` pairs too)."""
        if lang != "es":
            return category
        parts = category.split(", ")
        return ", ".join(self.category_labels.get(p, p) for p in parts)


def normalise_label(text: object) -> str:
    r"""Return the matching key of a free-text label: ASCII letters only, lower case.

    Every non-ASCII character is dropped, whether accented or U+FFFD, so that the export's damaged
    spellings match the correct ones.

    Examples
    --------
    >>> normalise_label("Panamá") == normalise_label("Panam\ufffd")
    True
    >>> normalise_label("Rep. Dominicana")
    'repdominicana'
    """
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text.lower() if "a" <= ch <= "z")


def _format_errors(exc: ValidationError) -> str:
    msgs = []
    for e in exc.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "(top)"
        got = e.get("input")
        shown = f" (got {got!r})" if got is not None and not isinstance(got, dict | list) else ""
        msgs.append(f"{loc}: {e['msg']}{shown}")
    return "; ".join(msgs)


def load_registry(path: str | os.PathLike[str] | None = None) -> Registry:
    """Read and validate the indicator registry.

    Parameters
    ----------
    path
        A registry YAML file; the shipped ``registry.yaml`` by default.

    Returns
    -------
    Registry
        The validated registry.

    Raises
    ------
    RegistryError
        When the file cannot be read or is invalid; the message names the file and every bad key.

    Examples
    --------
    >>> reg = load_registry()
    >>> reg.get("victims_rate").scale
    100000
    """
    if path is None:
        return _shipped()
    return _read(Path(path))


def _read(p: Path) -> Registry:
    try:
        data = read_yaml(p)
    except ConfigError as exc:
        raise RegistryError(str(exc)) from None
    try:
        # JSON mode: strict types (no "1" -> 1), YAML lists accepted for tuples.
        return Registry.model_validate_json(json.dumps(data))
    except ValidationError as exc:
        raise RegistryError(f"{p}: {_format_errors(exc)}") from None


@lru_cache(maxsize=1)
def _shipped() -> Registry:
    return _read(REGISTRY_PATH)

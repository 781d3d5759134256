"""Run configurations: ``parameters/*.yaml``, read with dates left as strings and validated.

* :func:`coalition` — the membership (``parameters/coalition.yaml``). Membership is configuration: a new
  member is one more ISO3 code in that file.
* :func:`build_matrix` — the default report matrix (``parameters/build.yaml``).

Unknown keys are errors (strict), and every error names the file and the key.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from corett_lib.core import paths

_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster


class _StringDateLoader(_SAFE_LOADER):
    """SafeLoader without the timestamp resolver: ``2019-01-01`` stays the string ``"2019-01-01"``."""


_StringDateLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class ConfigError(ValueError):
    """A run configuration file is missing or invalid; the message names the file and the keys."""


def read_yaml(path: str | os.PathLike[str]) -> Any:
    """Read a YAML file with dates left as strings. Raises :class:`ConfigError` naming the file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{p}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        return yaml.load(text, Loader=_StringDateLoader)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: invalid YAML: {exc}") from exc


def _validated(model: type[BaseModel], data: Any, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        msgs = [
            f"{'.'.join(str(x) for x in e['loc']) or '(top)'}: {e['msg']}"
            + (
                f" (got {e['input']!r})"
                if "input" in e and not isinstance(e["input"], dict)
                else ""
            )
            for e in exc.errors()
        ]
        raise ConfigError(f"{path}: " + "; ".join(msgs)) from None


class Coalition(BaseModel):
    """The coalition: its name and its members."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    name_en: str
    name_es: str
    region_code: str = "CORETT"
    members: tuple[str, ...]
    plan_period: dict[str, str] = Field(default_factory=dict)

    @field_validator("members")
    @classmethod
    def _iso3(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [m for m in v if not (len(m) == 3 and m.isalpha() and m.isupper())]
        if bad:
            raise ValueError(f"members must be ISO 3166-1 alpha-3 codes; not: {bad}")
        if len(set(v)) != len(v):
            raise ValueError("members are listed more than once")
        return v


@lru_cache(maxsize=4)
def coalition(path: str | None = None) -> Coalition:
    """Return the coalition read from ``parameters/coalition.yaml`` (or ``path``)."""
    p = Path(path) if path else paths.parameters_dir() / "coalition.yaml"
    return _validated(Coalition, read_yaml(p), p)


def members() -> tuple[str, ...]:
    """Return the ISO3 codes of the coalition's members, in configured order."""
    return coalition().members


class YearRange(BaseModel):
    """An inclusive range of years."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: int = Field(alias="from")
    to: int


class BuildMatrix(BaseModel):
    """The report matrix of ``parameters/build.yaml``."""

    model_config = ConfigDict(extra="forbid")
    countries: list[str]
    years: list[int] | YearRange
    reports: list[Literal["annual", "evaluation", "sdg", "infographic", "quality"]]
    languages: list[Literal["en", "es"]]
    disclosure_k: int = Field(default=5, ge=2, le=100)

    def year_list(self) -> list[int]:
        """Return the years as a sorted list."""
        if isinstance(self.years, YearRange):
            return list(range(self.years.from_, self.years.to + 1))
        return sorted(set(self.years))

    def country_list(self) -> list[str]:
        """Return the countries with ``members`` expanded, in a stable order."""
        out: list[str] = []
        for c in self.countries:
            for code in members() if c == "members" else (c,):
                if code not in out:
                    out.append(code)
        return out


def build_matrix(path: str | os.PathLike[str] | None = None) -> BuildMatrix:
    """Return the validated report matrix (``parameters/build.yaml`` by default)."""
    p = Path(path) if path else paths.parameters_dir() / "build.yaml"
    return _validated(BuildMatrix, read_yaml(p), p)

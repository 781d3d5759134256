"""The infographic's PNG is drawn once per SVG content and is the same bytes from the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from corett_lib.batch import raster_cache
from corett_lib.reporting.raster import to_png

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="1350" viewBox="0 0 1080 1350">'
    '<rect width="1080" height="1350" fill="#fff"/><rect x="100" y="100" width="300" height="200"'
    ' fill="#8a1c1c"/></svg>'
)


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    monkeypatch.setenv("CORETT_CACHE", str(tmp_path / "cache"))
    calls: list[str] = []

    def drawing(svg: str) -> bytes:
        calls.append(svg)
        return to_png(svg)

    monkeypatch.setattr(raster_cache, "to_png", drawing)
    return calls


def test_a_png_is_drawn_once_per_svg_and_has_the_same_bytes(counted: list[str]) -> None:
    first = raster_cache.cached_png(SVG)
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and first == to_png(SVG)
    assert raster_cache.cached_png(SVG) == first
    assert len(counted) == 1
    other = SVG.replace("#8a1c1c", "#1b5e20")  # e.g. the approval mark changes the image
    assert raster_cache.cached_png(other) != first
    assert len(counted) == 2


def test_a_damaged_entry_is_drawn_again(counted: list[str], tmp_path: Path) -> None:
    first = raster_cache.cached_png(SVG)
    (header,) = (tmp_path / "cache" / raster_cache.PNG_CACHE_FOLDER).glob("png-*.json")
    header.write_text(header.read_text().replace('"png":"', '"png":"AAAA'))
    assert raster_cache.cached_png(SVG) == first
    assert len(counted) == 2


def test_the_key_changes_with_the_svg_only() -> None:
    assert raster_cache.png_key(SVG) == raster_cache.png_key(SVG)
    assert raster_cache.png_key(SVG) != raster_cache.png_key(SVG + " ")

"""Run axe-core on local HTML files in headless Chromium; print {file: [violations]} as JSON.

Run by tests/test_pages_accessibility.py with an interpreter that has ``playwright`` and
``axe-playwright-python`` (for its bundled ``axe.min.js``); not imported by the test suite itself.
Usage: python axe_pages.py CHROMIUM FILE.html [FILE.html ...]
"""

import json
import sys
from pathlib import Path

import axe_playwright_python
from playwright.sync_api import sync_playwright

AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def main() -> None:
    chromium, files = sys.argv[1], sys.argv[2:]
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.route("http*://**", lambda route: route.abort())  # offline: nothing may load
            for f in files:
                page.goto(Path(f).resolve().as_uri())
                page.add_script_tag(content=AXE)
                result = page.evaluate("async () => await axe.run(document)")
                out[f"{f}@{width}"] = [
                    {
                        "id": v["id"],
                        "impact": v["impact"],
                        "nodes": [n["target"] for n in v["nodes"]][:5],
                    }
                    for v in result["violations"]
                ]
            page.close()
        browser.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()

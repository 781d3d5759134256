"""Open an index.html in headless Chromium, filter it, print what a reader sees as JSON.

Run by tests/test_pages_accessibility.py with an interpreter that has ``playwright``.
Usage: python index_filter.py CHROMIUM INDEX.html FILTER VALUE  (FILTER: year, country or report)
"""

import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright


def main() -> None:
    chromium, index, name, value = sys.argv[1:5]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 390, "height": 800})
        page.route("http*://**", lambda route: route.abort())
        page.goto(Path(index).resolve().as_uri())
        before = page.locator("tr[data-year]:visible").count()
        page.select_option(f"select[name={name}]", value)
        after = [a.inner_text() for a in page.locator("tr[data-year]:visible a").all()]
        shown = page.locator("#shown").inner_text()
        browser.close()
    print(json.dumps({"before": before, "links": after, "shown": shown}))


if __name__ == "__main__":
    main()

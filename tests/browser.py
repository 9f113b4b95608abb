"""A real browser for tests: Playwright (from PyPI) driving Debian's chromium, and axe-core on each page.

Playwright never downloads a browser here: it launches /usr/bin/chromium (`make test` installs it
with apt-get). A missing browser or axe-core fails the test saying how to get it; nothing skips.
Screenshots go to test-artifacts/screenshots/ (gitignored), kept after the run.

Use the `browser` fixture (one chromium for the session) and `BrowserPage` for a page with checks:
    page = await BrowserPage.open(browser, "http://127.0.0.1:PORT")
    await page.check_accessible("case list")   # axe-core: no serious or critical violations
    await page.screenshot("case-list")
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# WCAG 2.2 A and AA (and the 2.0/2.1 rules they include); best practices are not failures.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")


def _needed() -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"no browser at {CHROMIUM}: run `make test` (it installs it) or `apt-get install chromium`")
    if not AXE.exists():
        pytest.fail(f"no axe-core at {AXE}: run `make test` (it runs `npm ci`) or `npm ci` in the project folder")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    _needed()
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        await chromium.close()


@dataclass
class BrowserPage:
    page: Page
    base: str
    checked: list[str] = field(default_factory=list)  # pages axe-core has passed
    refused: list[str] = field(default_factory=list)  # what the Content-Security-Policy blocked

    @classmethod
    async def open(cls, browser: Browser, base: str, *, javascript: bool = True) -> BrowserPage:
        context = await browser.new_context(base_url=base, java_script_enabled=javascript, viewport={"width": 1280, "height": 900})
        opened = cls(await context.new_page(), base)
        opened.page.on(
            "console", lambda message: opened.refused.append(message.text) if "Content Security Policy" in message.text else None
        )
        return opened

    async def close(self) -> None:
        await self.page.context.close()

    async def check_accessible(self, name: str) -> None:
        """axe-core on the page as it stands: no serious or critical WCAG 2.2 AA violation. And the
        page's own scripts ran under its Content-Security-Policy, nothing of it refused."""
        await self.page.wait_for_load_state()  # a click that navigates does not wait for the new page
        assert not self.refused, f"refused by the Content-Security-Policy on {name}: {self.refused}"
        assert await self.page.evaluate("document.body.classList.contains('govuk-frontend-supported')"), (
            f"the GOV.UK page template's inline script did not run on {name}"
        )
        # Evaluated by the browser's devtools, not added as a <script>: the console's
        # Content-Security-Policy rightly refuses inline scripts without its nonce.
        await self.page.evaluate(AXE.read_text())
        result = await self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        blocking = [
            {"rule": violation["id"], "impact": violation["impact"], "help": violation["help"],
             "where": [node["target"] for node in violation["nodes"]][:5]}
            for violation in result["violations"] if violation["impact"] in BLOCKING
        ]
        assert not blocking, f"accessibility problems on {name}: {json.dumps(blocking, indent=1)}"
        self.checked.append(name)

    async def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=full_page)
        return path


"""The Temporal Web UI, seen in a real browser (Playwright driving Debian's chromium) on `make run`'s stack.

Staff find a case by its reference and read, on its page, the opening input decoded by the codec
server, its current details in words and its search attributes. With the codec server stopped
(the dev server and a worker back on the same SQLite file, nothing else), the same page shows no
personal data: the history holds only ciphertext. Screenshots are kept in test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.async_api import Browser, Error as PlaywrightError, Locator, Page, expect
from temporalio.client import Client

from cases.client import Cases
from domain.models import OpenCase
from infra.converter import data_converter
from infra.devstack import dev_server_command, start, stop, wait_for_port
from infra.settings import Settings
from tests.browser import BrowserPage, browser  # noqa: F401 (the shared browser fixture)
from tests.conftest import new_reference, open_case, personal_data
from tests.test_devstack import free_port, running_stack, wait_for_worker
from web.settings import WebSettings
from workflows.case import DisagreementCase

pytestmark = pytest.mark.timeout(420)  # two starts of the stack's servers and a JavaScript app, on a loaded machine

# The Web UI is a JavaScript app fetching as it goes: wait for its content, generously.
UI_WAIT_MS = 90_000
# The one deadline of a case in informal talks, as a line of the current details.
DEADLINE_IN_WORDS = re.compile(r"Review of informal talks: due (Monday|Tuesday|Wednesday|Thursday|Friday) \d{1,2} [A-Z][a-z]+ \d{4}")
# The encrypted input as the UI shows it without the codec server: one quoted base64 string.
CIPHERTEXT = re.compile(r'^\s*"[A-Za-z0-9+/]{200,}={0,2}"\s*$')
STACK_PORTS = ("DEV_SERVER_PORT", "UI_PORT", "CODEC_SERVER_PORT", "WEB_PORT")


@contextmanager
def codec_server_stopped(settings: WebSettings, env: dict[str, str]) -> Iterator[None]:
    """The stack without its codec server: the dev server (same SQLite file, same UI settings, so
    the UI still points at the codec endpoint) and a worker, started as `make run` starts them."""
    env = {**env, "TEMPORAL_ADDRESS": f"{settings.dev_server_ip}:{settings.dev_server_port}"}
    processes = [start(dev_server_command(settings), env)]
    try:
        wait_for_port(settings.dev_server_ip, settings.dev_server_port, processes[0])
        processes.append(start([sys.executable, "worker.py"], env))
        wait_for_port("localhost", settings.ui_port, processes[0], name="the Temporal Web UI")
        yield
    finally:
        stop(processes)


async def find_case(page: Page, reference: str) -> None:
    """From the list of workflows, filtered by the reference, to the case's own page."""
    await page.goto("/namespaces/default/workflows?query=" + quote(f'WorkflowId="{reference}"'))
    link = page.get_by_role("link", name=reference, exact=True)
    await expect(link).to_have_count(1, timeout=UI_WAIT_MS)
    await link.click()
    await expect(page.get_by_role("heading", name=reference)).to_be_visible(timeout=UI_WAIT_MS)
    await expect(page.get_by_test_id("input-and-result")).to_be_visible(timeout=UI_WAIT_MS)


async def everything_shown(page: Page) -> str:
    """The page's HTML and every frame's (summary and details render in iframes), addresses included."""
    shown = [await page.content()]
    for frame in page.frames[1:]:
        try:
            shown.append(await frame.content())
        except PlaywrightError:
            if not frame.is_detached():  # a frame gone with the tab it was on is no longer shown
                raise
    return "\n".join(shown)


async def on_tab(page: Page, tab: str, *loaded: Locator) -> str:
    """Switch to a tab of the case's page, wait until it shows what it loads, and return all it shows."""
    await page.get_by_role("tab", name=tab).click()
    await expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true", timeout=UI_WAIT_MS)
    for locator in loaded:
        await expect(locator.first).to_be_visible(timeout=UI_WAIT_MS)
    return await everything_shown(page)


def leaked(text: str, opened: OpenCase) -> list[str]:
    lowered = text.lower()
    return [value for value in personal_data(opened) if value.lower() in lowered]


async def test_the_web_ui_shows_a_case_decoded_through_the_codec_server_and_nothing_personal_without_it(
    browser: Browser, tmp_path: Path
) -> None:
    ports = {name: free_port() for name in STACK_PORTS}
    env = {**os.environ, "DISAGREEMENT_DATA_DIR": str(tmp_path), **{f"DISAGREEMENT_{name}": str(port) for name, port in ports.items()}}
    stack_settings = WebSettings(data_dir=tmp_path, **{name.lower(): port for name, port in ports.items()})
    ui = f"http://localhost:{ports['UI_PORT']}"  # the origin the codec server lets read its answers
    settings = Settings(data_dir=tmp_path)
    reference, other = new_reference(), new_reference()
    opened = open_case()
    family = opened.applicant

    with running_stack(env):
        client = await Client.connect(f"127.0.0.1:{ports['DEV_SERVER_PORT']}", data_converter=data_converter(settings))
        # Another case first: it proves the worker is polling, and the search must leave it out.
        await client.start_workflow(DisagreementCase.run, open_case(), id=other, task_queue=settings.task_queue)
        await wait_for_worker(client, other)
        cases = Cases(client, settings)  # opened as staff open it, with the UI's summary and details
        try:
            await cases.open(reference, opened)
        finally:
            await cases.records.close()

        page = await BrowserPage.open(browser, ui)
        try:
            screen = page.page
            await find_case(screen, reference)
            await expect(screen.get_by_text(other)).to_have_count(0)
            # Decoded by the codec server: the family's name and contact details, in the browser only.
            decoded = screen.get_by_role("textbox", name="Input")
            await expect(decoded).to_contain_text(f'"name": "{family.name}"', timeout=UI_WAIT_MS)
            await expect(decoded).to_contain_text(str(family.contact.email))
            await page.screenshot("web-ui-case-decoded", full_page=False)
            shown = [await on_tab(screen, "Timeline", decoded)]
            shown.append(await on_tab(screen, "Event History", decoded, screen.get_by_text("Activity Task Scheduled")))

            details = screen.frame_locator("#user-metadata-current-details")
            summary = screen.frame_locator("iframe").first  # summary, details, current details: each its own frame
            shown.append(await on_tab(screen, "User Metadata", details.get_by_text("Case is in informal talks")))
            await expect(details.get_by_role("listitem")).to_have_text([DEADLINE_IN_WORDS])
            await expect(summary.locator("body")).to_have_text(f"SEND disagreement case {reference}", timeout=UI_WAIT_MS)
            await page.screenshot("web-ui-case-current-details")

            attributes = screen.get_by_role("main")
            shown.append(await on_tab(screen, "Search Attributes", attributes.get_by_text('"CaseStage"')))
            for attribute in ('"CaseStage": "informal_talks"', '"CaseOfficer": "jo.smith"', '"EhcPoint": "needs_assessment"', '"NextDeadline"'):
                await expect(attributes).to_contain_text(attribute)
            await page.screenshot("web-ui-case-search-attributes")
            # What is gathered from the tabs holds what the codec server decoded: it would show a leak.
            assert family.name in leaked("\n".join(shown), opened)
        finally:
            await page.close()

    with codec_server_stopped(stack_settings, env):
        client = await Client.connect(f"127.0.0.1:{ports['DEV_SERVER_PORT']}", data_converter=data_converter(settings))
        await wait_for_worker(client, reference)
        page = await BrowserPage.open(browser, ui)
        try:
            screen = page.page
            await find_case(screen, reference)
            # Not decoded: once the codec endpoint fails, the UI shows the stored payload's data, ciphertext.
            encrypted = screen.get_by_role("textbox", name="Input").filter(has_text=CIPHERTEXT)
            shown = [await on_tab(screen, "Timeline", encrypted, screen.locator("text=Codec Server could not connect >> visible=true"))]
            await page.screenshot("web-ui-case-without-codec-server", full_page=False)
            shown.append(await on_tab(screen, "Event History", encrypted, screen.get_by_text("Activity Task Scheduled")))
            # The summary, details and current details are payloads too, encrypted: the UI says it has none.
            shown.append(await on_tab(screen, "User Metadata", screen.get_by_text("No summary available")))
            # Search attributes are never encrypted, and hold nothing personal (workflows/visibility.py).
            shown.append(await on_tab(screen, "Search Attributes", screen.get_by_role("main").get_by_text('"CaseStage": "informal_talks"')))
        finally:
            await page.close()
        assert leaked("\n".join(shown), opened) == []

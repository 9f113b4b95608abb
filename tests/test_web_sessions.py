"""Signing in and out of the console, and what it refuses before any page runs (DESIGN section 12).

- The development sign-in exists only when switched on, never beside OIDC, never off loopback or
  with a public URL; the session cookie is Secure when the public URL is https.
- Sessions are kept in the records database (SQLite and PostgreSQL): the cookie holds a random id,
  the table its digest. Signing out deletes the session, so the old cookie, replayed, signs nobody in
  and its CSRF token is refused; idle 30 minutes or 8 hours old, a session is over.
- A form with its CSRF field absent, empty or forged changes nothing (403 in words).
- The actor recorded on a case is whoever is signed in, for each of two members of staff.
- A foreign `Host` gets a 400 in words (DNS rebinding); a body over the limit a 413, before it is read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from infra.settings import Settings, SettingsError, settings_of
from records.sessions import SessionStore, _digest, session_store_for
from tests.conftest import open_case, opened_view, running_worker, start_case
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET
from tests.web_console import Console, console_over, web_settings
from web.app import create_app
from web.auth import SESSION_COOKIE
from web.settings import WebSettings
from workflows.case import DisagreementCase

pytestmark = pytest.mark.timeout(180)

OFFICER = "jo.smith"  # the case officer of `open_case()`: nobody below signs in as them
LIMIT = 4096


@pytest_asyncio.fixture(loop_scope="session")
async def console(dev_server: WorkflowEnvironment, settings: Settings) -> AsyncIterator[Console]:
    app = create_app(web_settings(settings.data_dir, settings.task_queue, web_max_body_bytes=LIMIT), dev_server.client)
    async with running_worker(dev_server.client, settings):
        async with console_over(app) as console:
            yield console


async def timeline(dev_server: WorkflowEnvironment, reference: str):
    return (await dev_server.client.get_workflow_handle(reference).query(DisagreementCase.case_view)).timeline


def session_rows(settings: Settings) -> list[tuple]:
    if not settings.records_path.exists():
        return []  # never opened: no session was ever kept
    with sqlite3.connect(settings.records_path) as db:
        return db.execute("SELECT id_digest, data, created_at, seen_at FROM staff_sessions").fetchall()


def backdate(settings: Settings, column: str, by: timedelta) -> None:
    with sqlite3.connect(settings.records_path) as db:
        db.execute(f"UPDATE staff_sessions SET {column} = ?", ((datetime.now(UTC) - by).isoformat(),))


# --- Who is recorded ---------------------------------------------------------------------------------


async def test_each_action_records_the_signed_in_staff_member_not_the_case_officer(
    console: Console, dev_server, settings,
) -> None:
    handle = await start_case(dev_server.client, settings, open_case())
    await opened_view(handle)
    for staff in ("amira.khan", "ben.okafor"):
        signed = await console.sign_in(staff)
        assert signed.status_code == 303, signed.text
        page = await console.act(handle.id, "note", {"text": f"a note from {staff}"})
        assert page.status_code == 303
        await console.post("/sign-out", {})
    entries = await timeline(dev_server, handle.id)
    by_note = {entry.detail: entry.actor for entry in entries if "a note from" in entry.detail}
    assert by_note == {"a note from amira.khan": "amira.khan", "a note from ben.okafor": "ben.okafor"}, entries
    assert all(entry.actor != OFFICER for entry in entries if "a note from" in entry.detail)


# --- CSRF --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "forged-token"], ids=["absent", "empty", "forged"])
async def test_a_form_whose_csrf_token_is_absent_empty_or_forged_changes_nothing(
    console: Console, dev_server, settings, token: str | None,
) -> None:
    handle = await start_case(dev_server.client, settings)
    before = len((await opened_view(handle)).timeline)
    await console.sign_in("amira.khan")
    await console.get(f"/cases/{handle.id}/note")  # the form, with this session's token, was shown
    form = {"text": "sneaky"} if token is None else {"text": "sneaky", "csrf_token": token}
    page = await console.http.post(f"/cases/{handle.id}/note", data=form)
    assert page.status_code == 403, page.text
    assert "This form has expired" in page.text and "Nothing was changed" in page.text
    assert len(await timeline(dev_server, handle.id)) == before
    assert "csrf_token" not in form or form["csrf_token"] != console.csrf


# --- Sessions ----------------------------------------------------------------------------------------


async def test_a_cookie_replayed_after_sign_out_signs_nobody_in_and_its_token_is_refused(
    console: Console, dev_server, settings,
) -> None:
    handle = await start_case(dev_server.client, settings)
    before = len((await opened_view(handle)).timeline)
    await console.sign_in("amira.khan")
    await console.get(f"/cases/{handle.id}/note")
    cookie, token = console.http.cookies[SESSION_COOKIE], console.csrf
    assert [row[0] for row in session_rows(settings)] == [_digest(cookie)]  # the table holds a digest, not the id
    assert cookie not in repr(session_rows(settings))

    signed_out = await console.post("/sign-out", {})
    assert (signed_out.status_code, signed_out.headers["location"]) == (303, "/sign-in")
    assert session_rows(settings) == []  # revoked on the server, not just forgotten by the browser

    console.http.cookies.clear()
    console.http.cookies.set(SESSION_COOKIE, cookie)  # replayed, as someone who copied it would
    assert (await console.get("/cases")).headers["location"] == "/sign-in"
    note = await console.http.post(f"/cases/{handle.id}/note", data={"text": "replayed", "csrf_token": token})
    assert (note.status_code, note.headers["location"]) == (303, "/sign-in")
    console.http.cookies.set(SESSION_COOKIE, cookie)
    out_again = await console.http.post("/sign-out", data={"csrf_token": token})
    assert out_again.status_code == 403 and "This form has expired" in out_again.text
    assert len(await timeline(dev_server, handle.id)) == before


async def test_signing_in_issues_a_new_session_id(console: Console, settings) -> None:
    await console.get("/sign-in")  # an anonymous session, for the sign-in form's token
    before = console.http.cookies[SESSION_COOKIE]
    await console.sign_in("amira.khan")
    after = console.http.cookies[SESSION_COOKIE]
    assert after != before
    assert [row[0] for row in session_rows(settings)] == [_digest(after)]  # the one from before is gone
    console.http.cookies.clear()
    console.http.cookies.set(SESSION_COOKIE, before)
    assert (await console.get("/cases")).headers["location"] == "/sign-in"


async def test_a_page_without_a_form_keeps_no_session_for_nobody(console: Console, settings) -> None:
    for path in ("/nothing-here", "/static/govuk-frontend.min.css"):
        page = await console.get(path)
        assert page.status_code in (200, 404) and "set-cookie" not in page.headers
    assert session_rows(settings) == []


async def test_an_idle_or_too_old_session_is_over(console: Console, settings) -> None:
    await console.sign_in("amira.khan")
    backdate(settings, "seen_at", timedelta(minutes=29))
    assert (await console.get("/cases")).status_code == 200  # still within 30 minutes: and seen again now
    assert datetime.fromisoformat(session_rows(settings)[0][3]) > datetime.now(UTC) - timedelta(minutes=1)

    backdate(settings, "seen_at", timedelta(minutes=31))
    assert (await console.get("/cases")).headers["location"] == "/sign-in"

    await console.sign_in("amira.khan")
    backdate(settings, "created_at", timedelta(hours=8, minutes=1))  # busy all day, but 8 hours is the most
    assert (await console.get("/cases")).headers["location"] == "/sign-in"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_the_session_store_keeps_sessions_until_signed_out_idle_or_old(records_settings: Settings) -> None:
    clock = Clock()
    store = session_store_for(records_settings, timedelta(minutes=30), timedelta(hours=8))
    store = SessionStore(store._db, store.idle, store.lifetime, clock)
    try:
        first = await store.create({"staff": "amira.khan", "csrf": "t"})
        assert dict(await store.load(first)) == {"staff": "amira.khan", "csrf": "t"}
        assert await store.load("not-a-session") is None
        for _ in range(17):  # a request every 29 minutes keeps it alive, until 8 hours have passed
            clock.now += timedelta(minutes=29)
            session = await store.load(first)
            if clock.now - datetime(2026, 12, 3, 9, 0, tzinfo=UTC) >= timedelta(hours=8):
                assert session is None
                break
            assert session is not None
            await store.touch(session)
        else:
            raise AssertionError("never ended")

        second = await store.create({"staff": "ben.okafor"})
        await store.save(second, {"staff": "ben.okafor", "done": "Note added"})
        assert (await store.load(second))["done"] == "Note added"
        clock.now += timedelta(minutes=30)
        assert await store.load(second) is None  # idle for 30 minutes
        third = await store.create({"staff": "ben.okafor"})  # sweeps the expired ones
        async with store._db.transaction() as tx:
            assert await tx.fetchall("SELECT id_digest FROM staff_sessions") == [(_digest(third),)]
        await store.revoke(third)
        assert await store.load(third) is None
    finally:
        await store.close()


# --- Host and body -----------------------------------------------------------------------------------


async def test_a_foreign_host_is_refused_in_words(console: Console, dev_server, settings) -> None:
    handle = await start_case(dev_server.client, settings)
    before = len((await opened_view(handle)).timeline)
    await console.sign_in("amira.khan")
    await console.get(f"/cases/{handle.id}/note")
    for host in ("attacker.example", "attacker.example:8080", "127.0.0.1:9999", "127.0.0.1"):
        page = await console.http.get("/cases", headers={"host": host})
        assert page.status_code == 400, host
        assert "does not answer to the address" in page.text
        note = await console.http.post(
            f"/cases/{handle.id}/note", data={"text": "rebound", "csrf_token": console.csrf}, headers={"host": host},
        )
        assert note.status_code == 400
    assert len(await timeline(dev_server, handle.id)) == before
    for host in ("127.0.0.1:8080", "localhost:8080"):
        assert (await console.http.get("/cases", headers={"host": host})).status_code == 200


@pytest.mark.parametrize("scheme, secure", [("https", True), ("http", False)])
async def test_the_public_url_s_host_is_answered_and_its_scheme_makes_the_cookie_secure(
    settings, scheme: str, secure: bool,
) -> None:
    behind_proxy = web_settings(  # on loopback, as behind a reverse proxy
        settings.data_dir, settings.task_queue, oidc_issuer="https://login.example.gov.uk",
        oidc_client_id=CLIENT_ID, oidc_client_secret=CLIENT_SECRET, web_public_url=f"{scheme}://cases.example.gov.uk",
    )
    async with console_over(create_app(behind_proxy), f"{scheme}://cases.example.gov.uk") as console:
        page = await console.get("/cases")  # the page to come back to is kept: a session
        assert page.headers["location"] == "/sign-in"
        assert ("; secure" in page.headers["set-cookie"].lower()) is secure
        default_port = "443" if secure else "80"
        assert (await console.http.get("/sign-in", headers={"host": f"cases.example.gov.uk:{default_port}"})).status_code == 200
        assert (await console.http.get("/sign-in", headers={"host": "other.example.gov.uk"})).status_code == 400


async def test_a_body_over_the_limit_is_refused_before_it_is_read(console: Console, dev_server, settings) -> None:
    handle = await start_case(dev_server.client, settings)
    before = len((await opened_view(handle)).timeline)
    await console.sign_in("amira.khan")
    await console.get(f"/cases/{handle.id}/note")
    big = {"text": "x" * (LIMIT + 1), "csrf_token": console.csrf}
    page = await console.http.post(f"/cases/{handle.id}/note", data=big)  # Content-Length says so
    assert page.status_code == 413 and "too large" in page.text and "Nothing was changed" in page.text
    announced = await console.http.post(  # refused on its Content-Length alone, before a byte is read
        f"/cases/{handle.id}/note", content=f"csrf_token={console.csrf}&text=short".encode(),
        headers={"content-type": "application/x-www-form-urlencoded", "content-length": str(200 * 1024 * 1024)},
    )
    assert announced.status_code == 413 and "too large" in announced.text

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        yield f"csrf_token={console.csrf}&text=".encode()
        for _ in range(LIMIT // 1024 + 1):
            yield b"y" * 1024

    streamed = await console.http.post(
        f"/cases/{handle.id}/note", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert streamed.status_code == 413 and "too large" in streamed.text and "Nothing was changed" in streamed.text
    forged = await console.http.post(f"/cases/{handle.id}/note", data={"text": "x" * LIMIT, "csrf_token": "forged"})
    assert forged.status_code == 413  # refused before the CSRF check reads it
    assert len(await timeline(dev_server, handle.id)) == before
    fits = await console.post(f"/cases/{handle.id}/note", {"text": "a short note"})
    assert fits.status_code == 303


# --- Settings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("setting, value", [
    ("OIDC_ISSUER", "https://login.example.gov.uk"),
    ("WEB_HOST", "0.0.0.0"),
    ("WEB_PUBLIC_URL", "https://cases.example.gov.uk"),
])
def test_start_up_refuses_the_development_sign_in_beside_oidc_off_loopback_or_with_a_public_url(
    monkeypatch, setting: str, value: str,
) -> None:
    monkeypatch.setenv("DISAGREEMENT_DEV_SIGN_IN", "true")
    monkeypatch.setenv("DISAGREEMENT_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("DISAGREEMENT_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    assert settings_of(WebSettings).dev_sign_in
    monkeypatch.setenv(f"DISAGREEMENT_{setting}", value)
    with pytest.raises(SettingsError, match=f"DISAGREEMENT_DEV_SIGN_IN=true cannot be used with DISAGREEMENT_{setting}"):
        settings_of(WebSettings)


async def test_the_development_sign_in_exists_only_when_switched_on(settings) -> None:
    assert not settings_of(WebSettings).dev_sign_in  # off unless DISAGREEMENT_DEV_SIGN_IN=true
    off = web_settings(settings.data_dir, settings.task_queue, dev_sign_in=False)  # on loopback, but not switched on
    async with console_over(create_app(off)) as console:
        page = await console.get("/sign-in")
        assert "/sign-in/dev" not in page.text and "Development sign-in" not in page.text
        assert (await console.http.post("/sign-in/dev", data={"staff_id": "jo.smith"})).status_code == 404
        assert (await console.get("/cases")).headers["location"] == "/sign-in"


def test_allowed_hosts_default_to_the_bind_host_loopback_and_the_public_url() -> None:
    assert WebSettings(web_port=9000).web_hosts == ["127.0.0.1:9000", "localhost:9000"]
    assert WebSettings(web_public_url="https://cases.example.gov.uk/console").web_hosts == [
        "127.0.0.1:8080", "localhost:8080", "cases.example.gov.uk", "cases.example.gov.uk:443",
    ]
    listed = WebSettings(web_allowed_hosts="Cases.Example.gov.uk:8443, 10.0.0.5:8080")
    assert listed.web_hosts == ["cases.example.gov.uk:8443", "10.0.0.5:8080"]
    with pytest.raises(Exception, match="host or host:port"):
        WebSettings(web_allowed_hosts="bad host!")

"""`disagreement login`, `logout` and `whoami`: the command line signs staff in through the council's
identity provider (DESIGN section 12), against a provider that runs the device flow as RFC 8628 has
it (tests/oidc_provider.py), with the real program in a subprocess.

- The person confirms the code in their browser while the command polls; the command honours the
  interval and `slow_down`, and says in words (exit 4) when the code is refused or expires.
- An id_token the issuer did not sign, for another client, from another issuer, expired, or without
  a usable staff id is refused, and nothing is saved; nor is a renewed one for someone else.
- The token file is 0600 in a 0700 folder; one others can read is refused; tokens are never printed.
- An id_token about to expire is renewed with the refresh token; a refused renewal asks to sign in.
- With an identity provider, every command acts as who signed in (their roles too): `--as` and
  `--role` are ignored, said on stderr; nobody signed in: exit 4, "sign in first".
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from joserfc.jwk import RSAKey
from temporalio.testing import WorkflowEnvironment

from cli.identity_provider import IdentityProvider, SignInRefused
from cli.signing_in import signed_in_staff
from infra.identity import Role
from infra.identity import Staff as IdentifiedStaff
from infra.settings import CommandSettings
from tests.cli_helpers import PROJECT_ROOT, Outcome, Staff, staff_environment
from tests.conftest import isolated_settings, running_worker
from tests.oidc_provider import CLI_CLIENT_ID, Provider, openid_provider

pytestmark = pytest.mark.timeout(90)


@pytest_asyncio.fixture(loop_scope="session")
async def provider() -> AsyncIterator[Provider]:
    async with openid_provider() as running:
        yield running


@pytest.fixture
def token_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "disagreement" / "token.json"


@pytest.fixture
def terminal(provider: Provider, token_path: Path, tmp_path: Path) -> Staff:
    """A member of staff's terminal, with the council's identity provider set."""
    return Staff({
        "DISAGREEMENT_OIDC_ISSUER": provider.issuer,
        "DISAGREEMENT_OIDC_CLI_CLIENT_ID": CLI_CLIENT_ID,
        "DISAGREEMENT_TOKEN_FILE": str(token_path),
        "DISAGREEMENT_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
    })


async def login(terminal: Staff, provider: Provider, decision: str | None = "approve") -> Outcome:
    """`disagreement login` as a person runs it: they read the code off the terminal and, once the
    command is polling, confirm (or refuse) it at the verification page in their browser."""
    # Buffered, as output to a pipe is by default: the code must reach the person while the command waits.
    env = {**os.environ, **terminal.env, "PYTHONUNBUFFERED": None}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "starter.py", "login", cwd=PROJECT_ROOT,
        env={name: value for name, value in env.items() if value is not None},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    shown = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
    found = re.search(r"open (\S+) and enter the code (\S+)", shown)
    assert found, shown
    assert found.group(1) == f"{provider.issuer}/device"
    if decision is not None:
        polls = len(provider.polls)
        while len(provider.polls) == polls:  # it is waiting for the person: answer now
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient() as browser:
            answer = await browser.post(found.group(1), data={"user_code": found.group(2).lower(), "decision": decision})
            assert answer.status_code == 200, answer.text
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return Outcome(process.returncode, shown + stdout.decode(), stderr.decode())


def saved(token_path: Path) -> dict:
    return json.loads(token_path.read_text())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def refused_in_words(outcome: Outcome, *words: str) -> None:
    assert outcome.code == 4, (outcome.code, outcome.stdout, outcome.stderr)
    for word in words:
        assert word in outcome.said, outcome.said
    assert "Traceback" not in outcome.stderr + outcome.stdout


# --- Signing in --------------------------------------------------------------------------------------


async def test_login_signs_in_with_the_roles_the_token_gives_and_keeps_the_tokens_owner_only(
    terminal: Staff, provider: Provider, token_path: Path,
) -> None:
    provider.roles_claim = "realm_access.roles"  # Keycloak's
    provider.roles = ["send-caseworkers", "send-managers", "canteen"]
    terminal.env |= {
        "DISAGREEMENT_OIDC_ROLES_CLAIM": "realm_access.roles",
        "DISAGREEMENT_ROLE_CASE_OFFICER": "send-caseworkers",
        "DISAGREEMENT_ROLE_TEAM_MANAGER": "send-managers",
    }
    signed_in = await login(terminal, provider)

    assert signed_in.code == 0, signed_in.stderr
    assert f"(or open {provider.issuer}/device?user_code=" in signed_in.stdout
    assert signed_in.stdout.strip().splitlines()[-1] == "Signed in as jo.smith (case_officer, team_manager)"
    assert provider.slow_downs == 0 and len(provider.polls) >= 2  # pending first, and never polled too soon
    assert mode(token_path) == 0o600 and mode(token_path.parent) == 0o700
    tokens = saved(token_path)
    assert tokens["issuer"] == provider.issuer and tokens["client_id"] == CLI_CLIENT_ID

    who = await terminal.program("whoami")
    assert who.code == 0, who.stderr
    lines = who.stdout.strip().splitlines()
    assert lines[:2] == ["jo.smith", "Roles: case_officer, team_manager"]
    # In words, in England's time: "Expires: 3 December 2026 at 2:25pm".
    assert re.fullmatch(r"Expires: \d{1,2} [A-Z][a-z]+ \d{4} at (\d{1,2}(:\d\d)?(am|pm)|midday|midnight)", lines[2])
    assert len(lines) == 3
    for outcome in (signed_in, who):  # tokens are never printed
        for token in (tokens["id_token"], tokens["refresh_token"]):
            assert token not in outcome.stdout + outcome.stderr

    settings = CommandSettings(
        oidc_issuer=provider.issuer, oidc_cli_client_id=CLI_CLIENT_ID, token_file=token_path,
        oidc_roles_claim="realm_access.roles", role_case_officer=["send-caseworkers"], role_team_manager=["send-managers"],
    )
    staff = signed_in_staff(settings)  # what every other command acts as, and sends for the worker to check
    assert staff == IdentifiedStaff("jo.smith", frozenset({Role.case_officer, Role.team_manager}), verified=True)
    assert staff.token == tokens["id_token"]


async def test_a_refused_code_signs_nobody_in(terminal: Staff, provider: Provider, token_path: Path) -> None:
    refused_in_words(await login(terminal, provider, decision="deny"), "the sign-in was refused in the browser")
    assert not token_path.exists()


async def test_a_code_nobody_confirms_expires(terminal: Staff, provider: Provider, token_path: Path) -> None:
    provider.device_code_lifetime = 2
    refused_in_words(await login(terminal, provider, decision=None), "the code expired before it was confirmed")
    assert not token_path.exists()


async def test_slow_down_makes_the_command_poll_5_seconds_less_often(terminal: Staff, provider: Provider) -> None:
    provider.busy_polls = 1
    assert (await login(terminal, provider)).code == 0
    first, second = provider.polls[:2]
    assert second - first >= provider.interval + 5
    assert provider.slow_downs == 1  # the busy answer only: the longer interval was kept to


async def test_the_command_stops_waiting_on_its_own_once_the_code_has_expired(provider: Provider) -> None:
    """A provider that never says `expired_token` (here its clock is behind the command's): the
    command gives up once the code's lifetime is over, by its own clock."""
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    def polled_to_the_end() -> None:
        with IdentityProvider(provider.issuer, CLI_CLIENT_ID) as talking:
            device = talking.start_device_sign_in()
            with pytest.raises(SignInRefused, match="the code expired before it was confirmed"):
                talking.await_approval(device, sleep=sleep, clock=lambda: now[0])

    await asyncio.to_thread(polled_to_the_end)
    assert now[0] > provider.device_code_lifetime  # not before
    assert len(provider.polls) < 20 and provider.devices  # not told by the provider: its code has not expired


async def test_an_id_token_signed_by_another_key_is_refused_and_nothing_saved(
    terminal: Staff, provider: Provider, token_path: Path,
) -> None:
    provider.forge_with = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    outcome = await login(terminal, provider)
    refused_in_words(outcome, "the identity provider's id_token did not verify", "bad_signature")
    assert not token_path.exists() and "Signed in" not in outcome.stdout


@pytest.mark.parametrize("wrong, words", [
    ({"aud": "send-console"}, "invalid_claim: Invalid claim: 'aud'"),  # the console's token, not the command line's
    ({"iss": "https://login.elsewhere.example"}, "invalid_claim: Invalid claim: 'iss'"),
    ({"exp": 1_700_000_000}, "expired_token"),
])
async def test_an_id_token_for_another_client_from_another_issuer_or_expired_is_refused(
    terminal: Staff, provider: Provider, token_path: Path, wrong: dict, words: str,
) -> None:
    provider.wrong_claims = wrong
    refused_in_words(await login(terminal, provider), "the identity provider's id_token did not verify", words)
    assert not token_path.exists()


async def test_an_account_without_a_usable_staff_id_is_refused_without_naming_it(
    terminal: Staff, provider: Provider, token_path: Path,
) -> None:
    provider.claims = {"sub": "user-9", "preferred_username": "Jo Smith (SEND team)"}
    outcome = await login(terminal, provider)
    refused_in_words(outcome, "your account has no usable staff id (claim 'preferred_username'")
    assert "Jo Smith" not in outcome.stdout + outcome.stderr
    assert not token_path.exists()


async def test_login_says_which_setting_is_missing(terminal: Staff) -> None:
    no_client = await terminal.program("login", DISAGREEMENT_OIDC_CLI_CLIENT_ID=None)
    assert no_client.code == 2 and "DISAGREEMENT_OIDC_CLI_CLIENT_ID must be set" in no_client.said
    no_issuer = await terminal.program("login", DISAGREEMENT_OIDC_ISSUER=None)
    assert no_issuer.code == 2 and "DISAGREEMENT_OIDC_ISSUER is not set" in no_issuer.said


def test_the_token_file_is_in_the_config_folder_by_default(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert CommandSettings().token_path == tmp_path / ".config" / "disagreement" / "token.json"


# --- Staying signed in, and signing out --------------------------------------------------------------


async def test_a_token_others_can_read_is_refused_in_words(terminal: Staff, provider: Provider, token_path: Path) -> None:
    assert (await login(terminal, provider)).code == 0
    token_path.chmod(0o644)
    for command in (["whoami"], ["note", "DR-2026-ABCDEF", "--text", "Called the school"]):
        refused_in_words(await terminal.program(*command), "can be read or changed by other users (mode 0644)")


async def test_an_id_token_about_to_expire_is_renewed_with_the_refresh_token(
    terminal: Staff, provider: Provider, token_path: Path,
) -> None:
    provider.id_token_lifetime = 45  # within the minute before expiry in which it is renewed
    assert (await login(terminal, provider)).code == 0
    before = saved(token_path)

    who = await terminal.program("whoami")
    assert who.code == 0, who.stderr
    assert who.stdout.splitlines()[0] == "jo.smith" and provider.refreshes == 1
    after = saved(token_path)
    assert after["id_token"] != before["id_token"] and after["refresh_token"] != before["refresh_token"]
    assert after["expires_at"] >= before["expires_at"] and mode(token_path) == 0o600
    assert after["refresh_token"] not in who.stdout + who.stderr

    provider.refresh_tokens.clear()  # revoked at the provider (or its session ended)
    refused_in_words(await terminal.program("whoami"), "would not renew your sign-in (invalid_grant): sign in again")


async def test_a_renewed_token_for_someone_else_is_refused(terminal: Staff, provider: Provider) -> None:
    provider.id_token_lifetime = 45
    assert (await login(terminal, provider)).code == 0
    for person in provider.refresh_tokens.values():
        person["sub"] = "user-2"  # a provider mixing up its sessions
    refused_in_words(await terminal.program("whoami"), "renewed the sign-in for someone else: sign in again")


async def test_a_sign_in_at_another_identity_provider_is_not_used(terminal: Staff, provider: Provider) -> None:
    assert (await login(terminal, provider)).code == 0
    moved = await terminal.program("whoami", DISAGREEMENT_OIDC_ISSUER="https://login.council.example")
    refused_in_words(moved, "you signed in to another identity provider: sign in again: disagreement login")


async def test_logout_deletes_the_token_file(terminal: Staff, provider: Provider, token_path: Path) -> None:
    assert (await login(terminal, provider)).code == 0
    out = await terminal.program("logout")
    assert out.code == 0 and out.stdout.strip() == f"Signed out: deleted {token_path}"
    assert not token_path.exists()
    refused_in_words(await terminal.program("whoami"), "sign in first: disagreement login")
    again = await terminal.program("logout")
    assert again.code == 0 and "Nobody was signed in here" in again.stdout


# --- Acting as who signed in -------------------------------------------------------------------------


async def test_nobody_signed_in_acts_on_no_case(terminal: Staff) -> None:
    note = await terminal.program("note", "DR-2026-ABCDEF", "--text", "Called the school", "--as", "jo.smith")
    refused_in_words(note, "sign in first: disagreement login")


async def test_the_roles_are_the_tokens_not_the_role_option(terminal: Staff, provider: Provider) -> None:
    provider.roles = ["records_officer"]
    assert (await login(terminal, provider)).code == 0
    note = await terminal.program("note", "DR-2026-ABCDEF", "--text", "Called the school", "--role", "case_officer")
    refused_in_words(note, "not allowed: needs the case_officer or team_manager role")
    assert "--role ignored" in note.said


async def test_a_command_acts_as_who_signed_in_whatever_as_says(
    dev_server: WorkflowEnvironment, terminal: Staff, provider: Provider, tmp_path: Path,
) -> None:
    provider.claims = {"sub": "user-2", "preferred_username": "Kim.Officer"}  # read as the console reads it
    assert (await login(terminal, provider)).code == 0
    # The worker's data folder is the terminal's: the cases' data keys are in its records file.
    settings = isolated_settings(tmp_path)
    staff = Staff({**terminal.env, **staff_environment(dev_server.client.service_client.config.target_host, settings)})
    async with running_worker(dev_server.client, settings):
        case = await staff.open()  # DISAGREEMENT_STAFF_ID=jo.smith in the environment, ignored
        assert case["case_officer"] == "kim.officer"
        note = await staff.program("note", case["reference"], "--text", "Called the school", "--as", "someone.else", "--json")
        assert note.code == 0, note.stderr
        assert note.json["timeline"][-1]["actor"] == "kim.officer"
        assert "--as (DISAGREEMENT_STAFF_ID) ignored with an identity provider: acting as kim.officer" in note.said


async def test_a_worker_that_requires_it_verifies_the_signed_in_command_line(
    dev_server: WorkflowEnvironment, terminal: Staff, provider: Provider, tmp_path: Path,
) -> None:
    """The whole path: the CLI sends the id_token from `login`, the worker checks it against the
    issuer's keys, and the timeline says verified."""
    from infra.vouching import verifier_for
    from tests.conftest import RecordedNotifications
    from worker import build_worker

    provider.claims = {"sub": "user-3", "preferred_username": "kim.officer"}
    assert (await login(terminal, provider)).code == 0
    settings = isolated_settings(  # the terminal's data folder too: the cases' data keys are in its records file
        tmp_path, actor_verification="required", oidc_issuer=provider.issuer, oidc_cli_client_id=CLI_CLIENT_ID,
    )
    staff = Staff({**terminal.env, **staff_environment(dev_server.client.service_client.config.target_host, settings)})
    async with build_worker(dev_server.client, settings, RecordedNotifications(), verifier=await verifier_for(settings)):
        case = await staff.open()
        noted = await staff.json("note", case["reference"], "--text", "Called the school")
    opened, note = noted["timeline"][0], noted["timeline"][-1]
    assert (opened["actor"], opened["verified"]) == ("kim.officer", True)
    assert (note["event"], note["actor"], note["verified"]) == ("note", "kim.officer", True)

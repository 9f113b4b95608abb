"""Signing in on the command line (DESIGN section 12): `login`, `logout`, `whoami`, and who the other
commands act as.

With an identity provider (DISAGREEMENT_OIDC_ISSUER), a member of staff signs in once with a code
confirmed in their browser (cli/identity_provider.py). Their tokens are kept in the token file
(cli/token_file.py), the id_token renewed when it is about to expire; every command acts as the
staff member it names, with the roles it gives, and each update carries it for the worker to check.
Registered on the `disagreement` app (cli/app.py). Tokens are never printed.
"""

import base64
import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

import typer

from cli import token_file
from cli.app import INVALID, NOT_ALLOWED, UNREACHABLE, _stop, app
from cli.identity_provider import IdentityProvider, ProviderUnreachable, SignInRefused
from domain.calendar import LONDON
from domain.models import STAFF_ID_PATTERN
from infra.identity import Role, Staff, roles_from_claims

if TYPE_CHECKING:
    from infra.settings import CommandSettings

SIGNING_IN = "Signing in"
RENEW_BEFORE = 60  # seconds: an id_token this close to its expiry is renewed before it is sent
SIGN_IN = "disagreement login"


class SignInNeeded(Exception):
    """Nobody usable is signed in on this computer; the message says what to do."""


@app.command(rich_help_panel=SIGNING_IN)
def login() -> None:
    """Sign in through the council's identity provider: confirm the code shown here in any browser.

    Every command then acts as you, with the roles the identity provider gives you. Your sign-in is
    kept in DISAGREEMENT_TOKEN_FILE (default ~/.config/disagreement/token.json), readable by you
    alone, and renewed while the identity provider allows; `disagreement logout` forgets it.
    """
    with _in_words():
        settings = _settings()
        issuer, client_id = _provider(settings)
        with IdentityProvider(issuer, client_id) as provider:
            device = provider.start_device_sign_in()
            typer.echo(f"To sign in, open {device.verification_uri} and enter the code {device.user_code}")
            if device.verification_uri_complete:
                typer.echo(f"(or open {device.verification_uri_complete}, which carries the code)")
            typer.echo(f"Waiting for you to confirm it there (the code lasts {max(1, device.expires_in // 60)} min)...")
            tokens = provider.await_approval(device)
        staff = _staff(tokens.id_token, tokens.claims, settings)  # no usable staff id: nothing is saved
        saved = token_file.SavedSignIn(issuer, client_id, tokens.id_token, tokens.refresh_token, int(tokens.claims["exp"]))
        token_file.save(settings.token_path, saved)
    typer.echo(f"Signed in as {staff.id} ({_roles(staff)})")


@app.command(rich_help_panel=SIGNING_IN)
def logout() -> None:
    """Sign out on this computer: your sign-in (the token file) is deleted."""
    with _in_words():
        path = _settings().token_path
    if token_file.delete(path):
        typer.echo(f"Signed out: deleted {path}")
    else:
        typer.echo(f"Nobody was signed in here ({path} does not exist)")


@app.command(rich_help_panel=SIGNING_IN)
def whoami() -> None:
    """Who the commands act as: your staff id, your roles and when your sign-in token expires."""
    with _in_words():
        settings = _settings()
        saved = _current(settings)
        staff = _staff(saved.id_token, _claims(saved.id_token), settings)
    typer.echo(staff.id)
    typer.echo(f"Roles: {_roles(staff)}")
    typer.echo(f"Expires: {datetime.fromtimestamp(saved.expires_at, LONDON):%Y-%m-%d %H:%M %Z}")


def signed_in() -> Staff | None:
    """Who signed in on this computer, or None without an identity provider (development, where
    --as says who); the command stops in words when nobody usable is signed in."""
    with _in_words():
        settings = _settings()
        return signed_in_staff(settings) if settings.oidc_issuer else None


def signed_in_staff(settings: "CommandSettings") -> Staff:
    """The staff member signed in with `disagreement login`, vouched for by their id_token (renewed
    first if it expires within a minute). Raises SignInNeeded when there is no usable sign-in."""
    saved = _current(settings)
    return _staff(saved.id_token, _claims(saved.id_token), settings)


def _current(settings: "CommandSettings") -> token_file.SavedSignIn:
    issuer, client_id = _provider(settings)
    path = settings.token_path
    try:
        saved = token_file.load(path)
    except token_file.TokenFileUnreadable as problem:
        raise SignInNeeded(str(problem)) from None
    if saved is None:
        raise SignInNeeded(f"sign in first: {SIGN_IN}")
    if (saved.issuer, saved.client_id) != (issuer, client_id):
        raise SignInNeeded(f"you signed in to another identity provider: sign in again: {SIGN_IN}")
    if saved.expires_at - time.time() < RENEW_BEFORE:
        saved = _renewed(saved, settings)
        token_file.save(path, saved)
    return saved


def _renewed(saved: token_file.SavedSignIn, settings: "CommandSettings") -> token_file.SavedSignIn:
    if saved.refresh_token is None:
        raise SignInNeeded(f"your sign-in has expired: sign in again: {SIGN_IN}")
    try:
        with IdentityProvider(saved.issuer, saved.client_id) as provider:
            tokens = provider.refreshed(saved.refresh_token)
    except SignInRefused as refused:
        raise SignInNeeded(f"{refused}: sign in again: {SIGN_IN}") from None
    # A renewed id_token is for the same person (OpenID Connect Core 12.2).
    if tokens.claims.get("sub") != _claims(saved.id_token).get("sub"):
        raise SignInNeeded(f"the identity provider renewed the sign-in for someone else: sign in again: {SIGN_IN}")
    _staff(tokens.id_token, tokens.claims, settings)
    return token_file.SavedSignIn(
        saved.issuer, saved.client_id, tokens.id_token, tokens.refresh_token or saved.refresh_token,
        int(tokens.claims["exp"]),
    )


def _staff(id_token: str, claims: Mapping[str, object], settings: "CommandSettings") -> Staff:
    """The staff member an id_token names, with the roles its roles claim gives them."""
    claim = settings.oidc_staff_id_claim
    value = claims.get(claim)
    # Read as the console reads it (web/auth.py), so both record the same staff id.
    staff_id = value.strip().lower() if isinstance(value, str) else ""
    if not STAFF_ID_PATTERN.match(staff_id):
        raise SignInRefused(
            f"your account has no usable staff id (claim {claim!r}: 2 to 64 lower-case letters, digits, dots, "
            "dashes or underscores); ask your administrator"
        )
    roles = roles_from_claims(claims, settings.oidc_roles_claim, settings.role_mapping)
    return Staff(staff_id, roles, verified=True, token=id_token)


def _claims(id_token: str) -> dict:
    """A saved id_token's claims. Its signature was checked when it was saved; the worker checks it
    again with every update it carries, so reading it costs no call to the identity provider."""
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        claims = None
    if not isinstance(claims, dict):
        raise SignInNeeded(f"the saved sign-in is not one this program saved: sign in again: {SIGN_IN}")
    return claims


def _roles(staff: Staff) -> str:
    return ", ".join(role.value for role in Role if role in staff.roles) or "no roles"


def _settings() -> "CommandSettings":
    from infra.settings import CommandSettings, settings_of

    return settings_of(CommandSettings)


def _provider(settings: "CommandSettings") -> tuple[str, str]:
    """The issuer and the command line's own client there; refused in words naming what is unset."""
    from infra.settings import ENV_PREFIX, SettingsError

    if not settings.oidc_issuer:
        raise SettingsError(
            f"{ENV_PREFIX}OIDC_ISSUER is not set: there is no identity provider to sign in to "
            "(in development, say who you are with --as)"
        )
    if not settings.oidc_cli_client_id:
        raise SettingsError(
            f"{ENV_PREFIX}OIDC_CLI_CLIENT_ID must be set with {ENV_PREFIX}OIDC_ISSUER for the command line to sign "
            "in: the identity provider's public client for it, with the device flow allowed"
        )
    return settings.oidc_issuer, settings.oidc_cli_client_id


@contextmanager
def _in_words() -> Iterator[None]:
    """Each way signing in can fail, said in words with its exit code, never a traceback."""
    from infra.settings import SettingsError

    try:
        yield
    except (SignInNeeded, SignInRefused, token_file.TokenFileExposed) as problem:
        _stop(str(problem), NOT_ALLOWED)
    except ProviderUnreachable as problem:
        _stop(str(problem), UNREACHABLE)
    except SettingsError as problem:
        _stop(str(problem), INVALID)

"""Who signed in on this computer (DESIGN section 12): the staff member the saved id_token names, the
token renewed when it is about to expire. No commands: `login`, `logout` and `whoami` are
cli/login.py; every command acts as `signed_in()` says (cli/common.py). Failures are exceptions,
said in words by `cli.common.in_words`. Tokens are never printed.
"""

import base64
import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from cli import token_file
from cli.identity_provider import IdentityProvider, SignInRefused
from domain.models import STAFF_ID_PATTERN
from infra.identity import Role, Staff, roles_from_claims

if TYPE_CHECKING:
    from infra.settings import CommandSettings

RENEW_BEFORE = 60  # seconds: an id_token this close to its expiry is renewed before it is sent
SIGN_IN = "disagreement login"


class SignInNeeded(Exception):
    """Nobody usable is signed in on this computer; the message says what to do."""


def signed_in() -> Staff | None:
    """Who signed in on this computer, or None without an identity provider (development, where
    --as says who). Raises SignInNeeded when nobody usable is signed in."""
    settings = command_settings()
    return signed_in_staff(settings) if settings.oidc_issuer else None


def signed_in_staff(settings: "CommandSettings") -> Staff:
    """The staff member signed in with `disagreement login`, vouched for by their id_token (renewed
    first if it expires within a minute). Raises SignInNeeded when there is no usable sign-in."""
    saved = saved_sign_in(settings)
    return staff_of(saved.id_token, claims_of(saved.id_token), settings)


def saved_sign_in(settings: "CommandSettings") -> token_file.SavedSignIn:
    """The sign-in saved for this identity provider, renewed first if it is about to expire."""
    issuer, client_id = provider_of(settings)
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
    if tokens.claims.get("sub") != claims_of(saved.id_token).get("sub"):
        raise SignInNeeded(f"the identity provider renewed the sign-in for someone else: sign in again: {SIGN_IN}")
    staff_of(tokens.id_token, tokens.claims, settings)
    return token_file.SavedSignIn(
        saved.issuer, saved.client_id, tokens.id_token, tokens.refresh_token or saved.refresh_token,
        int(tokens.claims["exp"]),
    )


def staff_of(id_token: str, claims: Mapping[str, object], settings: "CommandSettings") -> Staff:
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


def claims_of(id_token: str) -> dict:
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


def roles_in_words(staff: Staff) -> str:
    return ", ".join(role.value for role in Role if role in staff.roles) or "no roles"


def command_settings() -> "CommandSettings":
    from infra.settings import CommandSettings, settings_of

    return settings_of(CommandSettings)


def provider_of(settings: "CommandSettings") -> tuple[str, str]:
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

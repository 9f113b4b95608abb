"""Who is signed in, what they may do, and that each form came from this console.

Staff sign in through the council's OpenID Connect provider (authlib): the id_token's signature,
issuer, audience, expiry and nonce are checked, one claim gives the staff id recorded on every
action, and another their roles (`DISAGREEMENT_OIDC_ROLES_CLAIM`, mapped by
`DISAGREEMENT_ROLE_<ROLE>`: infra/identity.py). The development sign-in (type a staff id and tick
roles, no password, unverified) is routed only when switched on (`DISAGREEMENT_DEV_SIGN_IN=true`,
loopback only, never beside OIDC: web/settings.py). The session is kept on the server
(web/sessions.py): the cookie (HttpOnly, SameSite=Lax, Secure when the public URL is https) holds
only a random id; the session holds the staff id, their roles and the CSRF token, never anything
about a family. Signing in issues a new session id; signing out deletes the session.

A page that does something calls `acting(request, act)`: a member of staff without a role for the
act is refused (`NotAllowed`, a 403 page in words) whatever links they were shown, and every update
the request sends is sent as them.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

import structlog
from authlib.integrations.starlette_client import OAuth, OAuthError
from starlette.datastructures import FormData
from starlette.requests import Request

from domain.models import STAFF_ID_PATTERN
from infra.identity import Act, Staff, acting_as, roles_from_claims, roles_named
from web.sessions import renew
from web.settings import WebSettings

log = structlog.get_logger()

STAFF = "staff"
ROLES = "roles"
VERIFIED = "verified"  # signed in through the identity provider, not the development sign-in
CSRF = "csrf"
AFTER_SIGN_IN = "after_sign_in"
CSRF_FIELD = "csrf_token"
SESSION_COOKIE = "disagreement_session"
OIDC_SCOPE = "openid profile email"


class SignInNeeded(Exception):
    """Nobody is signed in: the page sends them to sign in."""


class ForgedForm(Exception):
    """A form without this session's CSRF token."""


class SignInFailed(Exception):
    """The identity provider did not vouch for anyone we can use; the message says why, in words."""


def signed_in(request: Request) -> Staff | None:
    staff = request.session.get(STAFF)
    if staff is None:
        return None
    return Staff(staff, roles_named(request.session.get(ROLES, [])), verified=bool(request.session.get(VERIFIED)))


def staff(request: Request) -> Staff:
    """The signed-in member of staff, or SignInNeeded (remembering the page, to come back to it)."""
    who = signed_in(request)
    if who is None:
        if request.method == "GET":
            request.session[AFTER_SIGN_IN] = request.url.path  # a path: references, never personal data
        raise SignInNeeded
    return who


def acting(request: Request, act: Act) -> Staff:
    """The signed-in member of staff, once one of their roles allows the act (else NotAllowed); the
    updates this request sends carry them."""
    who = staff(request)
    who.needs(act)
    acting_as(who)
    return who


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF)
    if token is None:
        token = request.session[CSRF] = secrets.token_urlsafe(32)
    return token


class LazyCsrfToken:
    """The CSRF token for a page, made (and a session kept) only if the page has a form that needs it."""

    def __init__(self, request: Request) -> None:
        self._request = request

    def __str__(self) -> str:
        return csrf_token(self._request)

    __html__ = __str__  # the token is URL-safe: nothing to escape


async def posted(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the session's: a form with the field missing,
    empty or anything but this session's token is refused, before anything in it is used."""
    form = await request.form()
    expected = request.session.get(CSRF)
    given = form.get(CSRF_FIELD)
    if not expected or not isinstance(given, str) or not given or not hmac.compare_digest(expected, given):
        raise ForgedForm
    return form


def sign_in(request: Request, who: Staff) -> str:
    """Start a fresh session for this member of staff; returns where to go next."""
    after = request.session.get(AFTER_SIGN_IN) or "/cases"
    request.session.clear()
    renew(request)  # a new session id: one known before sign-in is worth nothing after it
    request.session.update({STAFF: who.id, ROLES: sorted(who.roles), VERIFIED: who.verified})
    csrf_token(request)
    return after if after.startswith("/") and not after.startswith("//") else "/cases"


def sign_out(request: Request) -> None:
    request.session.clear()  # an empty session is deleted from the server (web/sessions.py)


def valid_staff_id(value: object) -> str | None:
    text = str(value).strip().lower() if value is not None else ""
    return text if STAFF_ID_PATTERN.match(text) else None


class OpenIdConnect:
    """The council's identity provider, found through its discovery document."""

    def __init__(self, settings: WebSettings) -> None:
        self._claim = settings.oidc_staff_id_claim
        self._roles_claim = settings.oidc_roles_claim
        self._role_mapping = settings.role_mapping
        self._oauth = OAuth()
        assert settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret
        self._client: Any = self._oauth.register(
            name="staff",
            server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value(),
            client_kwargs={"scope": OIDC_SCOPE, "timeout": 10},
        )

    async def redirect(self, request: Request, callback: str):
        try:
            return await self._client.authorize_redirect(request, callback)
        except Exception as error:  # the provider cannot be reached or answers nonsense
            log.warning("oidc discovery failed", error=type(error).__name__)
            raise SignInFailed("the sign-in service cannot be reached; try again in a minute") from None

    async def staff(self, request: Request) -> Staff:
        """Exchange the code for tokens, check the id_token, and read the staff id and roles from it."""
        try:
            token = await self._client.authorize_access_token(request)
        except OAuthError as error:
            log.warning("oidc sign-in refused", error=error.error)
            raise SignInFailed("the sign-in service did not confirm who you are; please sign in again") from None
        except Exception as error:
            log.warning("oidc sign-in failed", error=type(error).__name__)
            raise SignInFailed("the sign-in service did not answer properly; please sign in again") from None
        claims = token.get("userinfo") or {}
        staff_id = valid_staff_id(claims.get(self._claim))
        if staff_id is None:
            raise SignInFailed(
                f"your account has no usable staff id (claim {self._claim!r}: 2 to 64 lower-case letters, digits, "
                "dots, dashes or underscores); ask your administrator"
            )
        roles = roles_from_claims(claims, self._roles_claim, self._role_mapping)
        if not roles:  # reading a case is personal data too: nobody without a role of ours gets in
            raise SignInFailed(
                f"your account has none of this service's roles (claim {self._roles_claim!r}); ask your administrator"
            )
        return Staff(staff_id, roles, verified=True)

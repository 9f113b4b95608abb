"""A small OpenID Connect provider on loopback, for the console's and the command line's sign-in tests.

It serves what a council's identity provider serves: a discovery document, a JWKS, an
authorization endpoint (the person is taken as signed in at once) and a token endpoint that checks
the client's credentials and the code, and returns an id_token signed with a test RSA key.
`forge_with` signs with another key, so a test can check that a forged token is refused.

For the command line (a public client, CLI_CLIENT_ID) it runs the device authorization grant as
RFC 8628 has it: the device authorization endpoint hands out a device code and a user code; the
person confirms or refuses the user code at the verification page (a test posts to it, as their
browser would); until then the token endpoint answers `authorization_pending`, and `slow_down`
(raising the interval by 5 seconds) to a poll sooner than the interval, `expired_token` once the
code's lifetime is over, `access_denied` once refused; each device code gives tokens once. Refresh
tokens are rotated at each use. Id_tokens carry the roles in `roles_claim` (a dotted name nests).
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from aiohttp import web
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "send-console"
CLIENT_SECRET = "test-client-secret-not-for-production"
CLI_CLIENT_ID = "send-cli"  # public: no secret
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
USER_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels, so no words (RFC 8628 6.1)


@dataclass
class DeviceGrant:
    user_code: str
    expires_at: float
    interval: int
    last_poll: float  # the first poll, too, waits an interval after the code was issued
    decision: str | None = None  # "approve" or "deny", once the person has answered


@dataclass
class Provider:
    issuer: str = ""
    claims: dict = field(default_factory=lambda: {"sub": "user-1", "preferred_username": "jo.smith"})
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "test-key"}))
    forge_with: RSAKey | None = None
    codes: dict[str, str] = field(default_factory=dict)  # code -> nonce
    token_requests: int = 0
    # The device authorization grant: what the tests set, and what they look at.
    roles_claim: str = "roles"
    roles: list[str] = field(default_factory=lambda: ["case_officer"])
    interval: int = 1
    device_code_lifetime: int = 600
    id_token_lifetime: int = 300
    busy_polls: int = 0  # answered `slow_down` whatever their timing, as a provider under load may
    wrong_claims: dict = field(default_factory=dict)  # put over the command line's id_tokens' own claims
    devices: dict[str, DeviceGrant] = field(default_factory=dict)  # device code -> grant
    refresh_tokens: dict[str, dict] = field(default_factory=dict)  # refresh token -> the person's claims
    polls: list[float] = field(default_factory=list)  # when each device code poll came
    slow_downs: int = 0
    refreshes: int = 0

    async def discovery(self, request: web.Request) -> web.Response:
        return web.json_response({
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "device_authorization_endpoint": f"{self.issuer}/device_authorization",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token", DEVICE_GRANT],
            "scopes_supported": ["openid", "profile", "offline_access"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        })

    async def jwks(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return web.Response(status=400, text="bad authorization request")
        code = secrets.token_urlsafe(16)
        self.codes[code] = query.get("nonce", "")
        raise web.HTTPFound(f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}")

    async def token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        form = await request.post()
        grant_type = form.get("grant_type")
        if grant_type in (DEVICE_GRANT, "refresh_token"):
            if form.get("client_id") != CLI_CLIENT_ID or "client_secret" in form or "Authorization" in request.headers:
                return _error("invalid_client", 401)
            return self._device_token(form) if grant_type == DEVICE_GRANT else self._refreshed(form)
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if "Authorization" in request.headers:
            basic = base64.b64decode(request.headers["Authorization"].removeprefix("Basic ")).decode()
            client_id, client_secret = basic.split(":", 1)
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return web.json_response({"error": "invalid_client"}, status=401)
        nonce = self.codes.pop(str(form.get("code")), None)
        if nonce is None or form.get("grant_type") != "authorization_code":
            return web.json_response({"error": "invalid_grant"}, status=400)
        id_token = self._id_token({"aud": CLIENT_ID, "exp": int(time.time()) + 300, "nonce": nonce, **self.claims})
        return web.json_response(
            {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        )

    async def device_authorization(self, request: web.Request) -> web.Response:
        """RFC 8628 3.1-3.2: a device code to poll with, a user code for the person to confirm."""
        form = await request.post()
        if form.get("client_id") != CLI_CLIENT_ID:
            return _error("invalid_client", 401)
        if "openid" not in str(form.get("scope", "")).split():
            return _error("invalid_scope")
        device_code = secrets.token_urlsafe(32)
        letters = "".join(secrets.choice(USER_CODE_LETTERS) for _ in range(8))
        user_code = f"{letters[:4]}-{letters[4:]}"
        now = time.monotonic()
        self.devices[device_code] = DeviceGrant(user_code, now + self.device_code_lifetime, self.interval, now)
        return web.json_response({
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": f"{self.issuer}/device",
            "verification_uri_complete": f"{self.issuer}/device?{urlencode({'user_code': user_code})}",
            "expires_in": self.device_code_lifetime,
            "interval": self.interval,
        })

    async def verification_page(self, request: web.Request) -> web.Response:
        """Where the person types the code (RFC 8628 3.3); their browser posts it to `confirm`."""
        code = escape(request.query.get("user_code", ""))
        return web.Response(content_type="text/html", text=(
            '<form method="post"><label>Code <input name="user_code" value="' + code + '"></label>'
            '<button name="decision" value="approve">Sign in</button><button name="decision" value="deny">Cancel</button></form>'
        ))

    async def confirm(self, request: web.Request) -> web.Response:
        form = await request.post()
        typed = "".join(c for c in str(form.get("user_code", "")).upper() if c.isalnum())  # dashes, spaces, case ignored
        grant = next((grant for grant in self.devices.values() if grant.user_code.replace("-", "") == typed), None)
        if grant is None or grant.decision is not None or form.get("decision") not in ("approve", "deny"):
            return web.Response(status=400, text="That code is not valid: check it and try again.")
        grant.decision = str(form["decision"])
        return web.Response(text="Done: you may close this window and go back to your terminal.")

    def _device_token(self, form) -> web.Response:
        """RFC 8628 3.4-3.5: the token endpoint polled with a device code."""
        now = time.monotonic()
        self.polls.append(now)
        device_code = str(form.get("device_code"))
        grant = self.devices.get(device_code)
        if grant is None:
            return _error("invalid_grant")
        if now >= grant.expires_at:
            del self.devices[device_code]
            return _error("expired_token")
        too_soon = now - grant.last_poll < grant.interval
        grant.last_poll = now
        if too_soon or self.busy_polls > 0:
            self.busy_polls = max(0, self.busy_polls - 1)
            self.slow_downs += 1
            grant.interval += 5  # "for this and all subsequent requests"
            return _error("slow_down")
        if grant.decision is None:
            return _error("authorization_pending")
        del self.devices[device_code]  # a device code gives tokens once
        if grant.decision == "deny":
            return _error("access_denied")
        return self._cli_tokens({"sub": self.claims["sub"]})

    def _refreshed(self, form) -> web.Response:
        person = self.refresh_tokens.pop(str(form.get("refresh_token")), None)  # rotated: each is used once
        if person is None:
            return _error("invalid_grant")
        self.refreshes += 1
        return self._cli_tokens(person)

    def _cli_tokens(self, person: dict) -> web.Response:
        refresh_token = secrets.token_urlsafe(32)
        self.refresh_tokens[refresh_token] = person
        roles: object = self.roles
        for part in reversed(self.roles_claim.split(".")[1:]):
            roles = {part: roles}
        claims = {**self.claims, **person, self.roles_claim.split(".")[0]: roles}
        id_token = self._id_token(
            {"aud": CLI_CLIENT_ID, "exp": int(time.time()) + self.id_token_lifetime, **claims, **self.wrong_claims}
        )
        return web.json_response({
            "access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": self.id_token_lifetime,
            "refresh_token": refresh_token, "id_token": id_token, "scope": "openid profile offline_access",
        })

    def _id_token(self, claims: dict) -> str:
        signer = self.forge_with or self.key
        unique = {"iss": self.issuer, "iat": int(time.time()), "jti": secrets.token_urlsafe(12)}  # two in a second differ
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, {**unique, **claims}, signer)


def _error(code: str, status: int = 400) -> web.Response:
    """An OAuth error answer (RFC 6749 5.2)."""
    return web.json_response({"error": code}, status=status, headers={"Cache-Control": "no-store"})


@asynccontextmanager
async def openid_provider() -> AsyncIterator[Provider]:
    provider = Provider()
    app = web.Application()
    app.router.add_get("/.well-known/openid-configuration", provider.discovery)
    app.router.add_get("/jwks", provider.jwks)
    app.router.add_get("/authorize", provider.authorize)
    app.router.add_post("/token", provider.token)
    app.router.add_post("/device_authorization", provider.device_authorization)
    app.router.add_get("/device", provider.verification_page)
    app.router.add_post("/device", provider.confirm)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    provider.issuer = f"http://127.0.0.1:{port}"
    try:
        yield provider
    finally:
        await runner.cleanup()

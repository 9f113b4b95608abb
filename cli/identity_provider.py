"""The council's identity provider, as the command line talks to it.

Signing in is the OAuth 2.0 device authorization grant (RFC 8628): a terminal has no browser to
redirect, so the provider shows a short code that the person confirms in any browser while the
command waits. Staying signed in is the refresh token grant. Every id_token is checked before it is
used: signed by a key the issuer publishes, issued by it, for this command line, not expired
(OpenID Connect Core 3.1.3.7; authlib's rules, as the console's sign-in checks its own).

httpx and the JOSE libraries are imported where they are used, by `login` and when a token needs
renewing: they take longer to import than a command takes to run.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SCOPE = "openid profile offline_access"  # offline_access: a refresh token, to stay signed in
DEFAULT_INTERVAL = 5  # seconds between polls when the provider names none (RFC 8628 3.2)
SLOW_DOWN_STEP = 5  # seconds added to the interval at each `slow_down` (RFC 8628 3.5)
# The provider says when a code has expired; the command stops on its own only if it never does.
EXPIRY_GRACE = 30
LEEWAY = 30  # seconds of clock difference allowed in `exp` and `iat`
TIMEOUT = 10
# Signed with the provider's published keys only: never `none`, never a shared secret.
ASYMMETRIC = re.compile(r"(RS|PS|ES)(256|384|512)|EdDSA|Ed25519")
ERROR_CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class SignInRefused(Exception):
    """The provider signed nobody in, or what it sent did not verify; the message says so in words."""


class ProviderUnreachable(Exception):
    """The provider could not be reached, or did not answer as a provider does."""


@dataclass(frozen=True)
class DeviceCode:
    """What the person is shown, and what the command polls with (RFC 8628 3.2)."""

    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: int
    interval: int


@dataclass(frozen=True)
class Tokens:
    id_token: str
    refresh_token: str | None
    claims: dict[str, Any]  # the id_token's, verified


class IdentityProvider:
    """One conversation with the provider at `issuer`, as the public client `client_id`."""

    def __init__(self, issuer: str, client_id: str) -> None:
        import httpx

        self.issuer = issuer
        self.client_id = client_id
        self._http = httpx.Client(timeout=TIMEOUT, headers={"Accept": "application/json"})
        self._metadata: dict[str, Any] = {}

    def __enter__(self) -> IdentityProvider:
        try:
            metadata = self._json(self._http_call("GET", self.issuer.rstrip("/") + "/.well-known/openid-configuration"))
        except BaseException:
            self._http.close()
            raise
        # The document must be the issuer's own (OpenID Connect Discovery 4.3): its id_tokens name it.
        if not isinstance(metadata, dict) or str(metadata.get("issuer")).rstrip("/") != self.issuer.rstrip("/"):
            self._http.close()
            raise ProviderUnreachable(f"{self.issuer} did not answer with its own discovery document")
        self._metadata = metadata
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()

    def start_device_sign_in(self) -> DeviceCode:
        endpoint = self._endpoint("device_authorization_endpoint", "the device sign-in a command line needs")
        answer = self._call(endpoint, {"client_id": self.client_id, "scope": SCOPE})
        if "error" in answer:
            raise SignInRefused(f"the identity provider would not start a sign-in ({_code(answer)})")
        try:
            device = DeviceCode(
                device_code=_text(answer["device_code"]), user_code=_text(answer["user_code"]),
                verification_uri=_text(answer["verification_uri"]),
                verification_uri_complete=_text(answer["verification_uri_complete"]) if "verification_uri_complete" in answer else None,
                expires_in=_seconds(answer["expires_in"]), interval=_seconds(answer.get("interval", DEFAULT_INTERVAL)),
            )
        except (KeyError, TypeError, ValueError):
            raise ProviderUnreachable("the identity provider's device sign-in answer is incomplete") from None
        return device

    def await_approval(
        self, device: DeviceCode, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
    ) -> Tokens:
        """Poll until the person confirms the code in their browser, refuses it, or it expires."""
        endpoint = self._endpoint("token_endpoint", "tokens")
        interval = device.interval
        give_up = clock() + device.expires_in + EXPIRY_GRACE
        while True:
            sleep(interval)
            if clock() > give_up:
                raise SignInRefused(_EXPIRED)
            answer = self._call(
                endpoint, {"grant_type": DEVICE_GRANT, "device_code": device.device_code, "client_id": self.client_id}
            )
            error = answer.get("error")
            if error is None:
                return self._tokens(answer)
            if error == "authorization_pending":
                continue
            if error == "slow_down":
                interval += SLOW_DOWN_STEP
                continue
            if error == "expired_token":
                raise SignInRefused(_EXPIRED)
            if error == "access_denied":
                raise SignInRefused("the sign-in was refused in the browser: nobody is signed in")
            raise SignInRefused(f"the identity provider refused the sign-in ({_code(answer)})")

    def refreshed(self, refresh_token: str) -> Tokens:
        """New tokens for a refresh token; SignInRefused when the provider will not renew it."""
        answer = self._call(
            self._endpoint("token_endpoint", "tokens"),
            {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": self.client_id},
        )
        if "error" in answer:
            raise SignInRefused(f"the identity provider would not renew your sign-in ({_code(answer)})")
        return self._tokens(answer)

    def _tokens(self, answer: dict[str, Any]) -> Tokens:
        id_token, refresh_token = answer.get("id_token"), answer.get("refresh_token")
        if not isinstance(id_token, str):
            raise SignInRefused("the identity provider sent no id_token: is `openid` allowed for this client?")
        return Tokens(id_token, refresh_token if isinstance(refresh_token, str) else None, self._verified(id_token))

    def _verified(self, id_token: str) -> dict[str, Any]:
        from authlib.oidc.core import IDToken
        from joserfc import jwt
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        keys = self._json(self._http_call("GET", self._endpoint("jwks_uri", "its signing keys")))
        advertised = self._metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [name for name in advertised if isinstance(name, str) and ASYMMETRIC.fullmatch(name)]
        rules = {"iss": {"essential": True, "value": self._metadata["issuer"]}, "aud": {"essential": True, "value": self.client_id}}
        try:
            token = jwt.decode(id_token, KeySet.import_key_set(keys), algorithms=algorithms)
            claims = IDToken(token.claims, token.header, rules, {"client_id": self.client_id})
            claims.validate(leeway=LEEWAY)
        except JoseError as error:
            raise SignInRefused(f"the identity provider's id_token did not verify ({error})") from None
        except (KeyError, TypeError, ValueError):
            raise ProviderUnreachable("the identity provider's signing keys (jwks_uri) are not a key set") from None
        return dict(claims)

    def _endpoint(self, name: str, what: str) -> str:
        url = self._metadata.get(name)
        if not isinstance(url, str):
            raise SignInRefused(f"the identity provider at {self.issuer} offers no {name} ({what})")
        return url

    def _call(self, url: str, form: dict[str, str]) -> dict[str, Any]:
        """A POST to the provider: its JSON answer, an OAuth error (RFC 6749 5.2) included."""
        response = self._http_call("POST", url, data=form)
        answer = self._json(response, errors_too=True)
        if not isinstance(answer, dict):
            raise ProviderUnreachable("the identity provider did not answer properly")
        return answer

    def _http_call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        import httpx

        try:
            return self._http.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            raise ProviderUnreachable(
                f"the identity provider at {self.issuer} cannot be reached ({type(error).__name__}); try again in a minute"
            ) from None

    def _json(self, response: httpx.Response, errors_too: bool = False) -> Any:
        ok = response.status_code == 200 or (errors_too and response.status_code in (400, 401))
        try:
            if ok:
                return response.json()
        except ValueError:
            pass
        raise ProviderUnreachable(f"the identity provider did not answer properly (HTTP {response.status_code})")


_EXPIRED = "the code expired before it was confirmed: run disagreement login again"


def _code(answer: dict[str, Any]) -> str:
    """The OAuth error code, and only if it looks like one: the provider's words never reach the terminal raw."""
    error = answer.get("error")
    return error if isinstance(error, str) and ERROR_CODE.fullmatch(error) else "an unknown error"


def _text(value: object) -> str:
    if not isinstance(value, str) or not value or not value.isprintable():
        raise ValueError("not printable text")
    return value


def _seconds(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 24 * 3600:
        raise ValueError("not a number of seconds")
    return value

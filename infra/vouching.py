"""Actor assertions: who sends each workflow update, vouched for by someone the worker trusts.

Every update carries, in a Temporal header (`actor-assertion`), a short-lived JWT naming the member
of staff and their roles:

- the console signs one per update with its own Ed25519 key (`console_assertion`), bound to the
  case (workflow id) and the update's name, valid for a few minutes;
- the CLI, after `disagreement login`, sends the identity provider's id_token for the staff member,
  checked against the issuer's JWKS;
- the public site (DESIGN section 14) signs one with its own Ed25519 key for a party answering
  through its link (`public_site_assertion`): the subject is the party actor (`party:<id>`), with no
  roles, bound to the case and the update; the worker accepts it only for the updates a party may
  send (workflows/names.py PUBLIC_UPDATES);
- in development (no identity provider, no keys), an unsigned statement of who and which roles
  (`development_assertion`): accepted, and recorded as unverified.

`Verifier.check` is pure: keys are handed in at start-up and the time is given, so it runs inside
the workflow sandbox (workflows/verification.py) with no I/O. Nothing here reads a family's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from infra.identity import Role, Staff, roles_from_claims, roles_named

if TYPE_CHECKING:
    from infra.settings import Settings

HEADER = "actor-assertion"
OPENING = "open"  # what a case opening's assertion names, where an update's names the update
AUDIENCE = "send-disagreement-cases"  # the case workflows, and nothing else
CONSOLE_ISSUER = "send-disagreement-console"
PUBLIC_SITE_ISSUER = "send-disagreement-public-site"
# An assertion is made for one update, sent at once: a few minutes cover a slow network and clocks
# a little apart, and a copy taken from a log is worth nothing soon after.
CONSOLE_LIFETIME = timedelta(minutes=5)
CLOCK_SKEW = timedelta(seconds=30)
OIDC_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


class AssertionRefused(Exception):
    """The update's actor is not vouched for; the reason in words, quoting nothing of the token."""


@dataclass(frozen=True)
class Vouched:
    staff: Staff  # verified=True only when a trusted signer vouched; a party actor has no roles
    by_public_site: bool = False  # the public site's word (a party answering), not staff's


# --- Making assertions (the console, the CLI) ------------------------------------------------------


def console_assertion(key: Ed25519PrivateKey, staff: Staff, case: str, update: str, now: datetime) -> str:
    """The console's word for one update by a signed-in member of staff."""
    claims = {
        "iss": CONSOLE_ISSUER, "aud": AUDIENCE, "sub": staff.id, "roles": sorted(staff.roles),
        "case": case, "update": update, "iat": int(now.timestamp()),
        "exp": int((now + CONSOLE_LIFETIME).timestamp()), "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key, algorithm="EdDSA")


def public_site_assertion(key: Ed25519PrivateKey, party_actor: str, case: str, update: str, now: datetime) -> str:
    """The public site's word for one update by a party answering through its link (`party:<id>`)."""
    claims = {
        "iss": PUBLIC_SITE_ISSUER, "aud": AUDIENCE, "sub": party_actor,
        "case": case, "update": update, "iat": int(now.timestamp()),
        "exp": int((now + CONSOLE_LIFETIME).timestamp()), "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key, algorithm="EdDSA")


def development_assertion(staff: Staff) -> str:
    """Development: who and which roles, unsigned (the worker records the actor as unverified)."""
    return jwt.encode({"sub": staff.id, "roles": sorted(staff.roles)}, None, algorithm="none")


# --- Keys --------------------------------------------------------------------------------------------


def read_private_key(path: Path) -> Ed25519PrivateKey:
    from infra.keys import read_key_file  # owner-only, as every key file of ours

    key = serialization.load_pem_private_key(read_key_file(path).encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def read_public_key(path: Path) -> Ed25519PublicKey:
    data = path.read_bytes()
    key = (
        serialization.load_pem_private_key(data, password=None).public_key()
        if b"PRIVATE KEY" in data else serialization.load_pem_public_key(data)
    )
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    return key


def write_key_pair(private_path: Path, public_path: Path) -> None:
    """A new Ed25519 key pair: the private key owner-only, never replacing an existing one."""
    import os

    key = Ed25519PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


# --- Checking them (the worker) ----------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityProvider:
    """The council's identity provider, for the CLI's tokens: its issuer, the keys of its JWKS
    (fetched at worker start), the CLI's client id (the tokens' audience) and the claims to read."""

    issuer: str
    keys: Mapping[str, jwt.PyJWK]  # by key id
    audience: str
    staff_id_claim: str = "preferred_username"
    roles_claim: str = "roles"
    role_mapping: Mapping[Role, Sequence[str]] = field(default_factory=lambda: {role: [role.value] for role in Role})


@dataclass(frozen=True)
class Verifier:
    """Development (`required=False`): any assertion is taken at its word, unverified. Required:
    only the console's key or the identity provider vouches for staff, the public site's key for a party."""

    required: bool = False
    console_keys: Sequence[Ed25519PublicKey] = ()
    provider: IdentityProvider | None = None
    public_site_keys: Sequence[Ed25519PublicKey] = ()

    def check(self, token: str | None, *, case: str, update: str, now: datetime) -> Vouched | None:
        """Who the assertion vouches for; None when development has none. Raises AssertionRefused."""
        if not self.required:
            return _taken_at_its_word(token)
        if not token:
            raise AssertionRefused("the update carries no actor assertion: send it through the console or the CLI")
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AssertionRefused("the actor assertion is not a well-formed JWT") from None
        if claims.get("iss") == CONSOLE_ISSUER:
            return self._console(token, case=case, update=update, now=now)
        if claims.get("iss") == PUBLIC_SITE_ISSUER:
            return self._public_site(token, case=case, update=update, now=now)
        if self.provider is not None and claims.get("iss") == self.provider.issuer:
            return self._provider(token, header, now=now)
        raise AssertionRefused("the actor assertion is from a signer this worker does not trust")

    def _console(self, token: str, *, case: str, update: str, now: datetime) -> Vouched:
        claims = _signed(token, self.console_keys, CONSOLE_ISSUER, "the console's key", case=case, update=update, now=now)
        return Vouched(Staff(str(claims["sub"]), roles_named(_names(claims.get("roles"))), verified=True))

    def _public_site(self, token: str, *, case: str, update: str, now: datetime) -> Vouched:
        claims = _signed(token, self.public_site_keys, PUBLIC_SITE_ISSUER, "the public site's key", case=case, update=update, now=now)
        return Vouched(Staff(str(claims["sub"]), verified=True), by_public_site=True)

    def _provider(self, token: str, header: Mapping[str, object], *, now: datetime) -> Vouched:
        provider = self.provider
        assert provider is not None
        key = provider.keys.get(str(header.get("kid"))) if header.get("kid") else next(iter(provider.keys.values()), None)
        if key is None:
            raise AssertionRefused("the sign-in token is not signed by a key of the identity provider")
        try:
            claims = _decode(token, key, OIDC_ALGORITHMS, issuer=provider.issuer, audience=provider.audience)
        except jwt.PyJWTError as problem:
            raise AssertionRefused(_refusal(problem)) from None
        _in_date(claims, now)
        staff_id = claims.get(provider.staff_id_claim)
        if not isinstance(staff_id, str):
            raise AssertionRefused(f"the sign-in token has no {provider.staff_id_claim!r} claim")
        roles = roles_from_claims(claims, provider.roles_claim, provider.role_mapping)
        return Vouched(Staff(staff_id.strip().lower(), roles, verified=True))


def _signed(
    token: str, keys: Sequence[Ed25519PublicKey], issuer: str, whose: str, *, case: str, update: str, now: datetime,
) -> dict:
    """The claims of an assertion one of our own Ed25519 keys signed (the console's, the public
    site's), for this case and this update, in date."""
    claims = None
    for key in keys:
        try:
            claims = _decode(token, key, ["EdDSA"], issuer=issuer, audience=AUDIENCE)
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as problem:
            raise AssertionRefused(_refusal(problem)) from None
    if claims is None:
        raise AssertionRefused(f"the actor assertion is not signed by {whose}")
    _in_date(claims, now)
    if claims.get("case") != case or claims.get("update") != update:
        raise AssertionRefused("the actor assertion was made for another case or another action")
    return claims


def _decode(token: str, key: object, algorithms: list[str], *, issuer: str, audience: str) -> dict:
    # The time is checked by `_in_date` against the workflow's clock, not the machine's.
    return jwt.decode(
        token, key, algorithms=algorithms, issuer=issuer, audience=audience,
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False, "require": ["exp", "iss", "aud", "sub"]},
    )


def _in_date(claims: Mapping[str, object], now: datetime) -> None:
    moment = now.timestamp()
    skew = CLOCK_SKEW.total_seconds()
    if float(claims["exp"]) + skew < moment:  # type: ignore[arg-type]
        raise AssertionRefused("the actor assertion has expired: sign in again, or send the action again")
    if "iat" in claims and float(claims["iat"]) - skew > moment:  # type: ignore[arg-type]
        raise AssertionRefused("the actor assertion is dated in the future")


def _taken_at_its_word(token: str | None) -> Vouched | None:
    if not token:
        return None
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise AssertionRefused("the actor assertion is not a well-formed JWT") from None
    issuer = claims.get("iss", CONSOLE_ISSUER)
    if issuer not in (CONSOLE_ISSUER, PUBLIC_SITE_ISSUER):
        return None  # an identity provider's token: its claims are the provider's to map, unchecked here
    subject = claims.get("sub")
    staff = Staff(str(subject), roles_named(_names(claims.get("roles"))))
    return Vouched(staff, by_public_site=issuer == PUBLIC_SITE_ISSUER) if subject else None


def _names(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _refusal(problem: jwt.PyJWTError) -> str:
    """Why a token was refused, in words that quote nothing from it."""
    if isinstance(problem, jwt.MissingRequiredClaimError):
        return f"the actor assertion has no {problem.claim!r} claim"
    if isinstance(problem, jwt.InvalidAudienceError):
        return "the actor assertion is for another audience"
    if isinstance(problem, jwt.InvalidIssuerError):
        return "the actor assertion is from another issuer"
    if isinstance(problem, jwt.InvalidAlgorithmError):
        return "the actor assertion is signed with an algorithm this worker does not accept"
    if isinstance(problem, jwt.InvalidSignatureError):
        return "the actor assertion's signature does not match"
    return "the actor assertion could not be checked"


def console_key_for(settings: Settings) -> Ed25519PrivateKey | None:
    """The console's signing key, read at start-up: none in development when no key file is there
    (its updates then carry its staff's unsigned word). Raises SettingsError naming the variable."""
    return _signing_key(settings, settings.console_key_file, settings.console_key_path, "CONSOLE_KEY_FILE", "the console")


def public_site_key_for(settings: Settings) -> Ed25519PrivateKey | None:
    """The public site's signing key, as `console_key_for` reads the console's
    (DISAGREEMENT_PUBLIC_SITE_KEY_FILE, default <data_dir>/public-site-key.pem)."""
    return _signing_key(
        settings, settings.public_site_key_file, settings.public_site_key_path, "PUBLIC_SITE_KEY_FILE", "the public site",
    )


def _signing_key(settings: Settings, given: Path | None, path: Path, variable: str, who: str) -> Ed25519PrivateKey | None:
    from infra.settings import ENV_PREFIX, SettingsError

    if given is None and not path.exists():
        if settings.actor_verification == "required":
            raise SettingsError(
                f"{ENV_PREFIX}ACTOR_VERIFICATION=required, so {who} needs its signing key: set "
                f"{ENV_PREFIX}{variable} (`python -m infra.vouching FILE` writes one)"
            )
        return None
    try:
        return read_private_key(path)
    except (OSError, ValueError) as problem:
        raise SettingsError(f"{ENV_PREFIX}{variable}: cannot read {who}'s signing key: {problem}") from None


async def verifier_for(settings: Settings) -> Verifier:
    """The worker's checker, from settings: in `required` mode, the console's public key and the
    identity provider's JWKS (fetched now: the check itself does no I/O; restart a worker to pick up a
    rotated provider key). Raises SettingsError, naming the variables, when nobody could vouch."""
    from infra.settings import ENV_PREFIX, SettingsError

    if settings.actor_verification != "required":
        return Verifier()
    console_keys = _public_keys(settings.console_public_key_file, settings.console_key_path, "CONSOLE", "the console")
    site_keys = _public_keys(
        settings.public_site_public_key_file, settings.public_site_key_path, "PUBLIC_SITE", "the public site",
    )
    provider = None
    if settings.oidc_issuer:
        if not settings.oidc_cli_client_id:
            raise SettingsError(
                f"{ENV_PREFIX}OIDC_CLI_CLIENT_ID must be set with {ENV_PREFIX}OIDC_ISSUER: the CLI's tokens name it as their audience"
            )
        provider = IdentityProvider(
            settings.oidc_issuer, await provider_keys(settings.oidc_issuer), settings.oidc_cli_client_id,
            staff_id_claim=settings.oidc_staff_id_claim, roles_claim=settings.oidc_roles_claim,
            role_mapping=settings.role_mapping,
        )
    if not console_keys and provider is None:
        raise SettingsError(
            f"{ENV_PREFIX}ACTOR_VERIFICATION=required, but nobody could vouch for an actor: set "
            f"{ENV_PREFIX}CONSOLE_PUBLIC_KEY_FILE (the console's key) and/or {ENV_PREFIX}OIDC_ISSUER"
        )
    return Verifier(required=True, console_keys=console_keys, provider=provider, public_site_keys=site_keys)


def _public_keys(given: Path | None, private: Path, variable: str, who: str) -> tuple[Ed25519PublicKey, ...]:
    """A signer's public key for the worker: its own setting, else read from the private key file beside it."""
    from infra.settings import ENV_PREFIX, SettingsError

    public = given or (private if private.exists() else None)
    if public is None:
        return ()
    try:
        return (read_public_key(public),)
    except (OSError, ValueError) as problem:
        name = f"{variable}_PUBLIC_KEY_FILE" if given else f"{variable}_KEY_FILE"
        raise SettingsError(f"{ENV_PREFIX}{name}: cannot read {who}'s key ({type(problem).__name__})") from None


async def provider_keys(issuer: str) -> dict[str, jwt.PyJWK]:
    """The identity provider's signing keys, by key id, from its discovery document's JWKS."""
    import httpx

    from infra.settings import SettingsError

    try:
        async with httpx.AsyncClient(timeout=10) as http:
            discovery = (await http.get(issuer.rstrip("/") + "/.well-known/openid-configuration")).raise_for_status().json()
            jwks = (await http.get(discovery["jwks_uri"])).raise_for_status().json()
        keys = jwt.PyJWKSet.from_dict(jwks).keys
    except (httpx.HTTPError, KeyError, ValueError, jwt.PyJWTError) as problem:
        raise SettingsError(
            f"cannot read the signing keys of DISAGREEMENT_OIDC_ISSUER ({type(problem).__name__}): is the identity provider up?"
        ) from None
    return {str(key.key_id): key for key in keys}


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m infra.vouching",
        description="Write a new Ed25519 key pair for the console (or the public site) to sign actor assertions: "
        "the private key (owner-only) for DISAGREEMENT_CONSOLE_KEY_FILE (DISAGREEMENT_PUBLIC_SITE_KEY_FILE), the "
        "public key beside it (.pub) for the workers' DISAGREEMENT_CONSOLE_PUBLIC_KEY_FILE "
        "(DISAGREEMENT_PUBLIC_SITE_PUBLIC_KEY_FILE).",
    )
    parser.add_argument("private_key", type=Path, help="where to write the private key; it must not exist yet")
    arguments = parser.parse_args(argv)
    public = arguments.private_key.with_suffix(".pub")
    try:
        write_key_pair(arguments.private_key, public)
    except FileExistsError:
        parser.exit(2, f"python -m infra.vouching: {arguments.private_key} exists already; never replaced\n")
    print(f"Wrote {arguments.private_key} (private) and {public} (public)")


if __name__ == "__main__":
    main()

"""Signing in on the command line (DESIGN section 12): `login`, `logout` and `whoami`.

With an identity provider (DISAGREEMENT_OIDC_ISSUER), a member of staff signs in once with a code
confirmed in their browser (cli/identity_provider.py). Their tokens are kept in the token file
(cli/token_file.py); who the other commands then act as is cli/signing_in.py. Tokens are never printed.
"""

from datetime import UTC, datetime

import typer

from cli import token_file
from cli.common import app, in_words
from cli.identity_provider import IdentityProvider
from cli.signing_in import claims_of, command_settings, provider_of, roles_in_words, saved_sign_in, staff_of
from domain.words import date_and_time

SIGNING_IN = "Signing in"


@app.command(rich_help_panel=SIGNING_IN)
def login() -> None:
    """Sign in through the council's identity provider: confirm the code shown here in any browser.

    Every command then acts as you, with the roles the identity provider gives you. Your sign-in is
    kept in DISAGREEMENT_TOKEN_FILE (default ~/.config/disagreement/token.json), readable by you
    alone, and renewed while the identity provider allows; `disagreement logout` forgets it.
    """
    with in_words():
        settings = command_settings()
        issuer, client_id = provider_of(settings)
        with IdentityProvider(issuer, client_id) as provider:
            device = provider.start_device_sign_in()
            typer.echo(f"To sign in, open {device.verification_uri} and enter the code {device.user_code}")
            if device.verification_uri_complete:
                typer.echo(f"(or open {device.verification_uri_complete}, which carries the code)")
            typer.echo(f"Waiting for you to confirm it there (the code lasts {max(1, device.expires_in // 60)} min)...")
            tokens = provider.await_approval(device)
        staff = staff_of(tokens.id_token, tokens.claims, settings)  # no usable staff id: nothing is saved
        saved = token_file.SavedSignIn(issuer, client_id, tokens.id_token, tokens.refresh_token, int(tokens.claims["exp"]))
        token_file.save(settings.token_path, saved)
    typer.echo(f"Signed in as {staff.id} ({roles_in_words(staff)})")


@app.command(rich_help_panel=SIGNING_IN)
def logout() -> None:
    """Sign out on this computer: your sign-in (the token file) is deleted."""
    with in_words():
        path = command_settings().token_path
    if token_file.delete(path):
        typer.echo(f"Signed out: deleted {path}")
    else:
        typer.echo(f"Nobody was signed in here ({path} does not exist)")


@app.command(rich_help_panel=SIGNING_IN)
def whoami() -> None:
    """Who the commands act as: your staff id, your roles and when your sign-in token expires."""
    with in_words():
        settings = command_settings()
        saved = saved_sign_in(settings)
        staff = staff_of(saved.id_token, claims_of(saved.id_token), settings)
    typer.echo(staff.id)
    typer.echo(f"Roles: {roles_in_words(staff)}")
    typer.echo(f"Expires: {date_and_time(datetime.fromtimestamp(saved.expires_at, UTC))}")

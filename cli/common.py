"""What every command of `disagreement` shares (DESIGN section 6): the app they register on, the
exit codes, the options most take, who is acting, and talking to the cases.

Below every command module (cli/app.py, cli/records.py, cli/login.py), which import it and never
each other; cli/main.py assembles them. Exit codes: 0 done; 2 a request that is invalid or that
the case refuses; 1 the server cannot be reached; 4 not allowed (a role missing, nobody signed in,
or an erasure approved by its asker).
"""

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from cli import parsing, render, token_file
from cli.identity_provider import ProviderUnreachable, SignInRefused
from cli.signing_in import SignInNeeded, signed_in
from infra.identity import Act, NotAllowed, Role, Staff, acting_as

if TYPE_CHECKING:
    from cases.client import Cases

T = TypeVar("T")

INVALID = 2
UNREACHABLE = 1
NOT_ALLOWED = 4  # signed in, without the role the command needs
STAFF_ID_VARIABLE = "DISAGREEMENT_STAFF_ID"


class _PlainHelp:
    """typer's help without labels nobody types: no `<bool>` after --help, no `<str>` after REF and
    no braces around it in the usage line."""

    def get_help_option(self, ctx: typer.Context) -> TyperOption | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""
        return option


class _Command(_PlainHelp, TyperCommand):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument):
                param.__class__ = _Argument


class _Group(_PlainHelp, TyperGroup):
    pass


class _Argument(TyperArgument):
    def display_type_rich(self, ctx: typer.Context) -> None:
        return None

    def _usage_display_name(self) -> str:
        return self.display_name_raw


class _Typer(typer.Typer):
    def command(self, *args, **kwargs):
        return super().command(*args, cls=_Command, **kwargs)


app = _Typer(  # every command registers on it: cli/app.py, cli/records.py, cli/login.py; cli/main.py runs it
    name="disagreement",
    cls=_Group,
    help=(
        "Run SEND disagreement resolution cases (DR-...) and statutory mediation cases (MD-...), "
        "from opening to closure and the end of the family's appeal clock.\n\n"
        "Each case has a reference such as DR-2026-7KQ3XZ or MD-2026-7KQ3XZ. Sign in with `disagreement login` "
        f"(or, in development, say who you are with --as or {STAFF_ID_VARIABLE}). "
        "Add --json to any command for output that a script can read."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",  # paragraphs reflow; single line breaks in docstrings do not show
    pretty_exceptions_enable=False,
)


# --- Options shared by the commands ------------------------------------------------------------------

Reference = Annotated[
    str, typer.Argument(metavar="REF", parser=parsing.reference, help="The case reference, e.g. DR-2026-7KQ3XZ.")
]
Actor = Annotated[
    str | None,
    typer.Option(
        "--as", metavar="STAFF_ID", envvar=STAFF_ID_VARIABLE, parser=parsing.staff_id,
        help="Your staff id, recorded against what you do. Development only: with an identity provider, "
        "you are who signed in (`disagreement login`).",
    ),
]
Roles = Annotated[
    list[Role] | None,
    typer.Option(
        "--role", metavar="ROLE",
        help=f"Your role, once for each ({', '.join(Role)}); case_officer by default. Development only: unverified.",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", metavar="", help="Print the case as JSON instead of tables.")]
Verbose = Annotated[
    bool, typer.Option("--verbose", metavar="", help="Print the whole case, not only what was done and the next step."),
]


# --- Acting on cases ---------------------------------------------------------------------------------


def acting(actor: str | None, roles: list[Role] | None, act: Act = Act.case_work) -> str:
    """Who is acting: their staff id, once their roles allow the act (the worker checks again). Every
    update this command sends carries them (infra/identity.py). With an identity provider, whoever
    signed in with `disagreement login`; without one (development), whoever --as says, unverified."""
    with in_words():
        staff = signed_in()
    if staff is None:
        if actor is None:
            stop(f"say who you are: give --as STAFF_ID or set {STAFF_ID_VARIABLE}", INVALID)
        staff = Staff(actor, frozenset(roles or [Role.case_officer]), verified=False)
    elif actor is not None or roles:
        ignored = " and ".join(name for name, given in ((f"--as ({STAFF_ID_VARIABLE})", actor), ("--role", roles)) if given)
        typer.echo(f"Note: {ignored} ignored with an identity provider: acting as {staff.id}, who signed in", err=True)
    try:
        staff.needs(act)
    except NotAllowed as refusal:
        stop(str(refusal), NOT_ALLOWED)
    acting_as(staff)
    return staff.id


def with_cases(work: Callable[["Cases"], Awaitable[T]]) -> T:
    # Imported here: the Temporal client is slow to import, and --help or a typing mistake needs none.
    from cases import client as cases
    from infra.settings import SettingsError

    try:
        return cases.run(work)
    except NotAllowed as refusal:  # the worker's check, or a step that needs a second person (records/decisions.py)
        stop(str(refusal), NOT_ALLOWED)
    except cases.Refused as problem:
        # The case names the request's field that would lift its rule; here that field is a flag.
        unless = f" (--{problem.unless.replace('_', '-')})" if problem.unless else ""
        stop(f"{problem}{unless}", INVALID)
    except SettingsError as problem:
        stop(str(problem), INVALID)
    except cases.Unreachable as problem:
        stop(str(problem), UNREACHABLE)


def stop(message: str, code: int) -> NoReturn:
    render.error(message)
    raise typer.Exit(code)


@contextmanager
def in_words() -> Iterator[None]:
    """Each way signing in can fail, said in words with its exit code, never a traceback."""
    from infra.settings import SettingsError

    try:
        yield
    except (SignInNeeded, SignInRefused, token_file.TokenFileExposed) as problem:
        stop(str(problem), NOT_ALLOWED)
    except ProviderUnreachable as problem:
        stop(str(problem), UNREACHABLE)
    except SettingsError as problem:
        stop(str(problem), INVALID)

"""The records commands (DESIGN sections 10 and 12): closed cases, legal holds, subject access, and
erasure, asked for by one records officer and approved by another.

Registered on the `disagreement` app (cli/common.py). Closed cases are read from the records store
(cli/closed_cases.py); the steps themselves are records/decisions.py, shared with the console. Nothing here prints personal
data except `export`, which exists to give a person their own.
"""


from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli import parsing
from cli.closed_cases import with_records
from cli.common import INVALID, Actor, AsJson, Reference, Roles, acting, app, stop, with_cases
from cli.render import Column, _console, _print_json, fitted
from domain.calendar import london_date
from domain.words import counted, long_date
from infra.identity import Act, Role

if TYPE_CHECKING:
    from cases.client import Cases
    from records.models import LegalHold, RecordsRequest

RECORDS = "Records of closed cases"
Reason = Annotated[str, typer.Option(metavar="TEXT", help="Why, in words; kept with the record (name nobody).")]


@app.command(rich_help_panel=RECORDS)
def hold(reference: Reference, reason: Reason, actor: Actor = None, role: Roles = None) -> None:
    """Place a legal hold on a case: its record is kept past its date until the hold is released.

    For a complaint, a Tribunal appeal, a court case or an information request in progress.
    """
    request = _records_request(actor, role, reason)

    async def place(cases: "Cases") -> str:
        from records.decisions import place_hold

        await place_hold(cases, reference, request)
        return (
            f"Case {reference} is on legal hold: the purge will keep it until it is released. While it is open,"
            " its view is copied to the records now and on every change."
        )

    typer.echo(with_cases(place))


@app.command(rich_help_panel=RECORDS)
def release(reference: Reference, reason: Reason, actor: Actor = None, role: Roles = None) -> None:
    """Release a legal hold. A record past its date is deleted by the next daily purge.

    An open case is no longer copied; the copy made while it was held stays until the case's own
    record replaces it when it closes.
    """
    request = _records_request(actor, role, reason)

    async def lift(cases: "Cases") -> str:
        from records.decisions import release_hold

        await release_hold(cases, reference, request)
        return f"Case {reference} is no longer on legal hold."

    typer.echo(with_cases(lift))


@app.command(rich_help_panel=RECORDS)
def holds(as_json: AsJson = False) -> None:
    """List the legal holds, and the held cases the daily purge found missing from Temporal."""
    found = with_records(lambda records: records.holds())
    if as_json:
        _print_json([held.model_dump(mode="json") for held in found])
        return
    console = _console()
    if not found:
        console.print("No case is on legal hold.")
        return
    rows = [
        [held.reference, long_date(london_date(held.placed_at)), held.placed_by, held.reason, _kept(held)] for held in found
    ]
    columns = [Column("Reference", 0), Column("Placed", 0), Column("By", 1), Column("Reason", 0), Column("Kept", 0)]
    console.print(fitted(console, counted(len(found), "legal hold"), columns, rows))


def _kept(held: "LegalHold") -> str:
    """What the hold keeps: a missing case's held copy is all there is of it."""
    copied = f"held copy from {long_date(london_date(held.held_copy_from))}" if held.held_copy_from else "no held copy"
    if held.missing_since:
        return f"case missing from Temporal: {copied}"
    return f"open case, {copied}" if held.held_copy_from else ""


@app.command(rich_help_panel=RECORDS)
def erase(reference: Reference, reason: Reason, actor: Actor = None, role: Roles = None) -> None:
    """Ask for a closed case's record to be erased before its date (an erasure request, UK GDPR art. 17).

    The same checks as the daily purge: the case is closed and not on legal hold. Nothing is erased
    yet: a second records officer approves it with `approve-erase`.
    """
    request = _records_request(actor, role, reason)

    async def ask(cases: "Cases") -> str:
        from records.decisions import ask_erasure

        await ask_erasure(cases, reference, request)
        return (
            f"Erasure of case {reference} asked for; nothing is erased yet. A second records officer "
            f"approves it with `disagreement approve-erase {reference}`."
        )

    typer.echo(with_cases(ask))


@app.command("approve-erase", rich_help_panel=RECORDS)
def approve_erase(reference: Reference, actor: Actor = None, role: Roles = None) -> None:
    """Approve an erasure another records officer asked for: the case's record is erased now.

    Its history is deleted from Temporal too. The deletion log keeps the reference, the date, the
    reason and both records officers.
    """
    approver = acting(actor, role, Act.records)

    async def remove(cases: "Cases") -> str:
        from records.decisions import approve_erasure

        entry, messages = await approve_erasure(cases, reference, approver)
        outbox = f", with its {counted(messages, 'message file')} in the outbox" if messages else ""
        return (
            f"Case {reference} is erased{outbox}; the deletion log keeps its reference, today's date, the "
            f"reason, and who asked ({entry.requested_by}) and approved ({entry.deleted_by})."
        )

    typer.echo(with_cases(remove))


@app.command(rich_help_panel=RECORDS)
def export(
    email: Annotated[str | None, typer.Option(metavar="EMAIL", parser=parsing.email, help="The person's email.")] = None,
    phone: Annotated[str | None, typer.Option(metavar="PHONE", parser=parsing.phone, help="Their phone number.")] = None,
    out: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Where to write the JSON (the readable .txt goes beside it)."),
    ] = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
) -> None:
    """Gather every case, open or closed, in which a person is a party, supporter or mediator.

    Writes one JSON file and a readable document for a subject access request (UK GDPR art. 15).
    Other people's names and contact details are withheld; read it before sending it.
    """
    exporter = acting(actor, role, Act.records)
    if not email and not phone:
        stop("say whom to look for: --email and/or --phone", INVALID)
    from records.access import SubjectAccessExport, export_logged, readable

    exported, _ = with_cases(lambda cases: export_logged(cases, email, phone, exporter))
    path = out or Path(f"subject-access-{exported.generated_at:%Y%m%d-%H%M%S}.json")
    text_path = path.with_suffix(".txt")
    try:
        _write_private(path, exported.model_dump_json(indent=2))
        _write_private(text_path, readable(exported))
    except OSError as error:
        stop(f"cannot write the export to {path}: {error.strerror}", INVALID)
    if as_json:
        _print_json(SubjectAccessExport.model_validate(exported).model_dump(mode="json"))
        return
    references = ", ".join(case.reference for case in exported.cases) or "none"
    typer.echo(f"{counted(len(exported.cases), 'case')}: {references}\nWrote {path} and {text_path}")


def _records_request(actor: str | None, roles: "list[Role] | None", reason: str) -> "RecordsRequest":
    # Imported here: records.models brings the whole case model, which `show` and `list` never need.
    from records.models import RecordsRequest

    return parsing.build(RecordsRequest, actor=acting(actor, roles, Act.records), reason=reason)


def _write_private(path: Path, text: str) -> None:
    """The export holds personal data: owner-only, like the data folder."""
    import os

    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)

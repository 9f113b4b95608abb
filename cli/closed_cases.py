"""Closed cases and legal holds, read from the records store alone (DESIGN section 10): without
Temporal, so they can be listed while the Temporal server is down. Used by `list --closed`
(cli/app.py) and the records commands (cli/records.py).
"""

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from cli.common import INVALID, UNREACHABLE, stop
from cli.render import Column, _console, _print_json, fitted
from domain.calendar import london_date
from domain.models import CaseOutcome, Route
from domain.words import OUTCOME_WORDS, counted, kinds_words, long_date

if TYPE_CHECKING:
    from records.models import ClosedCaseSummary
    from records.store import RecordsStore

T = TypeVar("T")


def list_closed(
    outcome: CaseOutcome | None, closed_after: date | None, closed_before: date | None, officer: str | None,
    route: Route | None, as_json: bool,
) -> None:
    """`list --closed`: from the records' plain columns, nothing decrypted, and without Temporal:
    closed cases can be listed while the Temporal server is down."""
    found = with_records(lambda records: records.closed(outcome, closed_after, closed_before, route, officer))
    if as_json:
        _print_json([summary.model_dump(mode="json") for summary in found])
        return
    _print_closed(found)


def with_records(work: Callable[["RecordsStore"], Awaitable[T]]) -> T:
    """Work on the records store alone; its problems said as `with_cases` says them."""
    import asyncio

    from infra.settings import CommandSettings, SettingsError, settings_of
    from records.database import RecordsUnavailable
    from records.store import records_store_for

    async def working() -> T:
        store = records_store_for(settings_of(CommandSettings))  # afresh, as for every command
        try:
            return await work(store)
        finally:
            await store.close()

    try:
        return asyncio.run(working())
    except SettingsError as problem:
        stop(str(problem), INVALID)
    except RecordsUnavailable as problem:
        stop(str(problem), UNREACHABLE)


def _print_closed(found: "list[ClosedCaseSummary]") -> None:
    console = _console()
    if not found:
        console.print("No closed cases match.")
        return
    rows = [
        [
            summary.reference, OUTCOME_WORDS[summary.outcome] if summary.outcome else "", kinds_words(summary.kinds),
            summary.case_officer or "", long_date(london_date(summary.closed_at)),
            f"{long_date(summary.delete_after)} (on hold)" if summary.on_hold else long_date(summary.delete_after),
        ]
        for summary in found
    ]
    columns = [
        Column("Reference", 0), Column("Outcome", 0), Column("Kinds", 2, spare=True), Column("Officer", 1), Column("Closed", 0),
        Column("Delete after", 0),
    ]
    console.print(fitted(console, counted(len(found), "closed case"), columns, rows))

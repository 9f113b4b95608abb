"""Closed cases and legal holds, read from the records store alone (DESIGN section 10): without
Temporal, so they can be listed while the Temporal server is down. Used by `list --closed`
(cli/app.py) and the records commands (cli/records.py).
"""

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from cli.common import INVALID, UNREACHABLE, stop
from cli.render import _console, _print_json, _table
from domain.models import CaseOutcome, Route

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
    """Work on the records store alone; its problems said as `_with_cases` says them."""
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
    table = _table("Reference", "Outcome", "Kinds", "Officer", "Closed", "Delete after", title=f"{len(found)} closed case(s)")
    for summary in found:
        table.add_row(
            summary.reference, summary.outcome.value if summary.outcome else "", ", ".join(summary.kinds),
            summary.case_officer or "", f"{summary.closed_at:%Y-%m-%d}",
            f"{summary.delete_after} (on hold)" if summary.on_hold else str(summary.delete_after),
        )
    console.print(table)

"""The worker's count of overdue duties, for operators' alerts (ops/prometheus/alerts.yml).

Every `interval` the worker reads every open duty from visibility (`Cases.due`: each case's
`OpenDuties`, one query, no case asked) and sets two gauges by route and kind of duty: the duties
overdue, and those overdue by more than `LONG_OVERDUE_WORKING_DAYS` working days (England's working
days, domain/calendar.py, as the officer's due list counts them). A duty no longer overdue is set
back to 0, not left at its last value.

A count that fails is tried again a few times with backoff, then logged as an error; the gauges
keep their last values, and `disagreement_duties_overdue_counted_at` (when the last count
succeeded) stops moving, which an alert watches. The count never stops the worker: the cases go on.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

import structlog
from temporalio.client import Client
from temporalio.common import MetricMeter
from temporalio.service import RPCError

from cases.client import Cases
from domain.calendar import london_date
from domain.duties import duty_kind
from infra.settings import Settings

log = structlog.get_logger(__name__)

OVERDUE = "disagreement_duties_overdue"
LONG_OVERDUE = "disagreement_duties_overdue_long"
COUNTED_AT = "disagreement_duties_overdue_counted_at"
# "A duty overdue by more than 2 working days" (issue 21): long enough for a day's slip to be caught
# by the officer's own due list first.
LONG_OVERDUE_WORKING_DAYS = 2
ATTEMPTS = 3
FIRST_RETRY_SECONDS = 2.0

Labels = tuple[str, str]  # route, kind of duty


class OverdueGauges:
    def __init__(self, meter: MetricMeter) -> None:
        self._overdue = meter.create_gauge(OVERDUE, "Open duties past their due date, by route and kind of duty")
        self._long = meter.create_gauge(
            LONG_OVERDUE,
            f"Open duties overdue by more than {LONG_OVERDUE_WORKING_DAYS} working days, by route and kind of duty",
        )
        self._counted_at = meter.create_gauge(COUNTED_AT, "When the overdue duties were last counted (Unix time)", "s")
        self._seen: set[Labels] = set()

    def set(self, overdue: Counter[Labels], long_overdue: Counter[Labels], at: datetime) -> None:
        self._seen |= set(overdue)
        for route, duty in sorted(self._seen):
            labels = {"route": route, "duty": duty}
            self._overdue.set(overdue[route, duty], labels)
            self._long.set(long_overdue[route, duty], labels)
        self._counted_at.set(int(at.timestamp()))


async def count_once(cases: Cases, gauges: OverdueGauges) -> None:
    now = datetime.now(UTC)
    duties = [duty for duty in await cases.due(None, None, london_date(now)) if duty.overdue]
    overdue: Counter[Labels] = Counter((duty.route.value, duty_kind(duty.duty)) for duty in duties)
    long_overdue: Counter[Labels] = Counter(
        (duty.route.value, duty_kind(duty.duty)) for duty in duties if -duty.working_days_left > LONG_OVERDUE_WORKING_DAYS
    )
    gauges.set(overdue, long_overdue, now)


async def keep_counting(client: Client, settings: Settings, meter: MetricMeter) -> None:
    """Count every `DISAGREEMENT_OVERDUE_COUNT_SECONDS` until cancelled (with the worker)."""
    cases, gauges = Cases(client, settings), OverdueGauges(meter)
    while True:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await count_once(cases, gauges)
                break
            except (RPCError, TimeoutError) as error:
                if attempt == ATTEMPTS:
                    log.error("could not count the overdue duties", attempts=attempt, error=type(error).__name__,
                              detail=getattr(error, "message", ""))
                else:
                    await asyncio.sleep(FIRST_RETRY_SECONDS * 2 ** (attempt - 1))
            except Exception as error:  # noqa: BLE001 - a fault of ours: said at once, tried again next time
                # Its type only: the text could carry what a case holds. The counting goes on, and
                # OverdueCountStale fires while it keeps failing (ops/prometheus/alerts.yml).
                log.error("could not count the overdue duties", attempts=attempt, error=type(error).__name__)
                break
        await asyncio.sleep(settings.overdue_count_seconds)

"""The cases a report counts (domain/report.py), read the same way for the command line (`disagreement
report`) and the console's Reports page, so both show the same numbers.

Running cases come from Temporal: every case on the task queue that visibility lists as running, asked
for its view (`Cases.running_views`). Which of them counts where is the domain's rule; visibility cannot
narrow them down beforehand, because a run continued as new starts later than its case opened, and a
duty already settled is in no search attribute. Closed cases come from the records store, decrypted
(`RecordsStore.closed_views`): all of them, as a case closed before the period may still have a duty
due in it (a certificate issued early) and one closed after it may have opened in it. A case closed
but still running (its family's appeal clock) is read from Temporal, as it stands now.
"""

from __future__ import annotations

from datetime import date

from cases.client import Cases
from domain.models import Route
from domain.report import Period, Report, report


async def case_report(cases: Cases, period: Period, today: date, route: Route | None = None) -> Report:
    running = await cases.running_views(route)
    closed, unreadable = await cases.records.closed_views(route)
    live = {view.reference for view in running}
    views = running + [view for view in closed if view.reference not in live]
    return report(views, period, today, route, unreadable=unreadable)

"""One page of the Cases list, soonest next deadline first, without reading every case.

The dev server's SQL visibility cannot ORDER BY a custom search attribute, so the list was once read
whole and sorted in the client: seconds at 5,000 open cases (BENCHMARKS.md). Counting is cheap
where listing is not, so a page is found by counting instead. With f(d) the number of matching cases
whose next deadline is due before day d (which only grows with d), the cases at ranks
[start, start + size) are those due in [L, U), where U is the first day f reaches start + size and L
the day before f first passes start. Only that window is listed, then sorted as the whole list
would be (`by_next_deadline`): ties within a day by reference, and cases with no deadline last.
The window is whole days, so a day with hundreds of deadlines is read whole for any page it touches.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

# The days a search may reach: beyond them every matching case's deadline is already counted (dates
# staff give stay within 2014-2099, domain.models.CaseDate), so a count that never reaches its
# target (cases closing while it runs) ends at the bound rather than looping.
EARLIEST, LATEST = date(1900, 1, 1), date(2200, 12, 31)

CountBefore = Callable[[date], Awaitable[int]]


async def first_day_reaching(count_before: CountBefore, target: int, today: date) -> date:
    """The first day d with `count_before(d) >= target`: galloping out from today by doubling steps,
    then halving the last step. Days near today are where most deadlines fall, so a page costs a
    handful of counts whatever the caseload."""
    if await count_before(today) >= target:  # the day is at or before today: gallop back
        reached, step = today, 1
        while (earlier := max(today - timedelta(days=step), EARLIEST)) > EARLIEST and await count_before(earlier) >= target:
            reached, step = earlier, step * 2
        short = earlier  # count_before(short) < target, or the bound
    else:  # after today: gallop on
        short, step = today, 1
        while (later := min(today + timedelta(days=step), LATEST)) < LATEST and await count_before(later) < target:
            short, step = later, step * 2
        reached = later
    while (reached - short).days > 1:  # count_before(short) < target <= count_before(reached)
        middle = short + timedelta(days=(reached - short).days // 2)
        if await count_before(middle) >= target:
            reached = middle
        else:
            short = middle
    return reached


async def window(
    count_before: CountBefore, start: int, size: int, dated: int, today: date,
) -> tuple[date | None, date | None, int]:
    """For the cases at ranks [start, start + size) among `dated` cases with a next deadline: the
    first day due to read (None: from the earliest), the day to stop before (None: to the latest),
    and how many cases come before the first day. A bound the page does not need is not searched
    for: an officer's own cases, fewer than a page, need no day searched."""

    counts: dict[date, asyncio.Task[int]] = {}

    def counted(day: date) -> asyncio.Task[int]:  # each day counted once: both searches start from today
        if day not in counts:
            counts[day] = asyncio.ensure_future(count_before(day))
        return counts[day]

    async def end() -> date | None:
        return None if start + size >= dated else await first_day_reaching(counted, start + size, today)

    if start == 0:
        return None, await end(), 0
    # Not a TaskGroup: a count's own error (the server away) is what callers handle, not a group of them.
    searches = [asyncio.ensure_future(end()), asyncio.ensure_future(first_day_reaching(counted, start + 1, today))]
    try:
        last, after_first = await asyncio.gather(*searches)
    finally:
        for search in searches:
            search.cancel()  # the other search, when one failed
    first = after_first - timedelta(days=1)  # fewer than start + 1 are due before it: counted already
    return first, last, await counted(first)

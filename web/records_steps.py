"""The records steps in the console, for records officers (DESIGN sections 10 and 12): place or
release a legal hold, ask for a record to be erased, and approve an erasure another records officer
asked for. The steps are records/decisions.py, as the command line takes them; the role is checked
on every request (`Act.records`), the second officer by the approval itself (`NotAllowed`: 403).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from cases.client import Cases, Refused
from domain.models import CaseView
from infra.identity import Act, Staff
from records.decisions import approve_erasure, ask_erasure, place_hold, release_hold
from records.models import ArchivedCaseView, ErasureRequest, RecordsRequest
from web import auth
from web.forms import FormErrors, build, first_field, text

if TYPE_CHECKING:
    from cases.client import CaseService

log = structlog.get_logger()

REASON = "reason"
APPROVE_BUTTON = "approve"  # where the error summary links when approval is refused: the page has no field


@dataclass(frozen=True)
class Step:
    slug: str  # the page: /cases/<reference>/<slug>
    title: str
    intro: str
    button: str
    done: str  # said on the next page (no personal data); `{reference}` is the case's
    take: Callable[[Cases, str, RecordsRequest], Awaitable[None]] | None  # None: the approval, which has no reason
    after: str = "/cases/{reference}"  # where to go next


HOLD = Step(
    "hold", "Place a legal hold",
    "A legal hold keeps the case's record past its delete-after date (a complaint, a Tribunal appeal, a court case "
    "or an information request in progress) until the hold is released.",
    "Place the hold", "Legal hold placed", place_hold,
)
RELEASE = Step(
    "release", "Release the legal hold",
    "Once the hold is released, a record past its delete-after date is deleted by the next daily purge.",
    "Release the hold", "Legal hold released", release_hold,
)
ERASE = Step(
    "erase", "Ask for the record to be erased",
    "Nothing is erased yet: a second records officer approves the erasure. The daily purge's checks apply: the "
    "case has finished and is not on legal hold.",
    "Ask for erasure", "Erasure asked for: a second records officer approves it", ask_erasure,
)
APPROVE = Step(
    "approve-erasure", "Approve erasure",
    "The case's record, its history in Temporal and its message files are erased now, for good. The deletion "
    "log keeps the reference, the date, the reason and both records officers.",
    "Approve erasure", "Case {reference} erased", None, after="/cases/closed",  # the case page is gone
)
STEPS = (HOLD, RELEASE, ERASE, APPROVE)


@dataclass(frozen=True)
class RecordsPanel:
    """What the case page offers a records officer, and any erasure asked for."""

    steps: list[Step]
    asked: ErasureRequest | None


async def offered(cases: Cases, case: CaseView, staff: Staff) -> RecordsPanel:
    """The steps that fit the case now (each one checks again when taken): a hold or its release; for an
    archived case not on hold, an erasure to ask for, or to approve if someone else asked."""
    held = any(hold.reference == case.reference for hold in await cases.records.holds())
    asked = await cases.records.erasure_request(case.reference)
    steps = [RELEASE if held else HOLD]
    if isinstance(case, ArchivedCaseView) and not held:
        if asked is None:
            steps.append(ERASE)
        elif asked.requested_by != staff.id:
            steps.append(APPROVE)
    return RecordsPanel(steps, asked)


def routes(page: Callable[..., Response], service: CaseService, reference_of: Callable[[Request], str]) -> list[Route]:
    """A page for each step (`page`, `service` and `reference_of` are the console's own)."""

    def handler(step: Step):
        async def take(request: Request) -> Response:
            staff = auth.acting(request, Act.records)
            reference = reference_of(request)
            cases = await service.cases()
            asked = await cases.records.erasure_request(reference)

            def show(status: int = 200, errors: dict[str, str] | None = None, values: dict | None = None) -> Response:
                return page(
                    request, "records_step.html", status, title=step.title, step=step, reference=reference,
                    asked=asked, errors=errors or {}, values=values or {}, first=REASON if step.take else APPROVE_BUTTON,
                )

            if request.method == "GET":
                return show()
            fields = await auth.posted(request)
            values = {REASON: fields.get(REASON, "")}
            try:
                if step.take is None:
                    await approve_erasure(cases, reference, staff.id)
                else:
                    decided = build(RecordsRequest, first_field, {REASON: "Reason"}, actor=staff.id, reason=text(fields, REASON) or "")
                    await step.take(cases, reference, decided)
            except FormErrors as invalid:
                return show(400, invalid.errors, values)
            except Refused as refused:
                return show(409, {"": str(refused)[:1].upper() + str(refused)[1:]}, values)
            log.info("records step", reference=reference, step=step.slug, staff=staff.id)
            request.session["done"] = step.done.format(reference=reference)
            return RedirectResponse(step.after.format(reference=reference), 303)

        return take

    return [Route(f"/cases/{{reference}}/{step.slug}", handler(step), methods=["GET", "POST"]) for step in STEPS]

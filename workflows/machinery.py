"""What both case workflows share: alarms, deadline planning, the appeal clock, notifications and
visibility, applied to a domain case file (`domain.case.CaseFile`).

A route's workflow (DisagreementCase, MediationCase) subclasses `CaseWorkflow`, opens its case, and
adds the updates only it has. The domain says what an action does; the machinery here checks it
(validators reject before history), plans deadlines in an activity before the case changes, queues
each message once, and keeps search attributes and the Web UI's details in step.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

with workflow.unsafe.imports_passed_through():
    from workflows import names
    from activities.names import (
        PLAN_APPEAL_DEADLINE, PLAN_DEADLINE, PLAN_DEADLINES, SEND_NOTIFICATION, SEND_NOTIFICATIONS, UNPLANNABLE,
    )
    from domain.calendar import london_date
    from domain.case import CaseFile, NotificationRecord, RuleViolation
    from domain.deadlines import (
        APPEAL,
        Alarm,
        AppealPlan,
        AppealRequest,
        DeadlineRequest,
        PlannedDeadline,
    )
    from domain.models import (
        AssignMediator,
        ExtendDeadline,
        AddNote,
        CaseView,
        CompleteAction,
        DeliveryStatus,
        ProposeSlots,
        ReassignOfficer,
        RecordAppealStatus,
        RecordAvailability,
        RecordCallback,
        RequestCallback,
    )
    from domain.notifications import (
        MEDIATOR,
        Announcement,
        Delivery,
        Notice,
        Template,
        notice_key,
    )
    from records.archiving import CaseArchive
    from records.holding import HeldCopy
    from workflows.metrics import CaseMetrics
    from workflows.verification import vouched_for
    from workflows.visibility import current_details, open_duties, search_attribute_updates

# A message keeps being retried for up to three days (a mail server down over a weekend), then it
# is recorded as failed and the case officer is told.
DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=30),
    non_retryable_error_types=["MessageError", "ValidationError"],
)
DELIVERY_GIVE_UP = timedelta(days=3)
# After a batch of messages has been retried for those three days, each gets one last attempt alone.
LAST_ATTEMPT = RetryPolicy(maximum_attempts=1)
# Planning is arithmetic: a few quick tries, then an answer in words; never a lock held for ever.
PLANNING_RETRY = RetryPolicy(maximum_attempts=3, non_retryable_error_types=[UNPLANNABLE])
PLANNING_GIVE_UP = timedelta(minutes=2)
T = TypeVar("T")
# Release 1.0.0 is the baseline: no `workflow.patched` from before it. From it on, a change that would
# break a running case goes behind a patch named here, with a history recorded for each path
# (docs/operating.md, "Changing the workflows").
# Since 1.1: a change to what is owed (a duty met, added or moved) upserts `OpenDuties` even when the
# stage and the next deadline stay as they were; a case started before it upserts as it did.
OPEN_DUTIES_PATCH = "open-duties-attribute"


def today_in_england() -> date:
    """Today's date where the law runs: a certificate issued at 00:30 in summer is dated that day,
    not the day before as the UTC date would have it. (The zone object comes from outside the
    sandbox, with the passed-through calendar module, so it converts like any datetime.)"""
    return london_date(workflow.now())


def _rejecting(check: Callable[[], None]) -> None:
    """Run a domain check, turning a rule violation into an update rejection in words."""
    try:
        check()
    except RuleViolation as violation:
        raise refusal(str(violation), violation.field, violation.earliest, violation.unless) from None


def refusal(message: str, field: tuple = (), earliest: date | None = None, unless: str | None = None) -> ApplicationError:
    """A refusal as it travels to the client (`cases.client.Refused`): the words, and as details the
    request's field it is about, the earliest date allowed and the field that would lift the rule, so
    that a form shows it on its field. A validator's rejection leaves no history; raised after an update
    was accepted or at opening, only the failure's content differs, never which commands are recorded
    (tests/test_replay.py)."""
    details = {"field": list(field), "earliest": earliest.isoformat() if earliest else None, "unless": unless}
    return ApplicationError(message, details, type="RuleViolation", non_retryable=True)




class CaseWorkflow:
    """Shared machinery; `self.case` is the route's case file."""

    case: CaseFile

    def _start(self, start: object, file: type[CaseFile]) -> None:
        """Begin from a new case's opening, or, after continue-as-new, from the case carried over
        whole (a resumed case was opened before it continued as new)."""
        resumed = isinstance(start, file)
        self._opened = resumed
        self.case = start if resumed else file.open(workflow.info().workflow_id, start, workflow.now())
        # One staff action or alarm at a time: an action that plans a deadline awaits an activity,
        # and another must not slip in between its check and its effect.
        self._lock = asyncio.Lock()
        self._deliveries_in_flight = 0
        self._published: tuple | None = None
        # Asked once, at the start: asked first after a local activity, a replay would answer it
        # in another workflow task than the one that recorded the marker.
        self._publishes_open_duties = workflow.patched(OPEN_DUTIES_PATCH)
        self._background_failure: BaseException | None = None
        # The records store's copy of the closed case, kept in step until the workflow completes.
        self._archive = CaseArchive(lambda: self.case)
        # An open case on legal hold, copied to the records store on every change (records/holding.py).
        self._held = HeldCopy(lambda: self.case)
        self._metrics = CaseMetrics(self.case)  # operators' counts; not recorded in history

    async def _open(self) -> None:
        """Open a new case: its first deadlines and messages (each route says which)."""
        raise NotImplementedError

    async def _run_case(self) -> CaseView:
        """Open the case, then ring alarms until it is over (closed, and no clock of the family's
        still running). A cancellation request never ends a case silently: the service withdraws
        it, and the family's clocks go on."""
        if not self._opened:
            self.case.vouched(0, vouched_for())  # the opening, as its start's header vouched
            await self._open()
            self._opened = True
            self._metrics.opened()
        self._publish()
        asyncio.create_task(self._background(self._archive.keep_up()))
        if self._held.resume():
            self._copy_while_held()
        while True:
            try:
                await self._ring_until_over()
                break
            except asyncio.CancelledError:
                async with self._lock:
                    self._send(await self._withdraw_for_service())
                    self._publish()
        workflow.logger.info("case %s closed: %s", self.case.reference, self.case.outcome)
        return self.case.view()

    async def _ring_until_over(self) -> None:
        while self._running():
            if workflow.info().is_continue_as_new_suggested():
                await self._settle_down()
                workflow.continue_as_new(self.case, **self._held.carried_over())
            await self._wait_for_next_alarm()
            self._raise_background_failure()
        await self._settle_down()

    async def _withdraw_for_service(self) -> list[Announcement]:
        """Close the case for the service (a route may owe the family more, e.g. a certificate)."""
        return self.case.withdrawn_by_service(workflow.now())

    def _running(self) -> bool:
        """Open, or closed with the family's appeal clock still running (their warnings go on)."""
        if not self.case.is_closed:
            return True
        return self.case.appeal_clock_running

    def _raise_background_failure(self) -> None:
        """A background task (a delivery, the archive) that failed unexpectedly fails the workflow
        task, visibly, for a fix."""
        if self._background_failure is not None:
            raise RuntimeError("a background task (delivery or archive) failed") from self._background_failure

    @workflow.query(name=names.CASE_QUERY)
    def case_view(self) -> CaseView:
        return self.case.view()

    @workflow.signal(name=names.HOLD_CHANGED)
    def hold_changed(self) -> None:
        """A legal hold on the case was placed or lifted: the records store says which."""
        self._held.hold_changed()
        self._copy_while_held()

    def _copy_while_held(self) -> None:
        """Start copying at the first sign of a hold, never before: a case never held has no new
        command in its history, so histories recorded before holds were copied still replay."""
        if not self._held.started:
            self._held.started = True
            asyncio.create_task(self._background(self._held.keep_up()))

    @workflow.update(name=names.COMPLETE_ACTION)
    async def complete_action(self, request: CompleteAction) -> CaseView:
        async with self._acting(lambda: self.case.check_complete_action(request)):
            self._send(self.case.complete_action(request, workflow.now()))
        return self.case.view()

    @complete_action.validator
    def validate_complete_action(self, request: CompleteAction) -> None:
        _rejecting(lambda: self.case.check_complete_action(request))

    @workflow.update(name=names.ADD_NOTE)
    async def add_note(self, request: AddNote) -> CaseView:
        async with self._acting(lambda: self.case.check_add_note(request)):
            self.case.add_note(request, workflow.now())
        return self.case.view()

    @add_note.validator
    def validate_add_note(self, request: AddNote) -> None:
        _rejecting(lambda: self.case.check_add_note(request))

    @workflow.update(name=names.RECORD_APPEAL_STATUS)
    async def record_appeal_status(self, request: RecordAppealStatus) -> CaseView:
        async with self._acting(lambda: self.case.check_record_appeal_status(request)):
            self.case.record_appeal_status(request, workflow.now())
        return self.case.view()

    @record_appeal_status.validator
    def validate_record_appeal_status(self, request: RecordAppealStatus) -> None:
        _rejecting(lambda: self.case.check_record_appeal_status(request))

    # Added after 1.0.0 without a patch: a new update moves no command an old history holds.
    @workflow.update(name=names.REASSIGN_OFFICER)
    async def reassign_officer(self, request: ReassignOfficer) -> CaseView:
        async with self._acting(lambda: self.case.check_reassign_officer(request)):
            self.case.reassign_officer(request, workflow.now())
        return self.case.view()

    @reassign_officer.validator
    def validate_reassign_officer(self, request: ReassignOfficer) -> None:
        _rejecting(lambda: self.case.check_reassign_officer(request))

    # Answers online (DESIGN section 14). New updates, which no history from before them received: no patch.
    @workflow.update(name=names.PROPOSE_SLOTS)
    async def propose_slots(self, request: ProposeSlots) -> CaseView:
        async with self._acting(lambda: self.case.check_propose_slots(request, workflow.now())):
            await self._check_slots_notice(request)
            self._send(self.case.propose_slots(request, workflow.now()))
        return self.case.view()

    @propose_slots.validator
    def validate_propose_slots(self, request: ProposeSlots) -> None:
        _rejecting(lambda: self.case.check_propose_slots(request, workflow.now()))

    async def _check_slots_notice(self, request: ProposeSlots) -> None:
        """A route whose sessions need notice checks each time exactly (with the calendar) here."""

    @workflow.update(name=names.RECORD_AVAILABILITY)
    async def record_availability(self, request: RecordAvailability) -> CaseView:
        async with self._acting(lambda: self.case.check_record_availability(request)):
            if not self.case.repeats(request):
                self._send(self.case.record_availability(request, workflow.now()))
        return self.case.view()

    @record_availability.validator
    def validate_record_availability(self, request: RecordAvailability) -> None:
        _rejecting(lambda: self.case.check_record_availability(request))

    @workflow.update(name=names.REQUEST_CALLBACK)
    async def request_callback(self, request: RequestCallback) -> CaseView:
        async with self._acting(lambda: self.case.check_request_callback(request)):
            planned = await self._plan_each(self.case.plan_callback(request, workflow.now()))
            self._send(self.case.request_callback(request, planned, workflow.now()))
        return self.case.view()

    @request_callback.validator
    def validate_request_callback(self, request: RequestCallback) -> None:
        _rejecting(lambda: self.case.check_request_callback(request))

    @workflow.update(name=names.RECORD_CALLBACK)
    async def record_callback(self, request: RecordCallback) -> CaseView:
        async with self._acting(lambda: self.case.check_record_callback(request)):
            self.case.record_callback(request, workflow.now())
        return self.case.view()

    @record_callback.validator
    def validate_record_callback(self, request: RecordCallback) -> None:
        _rejecting(lambda: self.case.check_record_callback(request))

    @asynccontextmanager
    async def _acting(self, check: Callable[[], None]) -> AsyncIterator[None]:
        """Apply a staff action alone, checking again: the case may have moved since validation."""
        if not self._opened:
            # An action sent with the start (update-with-start) comes in the first workflow task,
            # before the opening has planned its deadlines: it waits for the opening.
            await workflow.wait_condition(lambda: self._opened)
        async with self._lock:
            _rejecting(check)
            since = len(self.case.timeline)
            yield
            self.case.vouched(since, vouched_for())
            self._publish()

    async def _wait_for_next_alarm(self) -> None:
        """Sleep until the next alarm rings, or until the case changes and the alarms with it."""
        alarm = self.case.next_alarm()
        if alarm is None:
            await workflow.wait_condition(lambda: self.case.next_alarm() is not None or self._should_stop())
        elif await self._rings_before_any_change(alarm):
            async with self._lock:
                if alarm in self.case.alarms:
                    self._ring(alarm)
                    self._publish()

    async def _rings_before_any_change(self, alarm: Alarm) -> bool:
        if alarm.at <= workflow.now():
            return True
        try:
            await workflow.wait_condition(
                lambda: self.case.next_alarm() != alarm or self._should_stop(),
                timeout=alarm.at - workflow.now(),
                timeout_summary=f"{alarm.deadline} {alarm.purpose.value}",
            )
        except asyncio.TimeoutError:
            return True
        return False

    def _should_stop(self) -> bool:
        return (
            not self._running()
            or self._background_failure is not None
            or workflow.info().is_continue_as_new_suggested()
        )

    def _ring(self, alarm: Alarm) -> None:
        self._send(self.case.alarm_rang(alarm, workflow.now()))

    @staticmethod
    def _deadline(
        name: str, *, start: datetime | None = None, start_day: date | None = None,
        due: date | None = None, extend_by: int | None = None,
    ) -> DeadlineRequest:
        return DeadlineRequest(name=name, now=workflow.now(), start=start, start_day=start_day, due=due, extend_by=extend_by)

    async def _plan(self, name: str, **when) -> PlannedDeadline:
        """One deadline: `when` as `DeadlineRequest` takes it (start, start_day, due, extend_by)."""
        [planned] = await self._plan_each([self._deadline(name, **when)])
        return planned

    async def _plan_each(self, requests: list[DeadlineRequest]) -> list[PlannedDeadline]:
        """The deadlines one action sets, in order. Working days need the bank-holiday calendar and
        Europe/London: an activity works them out and history keeps the answer, so a later holiday
        release cannot move a given date. Several are planned in one activity."""
        if len(requests) > 1:
            names = ", ".join(request.name for request in requests)
            return await self._planning(PLAN_DEADLINES, requests, list[PlannedDeadline], f"plan {names}")
        return [await self._planning(PLAN_DEADLINE, request, PlannedDeadline, f"plan {request.name}") for request in requests]

    async def _plan_appeal(self, decided_on: date, certificate: date | None) -> AppealPlan:
        """The Tribunal appeal clock, worked out in an activity and so recorded in history."""
        return await self._planning(
            PLAN_APPEAL_DEADLINE,
            AppealRequest(now=workflow.now(), decision_date=decided_on, certificate_date=certificate),
            AppealPlan,
            f"plan {APPEAL}",
        )

    async def _planning(self, activity: str, request: object, result_type: type, summary: str):
        """Run a planning activity; a date it cannot plan refuses the action in words, before any
        change to the case (callers plan first, then apply).

        Planning is quick arithmetic on the worker's own calendar, so it runs as a local activity:
        its answer is still recorded in history (a marker), without a round trip through the task
        queue or three events per date."""
        try:
            return await workflow.execute_local_activity(
                activity,
                request,
                result_type=result_type,
                start_to_close_timeout=timedelta(seconds=30),
                schedule_to_close_timeout=PLANNING_GIVE_UP,
                retry_policy=PLANNING_RETRY,
                summary=summary,
            )
        except ActivityError as error:
            cause = error.cause
            reason = cause.message if isinstance(cause, ApplicationError) else "the planning service did not answer"
            raise ApplicationError(reason, type="RuleViolation", non_retryable=True) from None

    def _notify(
        self, template: Template, to: Iterable[str], *, event: str | None = None,
        facts_for: dict[str, dict] | None = None, **facts,
    ) -> list[Notice]:
        """Queue one message per recipient; a message already queued for this event is not repeated.
        Returns the messages queued, for the caller to deliver."""
        known = {record.key for record in self.case.notifications}
        queued = []
        for recipient_id in to:
            if recipient_id == MEDIATOR and self.case.mediator is None:
                continue
            key = notice_key(self.case.reference, event or template.value, recipient_id)
            if key in known:
                continue
            own = facts | (facts_for or {}).get(recipient_id, {})
            notice = Notice(key=key, template=template, recipient=self.case.recipient(recipient_id), facts=self.case.message_facts(**own))
            self.case.notifications.append(NotificationRecord(key=key, to=recipient_id, template=template.value))
            self._deliveries_in_flight += 1
            queued.append(notice)
        return queued

    def _queue(self, announcement: Announcement) -> list[Notice]:
        """The messages of one announcement, queued (`_notify`), each with the facts for its recipient."""
        return self._notify(
            announcement.template, announcement.to, event=announcement.event, facts_for=announcement.facts_for,
            **announcement.facts,
        )

    def _announce_closure(self, **facts) -> None:
        self._send([self.case.closure(**facts)])

    def _send(self, announcements: Iterable[Announcement]) -> None:
        """Queue what the domain says to tell, in its order, and deliver it in the background: the
        messages of one announcement in one activity."""
        for announcement in announcements:
            notices = self._queue(announcement)
            if notices:
                asyncio.create_task(self._delivering(notices, self._deliver_together(notices)))

    async def _delivering(self, notices: list[Notice], delivery: Awaitable[None]) -> None:
        try:
            await delivery
        except BaseException as error:  # a bug, not a delivery problem: fail visibly, never hang
            if self._background_failure is None:
                self._background_failure = error
            raise
        finally:
            self._deliveries_in_flight -= len(notices)

    async def _deliver_together(self, notices: list[Notice]) -> None:
        try:
            deliveries = await workflow.execute_activity(
                SEND_NOTIFICATIONS,
                notices,
                result_type=list[Delivery],
                start_to_close_timeout=timedelta(minutes=2),
                schedule_to_close_timeout=DELIVERY_GIVE_UP,
                retry_policy=DELIVERY_RETRY,
                summary=f"{notices[0].template.value} to {', '.join(notice.recipient.id for notice in notices)}",
            )
        except ActivityError as error:
            # The batch gave up: each message alone, so that those already sent (the sent-log knows)
            # are recorded as sent and only the others as failed. After one message that can never
            # be sent, the others get their usual retries; after three days of retrying, one attempt.
            retrying = error.retry_state is RetryState.NON_RETRYABLE_FAILURE
            await asyncio.gather(*(self._deliver_once(notice, retrying=retrying) for notice in notices))
            return
        failed_for_now = []
        for notice, delivery in zip(notices, deliveries, strict=True):
            if delivery.status is DeliveryStatus.pending:
                failed_for_now.append(notice)  # retried alone: the others' reports are not held back
            else:
                self._delivered(notice, delivery)
        await asyncio.gather(*(self._deliver_once(notice) for notice in failed_for_now))

    async def _deliver_once(self, notice: Notice, *, retrying: bool = True) -> None:
        try:
            delivery = await workflow.execute_activity(
                SEND_NOTIFICATION,
                notice,
                result_type=Delivery,
                start_to_close_timeout=timedelta(minutes=2),
                schedule_to_close_timeout=DELIVERY_GIVE_UP if retrying else None,
                retry_policy=DELIVERY_RETRY if retrying else LAST_ATTEMPT,
                summary=f"{notice.template.value} to {notice.recipient.id}",
            )
        except ActivityError:
            delivery = Delivery(status=DeliveryStatus.failed, reason="could not be delivered after retrying for three days")
        self._delivered(notice, delivery)

    def _delivered(self, notice: Notice, delivery: Delivery) -> None:
        record = next(record for record in self.case.notifications if record.key == notice.key)
        record.status, record.channel, record.reason = delivery.status, delivery.channel, delivery.reason
        self._metrics.delivered(notice.template, delivery, failed=delivery.status is DeliveryStatus.failed)
        if delivery.status is DeliveryStatus.sent:
            self.case.notice_delivered(record.template, workflow.now())  # a notice the law asks for meets its duty
            self._publish()
        if delivery.status is DeliveryStatus.failed:
            self._send(self.case.delivery_failed(notice.template, notice.recipient, delivery.reason or "", workflow.now()))

    # --- Staff actions both routes share --------------------------------------------------------------

    @workflow.update(name=names.ASSIGN_MEDIATOR)
    async def assign_mediator(self, request: AssignMediator) -> CaseView:
        async with self._acting(lambda: self.case.check_assign_mediator(request)):
            self._send(self.case.assign_mediator(request, workflow.now()))
        return self.case.view()

    @assign_mediator.validator
    def validate_assign_mediator(self, request: AssignMediator) -> None:
        _rejecting(lambda: self.case.check_assign_mediator(request))

    async def _extend(self, request: ExtendDeadline) -> PlannedDeadline:
        """Move a deadline (checked by the caller's `_acting`): plan the new date, then apply it."""
        current = self.case.deadline(request.deadline)
        assert current is not None
        planned = await self._plan(request.deadline, due=request.until or current.due, extend_by=request.days)
        self.case.extend_deadline(request, planned, workflow.now())
        return planned

    def _publish(self) -> None:
        """Keep search attributes and the Web UI's current details in step with the case."""
        next_deadline = self.case.next_deadline()
        appeal = self.case.deadline(APPEAL)
        state = (
            self.case.stage, self.case.outcome, next_deadline and next_deadline.expires_at,
            appeal and self.case.appeal_clock_running and appeal.expires_at, len(self.case.warnings),
            self.case.case_officer,  # changes only by reassignment: an old history upserts as it did
        )
        if self._publishes_open_duties:
            state += (tuple(open_duties(self.case)),)
        if state != self._published:
            workflow.upsert_search_attributes(search_attribute_updates(self.case))
            workflow.logger.info("case %s is %s", self.case.reference, self.case.stage.value)
            self._published = state
        workflow.set_current_details(current_details(self.case))
        self._metrics.changed(self.case)

    async def _settle_down(self) -> None:
        """Before finishing or continuing as new: every handler done, every message delivered, a
        held case's copy written, and a closed case archived as it now stands (so it is never in
        neither place)."""
        await workflow.wait_condition(
            lambda: (workflow.all_handlers_finished() and self._deliveries_in_flight == 0)
            or self._background_failure is not None
        )
        self._raise_background_failure()
        await self._held.settle(lambda: self._background_failure is not None)
        await self._archive.settle(lambda: self._background_failure is not None)
        self._raise_background_failure()

    async def _background(self, work: Awaitable[None]) -> None:
        try:
            await work
        except BaseException as error:  # a bug: fail visibly, never hang
            if self._background_failure is None:
                self._background_failure = error
            raise


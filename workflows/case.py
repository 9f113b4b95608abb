"""The case workflow: one SEND disagreement, from informal talks to closure.

The process (DESIGN section 3):

1. The case opens in **informal talks**. Staff record talks; if nobody records progress for
   `talks_review` working days, the case officer is told.
2. Staff **offer disagreement resolution**. Every party is asked; the **consent window** runs.
   Silent parties are reminded half-way. Mediation goes ahead only if every party agrees: one
   decline closes the case, and silence at the end of the window closes it as `no_response`.
3. Once all agree, staff **arrange the session**: an independent mediator, then a date.
   The officer is reminded, then told if the session is late.
4. After the session staff **record the outcome**; the written outcome goes to every party.
   Agreed actions are **monitored** until each is done; overdue ones are chased.
5. Any party may **withdraw** at any open stage. A known appeal deadline brings warnings to the
   applicant that disagreement resolution does not extend it.

Staff act through updates (each validated before it reaches history); deadlines ring as alarms;
notifications are queued and delivered in the background, each exactly once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.case import APPLICANT, AgreedAction, Case, NotificationRecord, RuleViolation
    from domain.deadlines import (
        ACTION_PREFIX,
        APPEAL,
        CONSENT_WINDOW,
        OUTCOME_RECORD,
        SESSION,
        SESSION_ARRANGEMENT,
        TALKS_REVIEW,
        WRITTEN_OUTCOME,
        Alarm,
        AlarmPurpose,
        DeadlineRequest,
        PlannedDeadline,
        action_deadline,
    )
    from domain.models import (
        AddNote,
        AssignMediator,
        CaseOutcome,
        CaseView,
        CompleteAction,
        Contact,
        DeliveryStatus,
        ExtendDeadline,
        OfferResolution,
        OpenCase,
        RecordConsent,
        RecordOutcome,
        RecordTalk,
        ScheduleSession,
        TalkOutcome,
        Withdraw,
    )
    from domain.notifications import (
        AgreedActionFacts,
        Delivery,
        MessageFacts,
        Notice,
        Recipient,
        RecipientKind,
        Template,
        notice_key,
    )
    from workflows.visibility import search_attribute_updates

# Activities are called by name so that the workflow does not import their I/O libraries.
PLAN_DEADLINE = "plan_deadline"
SEND_NOTIFICATION = "send_notification"

MEDIATOR = "mediator"
CASE_OFFICER = "case_officer"
SYSTEM = "system"  # the actor of what timers do

CLOSURE_TEMPLATES = {
    CaseOutcome.declined: Template.case_declined,
    CaseOutcome.no_response: Template.no_response,
    CaseOutcome.withdrawn: Template.withdrawn,
}
# A message keeps being retried for up to three days (a mail server down over a weekend), then it
# is recorded as failed and the case officer is told.
DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=30)
)
DELIVERY_GIVE_UP = timedelta(days=3)


def _rejecting(check: Callable[[], None]) -> None:
    """Run a domain check, turning a rule violation into an update rejection in words."""
    try:
        check()
    except RuleViolation as violation:
        raise ApplicationError(str(violation), type="RuleViolation", non_retryable=True) from None


@workflow.defn(name="DisagreementCase")
class DisagreementCase:
    # The input is a new case, or, after continue-as-new, the case carried over whole.
    @workflow.init
    def __init__(self, start: OpenCase | Case) -> None:
        self._resumed = isinstance(start, Case)
        self.case = start if isinstance(start, Case) else Case.open(workflow.info().workflow_id, start, workflow.now())
        # One staff action or alarm at a time: an action that plans a deadline awaits an activity,
        # and another must not slip in between its check and its effect.
        self._lock = asyncio.Lock()
        self._deliveries_in_flight = 0
        self._published: tuple | None = None

    @workflow.run
    async def run(self, start: OpenCase | Case) -> CaseView:
        if not self._resumed:
            await self._open()
        self._publish()
        while not self.case.is_closed:
            if workflow.info().is_continue_as_new_suggested():
                await self._settle_down()
                workflow.continue_as_new(self.case)
            await self._wait_for_next_alarm()
        await self._settle_down()
        workflow.logger.info("case %s closed: %s", self.case.reference, self.case.outcome)
        return self.case.view()

    @workflow.query(name="case")
    def case_view(self) -> CaseView:
        return self.case.view()

    # --- Opening -----------------------------------------------------------------------------------

    async def _open(self) -> None:
        async with self._lock:
            self.case.set_deadline(await self._plan(TALKS_REVIEW))
            if self.case.opened.appeal_deadline:
                self.case.set_deadline(await self._plan(APPEAL, due=self.case.opened.appeal_deadline))
            self._notify(Template.case_opened, self._party_ids())

    # --- Staff actions -----------------------------------------------------------------------------

    @workflow.update
    async def record_talk(self, request: RecordTalk) -> CaseView:
        async with self._acting(lambda: self.case.check_record_talk(request)):
            self.case.record_talk(request, workflow.now())
            if request.outcome is TalkOutcome.unresolved:
                self.case.set_deadline(await self._plan(TALKS_REVIEW))
            elif workflow.patched("announce-informal-resolution"):  # older cases closed in silence
                self._announce_closure()
        return self.case.view()

    @record_talk.validator
    def validate_record_talk(self, request: RecordTalk) -> None:
        _rejecting(lambda: self.case.check_record_talk(request))

    @workflow.update
    async def offer_resolution(self, request: OfferResolution) -> CaseView:
        async with self._acting(lambda: self.case.check_offer_resolution(request)):
            self.case.offer_resolution(request, workflow.now())
            window = self.case.set_deadline(await self._plan(CONSENT_WINDOW))
            self._notify(Template.resolution_offered, self._party_ids(), due=window.due)
        return self.case.view()

    @offer_resolution.validator
    def validate_offer_resolution(self, request: OfferResolution) -> None:
        _rejecting(lambda: self.case.check_offer_resolution(request))

    @workflow.update
    async def record_consent(self, request: RecordConsent) -> CaseView:
        async with self._acting(lambda: self.case.check_record_consent(request)):
            self.case.record_consent(request, workflow.now())
            party = self.case.party(request.party)
            assert party is not None
            self._notify(Template.consent_recorded, [party.id])
            if self.case.is_closed:
                self._announce_closure(party_name=party.name)
            elif not self.case.silent_parties():
                self.case.set_deadline(await self._plan(SESSION_ARRANGEMENT))
        return self.case.view()

    @record_consent.validator
    def validate_record_consent(self, request: RecordConsent) -> None:
        _rejecting(lambda: self.case.check_record_consent(request))

    @workflow.update
    async def assign_mediator(self, request: AssignMediator) -> CaseView:
        async with self._acting(lambda: self.case.check_assign_mediator(request)):
            self.case.assign_mediator(request, workflow.now())
            number = sum(entry.event == "mediator_assigned" for entry in self.case.timeline)
            self._notify(
                Template.mediator_assigned,
                [*self._party_ids(), MEDIATOR],
                event=f"mediator_assigned-{number}",
                mediator_name=request.name,
            )
        return self.case.view()

    @assign_mediator.validator
    def validate_assign_mediator(self, request: AssignMediator) -> None:
        _rejecting(lambda: self.case.check_assign_mediator(request))

    @workflow.update
    async def schedule_session(self, request: ScheduleSession) -> CaseView:
        async with self._acting(lambda: self.case.check_schedule_session(request, workflow.now())):
            self.case.schedule_session(request, workflow.now())
            for name in (SESSION, OUTCOME_RECORD, WRITTEN_OUTCOME):
                self.case.set_deadline(await self._plan(name, start=request.at))
            assert self.case.session is not None
            self._notify(
                Template.session_scheduled,
                [*self._party_ids(), MEDIATOR],
                event=f"session_scheduled-{self.case.session.number}",
                session_at=request.at,
                venue=request.venue,
                mediator_name=self.case.mediator.name if self.case.mediator else None,
            )
        return self.case.view()

    @schedule_session.validator
    def validate_schedule_session(self, request: ScheduleSession) -> None:
        _rejecting(lambda: self.case.check_schedule_session(request, workflow.now()))

    @workflow.update
    async def record_outcome(self, request: RecordOutcome) -> CaseView:
        async with self._acting(lambda: self.case.check_record_outcome(request, workflow.now())):
            planned = [
                await self._plan(action_deadline(number), due=action.due)
                for number, action in enumerate(request.actions, start=1)
            ]
            self.case.record_outcome(request, workflow.now(), [deadline.due for deadline in planned])
            if not self.case.is_closed:
                for deadline in planned:
                    self.case.set_deadline(deadline)
            self._notify(
                Template.written_outcome,
                [*self._party_ids(), MEDIATOR],
                result=request.result,
                session_at=self.case.session.at if self.case.session else None,
                actions=[self._action_facts(action.number) for action in self.case.actions],
            )
            self.case.written_outcome_sent()
            if self.case.is_closed:
                self._announce_closure()
        return self.case.view()

    @record_outcome.validator
    def validate_record_outcome(self, request: RecordOutcome) -> None:
        _rejecting(lambda: self.case.check_record_outcome(request, workflow.now()))

    @workflow.update
    async def complete_action(self, request: CompleteAction) -> CaseView:
        async with self._acting(lambda: self.case.check_complete_action(request)):
            self.case.complete_action(request, workflow.now())
            if self.case.is_closed:
                self._announce_closure()
        return self.case.view()

    @complete_action.validator
    def validate_complete_action(self, request: CompleteAction) -> None:
        _rejecting(lambda: self.case.check_complete_action(request))

    @workflow.update
    async def withdraw(self, request: Withdraw) -> CaseView:
        async with self._acting(lambda: self.case.check_withdraw(request)):
            self.case.withdraw(request, workflow.now())
            party = self.case.party(request.party)
            assert party is not None
            self._announce_closure(party_name=party.name)
        return self.case.view()

    @withdraw.validator
    def validate_withdraw(self, request: Withdraw) -> None:
        _rejecting(lambda: self.case.check_withdraw(request))

    @workflow.update
    async def extend_deadline(self, request: ExtendDeadline) -> CaseView:
        async with self._acting(lambda: self.case.check_extend_deadline(request, workflow.now().date())):
            current = self.case.deadline(request.deadline)
            assert current is not None
            planned = await self._plan(
                request.deadline, due=request.until or current.due, extend_by=request.days
            )
            self.case.extend_deadline(request, planned, workflow.now())
            # Added after cases were already running: older histories replay without the message.
            if request.deadline == CONSENT_WINDOW and workflow.patched("tell-silent-parties-of-extension"):
                silent = [party.id for party in self.case.silent_parties()]
                self._notify(
                    Template.consent_reminder, silent, event=f"consent_extended-{planned.due:%Y%m%d}", due=planned.due
                )
        return self.case.view()

    @extend_deadline.validator
    def validate_extend_deadline(self, request: ExtendDeadline) -> None:
        _rejecting(lambda: self.case.check_extend_deadline(request, workflow.now().date()))

    @workflow.update
    async def add_note(self, request: AddNote) -> CaseView:
        async with self._acting(lambda: self.case.check_add_note(request)):
            self.case.add_note(request, workflow.now())
        return self.case.view()

    @add_note.validator
    def validate_add_note(self, request: AddNote) -> None:
        _rejecting(lambda: self.case.check_add_note(request))

    @asynccontextmanager
    async def _acting(self, check: Callable[[], None]) -> AsyncIterator[None]:
        """Apply a staff action alone, checking again: the case may have moved since validation."""
        async with self._lock:
            _rejecting(check)
            yield
            self._publish()

    # --- Deadlines and their alarms ----------------------------------------------------------------

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
        return self.case.is_closed or workflow.info().is_continue_as_new_suggested()

    def _ring(self, alarm: Alarm) -> None:
        self.case.ring(alarm)
        deadline = self.case.deadline(alarm.deadline)
        due = deadline.due if deadline else None
        dated = f"{alarm.deadline}-{due:%Y%m%d}" if due else alarm.deadline
        if alarm.purpose is AlarmPurpose.reminder:
            self._remind(alarm, due, dated)
            return
        self.case.record(workflow.now(), SYSTEM, "deadline_missed", f"{alarm.deadline} was due {due}")
        if alarm.deadline == CONSENT_WINDOW:
            if self.case.silent_parties():
                self.case.close(CaseOutcome.no_response, workflow.now(), SYSTEM)
                self._announce_closure()
        elif alarm.deadline.startswith(ACTION_PREFIX):
            action = self._action_of(alarm.deadline)
            self._notify(
                Template.action_overdue, [action.owner, CASE_OFFICER], event=f"action_overdue-{dated}",
                due=due, actions=[self._action_facts(action.number)],
            )
        else:
            self._notify(
                Template.deadline_missed, [CASE_OFFICER], event=f"deadline_missed-{dated}",
                deadline=alarm.deadline, due=due,
            )

    def _remind(self, alarm: Alarm, due: date | None, dated: str) -> None:
        if alarm.deadline == CONSENT_WINDOW:
            silent = [party.id for party in self.case.silent_parties()]
            self._notify(Template.consent_reminder, silent, event=f"consent_reminder-{dated}", due=due)
        elif alarm.deadline == APPEAL:
            self._notify(
                Template.appeal_warning, [APPLICANT],
                event=f"appeal_warning-{alarm.working_days_before}", due=due,
            )
        elif alarm.deadline == SESSION:
            session = self.case.session
            assert session is not None
            self._notify(
                Template.session_reminder, [*self._party_ids(), MEDIATOR],
                event=f"session_reminder-{session.number}", session_at=session.at, venue=session.venue,
            )
        elif alarm.deadline.startswith(ACTION_PREFIX):
            action = self._action_of(alarm.deadline)
            self._notify(
                Template.action_due, [action.owner], event=f"action_due-{dated}",
                due=due, actions=[self._action_facts(action.number)],
            )
        else:
            self._notify(
                Template.deadline_reminder, [CASE_OFFICER], event=f"deadline_reminder-{dated}",
                deadline=alarm.deadline, due=due,
            )

    async def _plan(
        self, name: str, *, start: datetime | None = None, due: date | None = None, extend_by: int | None = None
    ) -> PlannedDeadline:
        # Working days need the bank-holiday calendar and Europe/London: an activity works them
        # out and history keeps the answer, so a later holiday release cannot move a given date.
        return await workflow.execute_activity(
            PLAN_DEADLINE,
            DeadlineRequest(name=name, now=workflow.now(), start=start, due=due, extend_by=extend_by),
            result_type=PlannedDeadline,
            start_to_close_timeout=timedelta(seconds=30),
            summary=f"plan {name}",
        )

    # --- Notifications -----------------------------------------------------------------------------

    def _party_ids(self) -> list[str]:
        return [party.id for party in self.case.parties]

    def _notify(self, template: Template, to: Iterable[str], *, event: str | None = None, **facts) -> None:
        """Queue one message per recipient; a message already queued for this event is not repeated."""
        known = {record.key for record in self.case.notifications}
        for recipient_id in to:
            if recipient_id == MEDIATOR and self.case.mediator is None:
                continue
            key = notice_key(self.case.reference, event or template.value, recipient_id)
            if key in known:
                continue
            notice = Notice(key=key, template=template, recipient=self._recipient(recipient_id), facts=self._facts(**facts))
            self.case.notifications.append(NotificationRecord(key=key, to=recipient_id, template=template.value))
            self._deliveries_in_flight += 1
            asyncio.create_task(self._deliver(notice))

    def _announce_closure(self, **facts) -> None:
        assert self.case.outcome is not None
        template = CLOSURE_TEMPLATES.get(self.case.outcome, Template.case_closed)
        self._notify(template, [*self._party_ids(), MEDIATOR], outcome=self.case.outcome, **facts)

    async def _deliver(self, notice: Notice) -> None:
        record = next(record for record in self.case.notifications if record.key == notice.key)
        try:
            delivery = await workflow.execute_activity(
                SEND_NOTIFICATION,
                notice,
                result_type=Delivery,
                start_to_close_timeout=timedelta(minutes=2),
                schedule_to_close_timeout=DELIVERY_GIVE_UP,
                retry_policy=DELIVERY_RETRY,
                summary=f"{notice.template.value} to {notice.recipient.id}",
            )
        except ActivityError:
            delivery = Delivery(status=DeliveryStatus.failed, reason="could not be delivered after retrying for three days")
        record.status, record.channel, record.reason = delivery.status, delivery.channel, delivery.reason
        if delivery.status is DeliveryStatus.failed:
            self.case.record(workflow.now(), SYSTEM, "notification_failed", f"{notice.template.value} to {notice.recipient.id}: {delivery.reason}")
            if notice.recipient.kind is not RecipientKind.case_officer:
                self._notify(
                    Template.notification_failed, [CASE_OFFICER],
                    event=f"notification_failed-{notice.template.value}-{notice.recipient.id}",
                    party_name=notice.recipient.name,
                    reason=f"the {notice.template.value.replace('_', ' ')} message: {delivery.reason}",
                )
        self._deliveries_in_flight -= 1

    def _recipient(self, recipient_id: str) -> Recipient:
        if recipient_id == CASE_OFFICER:
            return Recipient(id=CASE_OFFICER, kind=RecipientKind.case_officer, name=self.case.case_officer)
        if recipient_id == MEDIATOR:
            mediator = self.case.mediator
            assert mediator is not None
            return Recipient(id=MEDIATOR, kind=RecipientKind.mediator, name=mediator.name, contact=Contact(email=mediator.email))
        party = self.case.party(recipient_id)
        assert party is not None
        supporter = self.case.opened.supporter
        return Recipient(
            id=party.id,
            kind=RecipientKind.applicant if party.id == APPLICANT else RecipientKind.organisation,
            name=party.name,
            contact=party.contact,
            supporter_email=str(supporter.email) if supporter and party.id == APPLICANT else None,
        )

    def _facts(self, **facts) -> MessageFacts:
        opened = self.case.opened
        return MessageFacts(
            reference=self.case.reference,
            case_officer=self.case.case_officer,
            appeal_deadline=opened.appeal_deadline,
            supporter_name=opened.supporter.name if opened.supporter else None,
            other_parties=[organisation.name for organisation in opened.organisations],
            **facts,
        )

    def _action_of(self, deadline_name: str) -> AgreedAction:
        number = int(deadline_name.removeprefix(ACTION_PREFIX))
        return next(action for action in self.case.actions if action.number == number)

    def _action_facts(self, number: int) -> AgreedActionFacts:
        action = next(action for action in self.case.actions if action.number == number)
        owner = self.case.party(action.owner)
        return AgreedActionFacts(
            number=action.number, description=action.description, owner=owner.name if owner else action.owner, due=action.due
        )

    # --- Visibility and housekeeping ---------------------------------------------------------------

    def _publish(self) -> None:
        """Keep search attributes and the Web UI's current details in step with the case."""
        next_deadline = self.case.next_deadline()
        state = (self.case.stage, self.case.outcome, next_deadline and next_deadline.expires_at)
        if state != self._published:
            workflow.upsert_search_attributes(search_attribute_updates(self.case))
            workflow.logger.info("case %s is %s", self.case.reference, self.case.stage.value)
            self._published = state
        workflow.set_current_details(self._details())

    def _details(self) -> str:
        lines = [f"**{self.case.reference}**: {self.case.describe()}", ""]
        open_deadlines = [d for d in self.case.deadlines if d.state.value in ("open", "missed")]
        if open_deadlines:
            lines += ["| deadline | due | state |", "|---|---|---|"]
            lines += [f"| {d.name} | {d.due.isoformat()} | {d.state.value} |" for d in open_deadlines]
        return "\n".join(lines)

    async def _settle_down(self) -> None:
        """Before finishing or continuing as new: every handler done, every message delivered."""
        await workflow.wait_condition(
            lambda: workflow.all_handlers_finished() and self._deliveries_in_flight == 0
        )

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
5. Any party may **withdraw** at any open stage.
6. The **appeal clock**: once the Local Authority decision is recorded (or an appeal deadline is
   given at opening), the applicant is warned before the Tribunal deadline, which disagreement
   resolution does not move; the warnings go on after the case closes (the workflow keeps running,
   `CaseStage=closed`) until the deadline passes or staff record the appeal status.

Staff act through updates (each validated before it reaches history); deadlines ring as alarms;
notifications are queued and delivered in the background, each exactly once.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows import names
    from domain.resolution import Resolution
    from domain.deadlines import (
        CONSENT_WINDOW,
        OUTCOME_RECORD,
        SESSION,
        SESSION_ARRANGEMENT,
        TALKS_REVIEW,
        WRITTEN_OUTCOME,
        APPEAL,
        action_deadline,
    )
    from domain.models import (
        CaseView,
        ExtendDeadline,
        OfferResolution,
        OpenCase,
        RecordConsent,
        RecordDecision,
        RecordOutcome,
        RecordTalk,
        ScheduleSession,
        TalkOutcome,
        Withdraw,
    )
    from workflows.machinery import CaseWorkflow, _rejecting, today_in_england


@workflow.defn(name=names.DISAGREEMENT_CASE)
class DisagreementCase(CaseWorkflow):
    case: Resolution

    # The input is a new case, or, after continue-as-new, the case carried over whole.
    @workflow.init
    def __init__(self, start: OpenCase | Resolution) -> None:
        self._start(start, Resolution)

    @workflow.run
    async def run(self, start: OpenCase | Resolution) -> CaseView:
        return await self._run_case()

    async def _open(self) -> None:
        async with self._lock:
            first = [self._deadline(TALKS_REVIEW)]
            if self.case.opened.appeal_deadline:  # given by hand: no decision recorded to compute it from
                first.append(self._deadline(APPEAL, due=self.case.opened.appeal_deadline))
            for deadline in await self._plan_each(first + self.case.plan_opening(workflow.now())):
                self.case.set_deadline(deadline)
            self._send(self.case.announce_opening() + self.case.announce_school_age(workflow.now()))

    @workflow.update(name=names.RECORD_TALK)
    async def record_talk(self, request: RecordTalk) -> CaseView:
        async with self._acting(lambda: self.case.check_record_talk(request)):
            # Plan first: a date that cannot be planned refuses the action before it changes anything.
            review = await self._plan(TALKS_REVIEW) if request.outcome is TalkOutcome.unresolved else None
            self.case.record_talk(request, workflow.now())
            if review is not None:
                self.case.set_deadline(review)
            else:
                self._announce_closure()
        return self.case.view()

    @record_talk.validator
    def validate_record_talk(self, request: RecordTalk) -> None:
        _rejecting(lambda: self.case.check_record_talk(request))

    @workflow.update(name=names.OFFER_RESOLUTION)
    async def offer_resolution(self, request: OfferResolution) -> CaseView:
        async with self._acting(lambda: self.case.check_offer_resolution(request)):
            planned = await self._plan(CONSENT_WINDOW)
            self.case.offer_resolution(request, workflow.now())
            self.case.set_deadline(planned)
            self._send(self.case.announce_offer())
        return self.case.view()

    @offer_resolution.validator
    def validate_offer_resolution(self, request: OfferResolution) -> None:
        _rejecting(lambda: self.case.check_offer_resolution(request))

    @workflow.update(name=names.RECORD_CONSENT)
    async def record_consent(self, request: RecordConsent) -> CaseView:
        async with self._acting(lambda: self.case.check_record_consent(request)):
            if self.case.repeats(request):  # the same answer again from a party's link: nothing changes
                return self.case.view()
            last_to_agree = request.agree and [p.id for p in self.case.silent_parties()] == [request.party]
            arrangement = await self._plan(SESSION_ARRANGEMENT) if last_to_agree else None
            self._send(self.case.record_consent(request, workflow.now()))
            if arrangement is not None:
                self.case.set_deadline(arrangement)
        return self.case.view()

    @record_consent.validator
    def validate_record_consent(self, request: RecordConsent) -> None:
        _rejecting(lambda: self.case.check_record_consent(request))

    @workflow.update(name=names.SCHEDULE_SESSION)
    async def schedule_session(self, request: ScheduleSession) -> CaseView:
        async with self._acting(lambda: self.case.check_schedule_session(request, workflow.now())):
            to_plan = (SESSION, OUTCOME_RECORD, WRITTEN_OUTCOME)
            planned = await self._plan_each([self._deadline(name, start=request.at) for name in to_plan])
            announced = self.case.schedule_session(request, workflow.now())
            self.case.replan_after_session(planned, workflow.now(), request.actor)
            self._send(announced)
        return self.case.view()

    @schedule_session.validator
    def validate_schedule_session(self, request: ScheduleSession) -> None:
        _rejecting(lambda: self.case.check_schedule_session(request, workflow.now()))

    @workflow.update(name=names.RECORD_OUTCOME)
    async def record_outcome(self, request: RecordOutcome) -> CaseView:
        async with self._acting(lambda: self.case.check_record_outcome(request, workflow.now())):
            planned = await self._plan_each([
                self._deadline(action_deadline(number), due=action.agreed_due)
                for number, action in enumerate(request.actions, start=1)
            ])
            self.case.record_outcome(request, workflow.now(), [deadline.due for deadline in planned])
            if not self.case.is_closed:
                for deadline in planned:
                    self.case.set_deadline(deadline)
            self.case.written_outcome_sent()
            self._send(self.case.announce_outcome())
        return self.case.view()

    @record_outcome.validator
    def validate_record_outcome(self, request: RecordOutcome) -> None:
        _rejecting(lambda: self.case.check_record_outcome(request, workflow.now()))

    @workflow.update(name=names.WITHDRAW)
    async def withdraw(self, request: Withdraw) -> CaseView:
        async with self._acting(lambda: self.case.check_withdraw(request)):
            self._send(self.case.withdraw(request, workflow.now()))
        return self.case.view()

    @withdraw.validator
    def validate_withdraw(self, request: Withdraw) -> None:
        _rejecting(lambda: self.case.check_withdraw(request))

    @workflow.update(name=names.EXTEND_DEADLINE)
    async def extend_deadline(self, request: ExtendDeadline) -> CaseView:
        async with self._acting(lambda: self.case.check_extend_deadline(request, today_in_england())):
            planned = await self._extend(request)
            if request.deadline == CONSENT_WINDOW:
                self._send(self.case.announce_consent_extended(planned.due))
        return self.case.view()

    @extend_deadline.validator
    def validate_extend_deadline(self, request: ExtendDeadline) -> None:
        _rejecting(lambda: self.case.check_extend_deadline(request, today_in_england()))

    @workflow.update(name=names.RECORD_DECISION)
    async def record_decision(self, request: RecordDecision) -> CaseView:
        async with self._acting(lambda: self.case.check_record_decision(request, today_in_england())):
            plan = await self._plan_appeal(request.date, certificate=None)  # DR gives no certificate
            self.case.record_decision(request, plan, workflow.now())
        return self.case.view()

    @record_decision.validator
    def validate_record_decision(self, request: RecordDecision) -> None:
        _rejecting(lambda: self.case.check_record_decision(request, today_in_england()))

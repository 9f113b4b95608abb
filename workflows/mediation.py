"""The statutory mediation workflow: one appealable Local Authority decision (DESIGN section 8).

The process:

1. The case opens in **advice**: the family has contacted the mediation adviser. The appeal clock
   starts from the decision (2 months, HESC r.20(1)(c)); opening more than 2 months after it warns
   the officer (reg 33).
2. The family **chooses**. No: the adviser's certificate is due in 3 working days, and issuing it
   closes the case as `certificate_only`. Yes: the LA (or, for health only, the commissioners) must
   make mediation take place within 30 days; health commissioners get the notice of the issues.
3. The LA **arranges the session** (a mediator independent of the LA, an ICB and NHS England; at
   least 5 working days' notice unless the family agrees to less), or reports that it **cannot
   arrange** it in time: the certificate is then due, and mediation may still happen later.
4. After the session the outcome is recorded; the certificate is due; agreed actions are followed
   up with the reg 42 periods.
5. Each certificate moves the appeal deadline to 1 month after it when that is later (not for a
   `school_only` appeal). The family's clocks outlive the case: warnings until the appeal deadline
   passes or its status is recorded.
"""

from __future__ import annotations


from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows import names
    from domain.deadlines import SESSION, SESSION_NOTICE
    from domain.mediation import Mediation
    from domain.notifications import Announcement
    from domain.models import (
        CaseView,
        ExtendDeadline,
        IssueCertificate,
        OpenMediation,
        ProposeSlots,
        RecordChoice,
        RecordOutcome,
        ReportCannotArrange,
        ScheduleSession,
        Withdraw,
    )
    from workflows.machinery import CaseWorkflow, _rejecting, today_in_england


@workflow.defn(name=names.MEDIATION_CASE)
class MediationCase(CaseWorkflow):
    case: Mediation

    # The input is a new case, or, after continue-as-new, the case carried over whole.
    @workflow.init
    def __init__(self, start: OpenMediation | Mediation) -> None:
        self._start(start, Mediation)

    @workflow.run
    async def run(self, start: OpenMediation | Mediation) -> CaseView:
        return await self._run_case()

    async def _open(self) -> None:
        async with self._lock:
            _rejecting(lambda: self.case.check_open(today_in_england()))
            plan = await self._plan_appeal(self.case.opened.decision_date, certificate=None)
            self.case.set_appeal(plan, workflow.now())
            for deadline in await self._plan_each(self.case.plan_opening(workflow.now())):
                self.case.set_deadline(deadline)
            self._send(self.case.announce_opening(workflow.now(), today_in_england()))

    # --- Staff actions -----------------------------------------------------------------------------

    @workflow.update(name=names.RECORD_CHOICE)
    async def record_choice(self, request: RecordChoice) -> CaseView:
        async with self._acting(lambda: self.case.check_record_choice(request, today_in_england())):
            if self.case.repeats(request):  # the same answer again from the family's link: nothing changes
                return self.case.view()
            planned = await self._plan_each(self.case.plan_choice(request, workflow.now(), today_in_england()))
            self._send(self.case.record_choice(request, planned, workflow.now(), today_in_england()))
        return self.case.view()

    @record_choice.validator
    def validate_record_choice(self, request: RecordChoice) -> None:
        _rejecting(lambda: self.case.check_record_choice(request, today_in_england()))

    @workflow.update(name=names.ISSUE_CERTIFICATE)
    async def issue_certificate(self, request: IssueCertificate) -> CaseView:
        async with self._acting(lambda: self.case.check_issue_certificate(request, today_in_england())):
            issued = request.issued_on or today_in_england()
            plan = (
                await self._plan_appeal(self.case.opened.decision_date, certificate=issued)
                if self.case.certificate_moves_appeal() else None
            )
            self._send(self.case.issue_certificate(request, plan, workflow.now(), today_in_england()))
        return self.case.view()

    @issue_certificate.validator
    def validate_issue_certificate(self, request: IssueCertificate) -> None:
        _rejecting(lambda: self.case.check_issue_certificate(request, today_in_england()))

    @workflow.update(name=names.REPORT_CANNOT_ARRANGE)
    async def report_cannot_arrange(self, request: ReportCannotArrange) -> CaseView:
        async with self._acting(lambda: self.case.check_report_cannot_arrange(request, today_in_england())):
            planned = await self._plan_each(self.case.plan_cannot_arrange(request, workflow.now(), today_in_england()))
            self._send(self.case.report_cannot_arrange(request, planned, workflow.now()))
        return self.case.view()

    @report_cannot_arrange.validator
    def validate_report_cannot_arrange(self, request: ReportCannotArrange) -> None:
        _rejecting(lambda: self.case.check_report_cannot_arrange(request, today_in_england()))

    @workflow.update(name=names.SCHEDULE_SESSION)
    async def schedule_session(self, request: ScheduleSession) -> CaseView:
        async with self._acting(lambda: self.case.check_schedule_session(request, workflow.now())):
            # The validator counted weekdays; bank holidays need the calendar, so the exact count is here.
            notice = await self._plan(SESSION_NOTICE, start=request.at)
            if not request.short_notice_agreed:
                _rejecting(lambda: Mediation.check_notice(request.at, notice.due, today_in_england(), ("at",)))
            reminder = await self._plan(SESSION, start=request.at)
            announced = self.case.schedule_session(request, workflow.now())
            self.case.set_deadline(reminder)
            self._send(announced)
        return self.case.view()

    async def _check_slots_notice(self, request: ProposeSlots) -> None:
        """Each proposed time with the exact count, as `schedule_session` makes it (one planning)."""
        notices = await self._plan_each([self._deadline(SESSION_NOTICE, start=at) for at in request.slots])
        for index, (at, notice) in enumerate(zip(request.slots, notices, strict=True)):
            _rejecting(lambda: Mediation.check_notice(at, notice.due, today_in_england(), ("slots", index), proposed=True))

    @schedule_session.validator
    def validate_schedule_session(self, request: ScheduleSession) -> None:
        _rejecting(lambda: self.case.check_schedule_session(request, workflow.now()))

    @workflow.update(name=names.RECORD_OUTCOME)
    async def record_outcome(self, request: RecordOutcome) -> CaseView:
        async with self._acting(lambda: self.case.check_record_outcome(request, workflow.now())):
            planned = await self._plan_each(self.case.plan_outcome(request, workflow.now()))
            self._send(self.case.record_outcome(request, planned, workflow.now()))
        return self.case.view()

    @record_outcome.validator
    def validate_record_outcome(self, request: RecordOutcome) -> None:
        _rejecting(lambda: self.case.check_record_outcome(request, workflow.now()))

    @workflow.update(name=names.WITHDRAW)
    async def withdraw(self, request: Withdraw) -> CaseView:
        async with self._acting(lambda: self.case.check_withdraw(request)):
            planned = await self._plan_each(self.case.plan_certificate_on_withdrawal(workflow.now()))
            self._send(self.case.withdraw(request, planned, workflow.now()))
        return self.case.view()

    async def _withdraw_for_service(self) -> list[Announcement]:
        planned = await self._plan_each(self.case.plan_certificate_on_withdrawal(workflow.now()))
        return self.case.withdrawn_by_service(planned, workflow.now())

    @withdraw.validator
    def validate_withdraw(self, request: Withdraw) -> None:
        _rejecting(lambda: self.case.check_withdraw(request))

    @workflow.update(name=names.EXTEND_DEADLINE)
    async def extend_deadline(self, request: ExtendDeadline) -> CaseView:
        async with self._acting(lambda: self.case.check_extend_deadline(request, today_in_england())):
            await self._extend(request)
        return self.case.view()

    @extend_deadline.validator
    def validate_extend_deadline(self, request: ExtendDeadline) -> None:
        _rejecting(lambda: self.case.check_extend_deadline(request, today_in_england()))

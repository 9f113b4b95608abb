"""A disagreement resolution case (DESIGN section 3; SEND Code of Practice 11.6-11.12; CFA 2014 s.57),
free of Temporal: informal talks, an offer every party must agree to, a session with an
independent mediator, and the agreed actions that follow. It shares the case file (parties,
deadlines, mediator, session, actions, appeal clock) with statutory mediation
(`domain.mediation.Mediation`); what differs is here.

Disagreement resolution is voluntary: silence is not consent (Code 11.6), so a consent window that
ends with someone silent closes the case. It gives no certificate and never moves the family's
appeal deadline.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from domain.case import (
    APPLICANT, CASE_OPENED, OPEN_STAGES, SYSTEM, ActionStages, CaseFile, Party, RuleViolation, route_action_stages,
)
from domain.deadlines import (
    APPEAL, CONSENT_WINDOW, OUTCOME_RECORD, SESSION_ARRANGEMENT, TALKS_REVIEW, WRITTEN_OUTCOME, Alarm, AppealPlan,
    PlannedDeadline,
)
from domain.models import (
    CaseOutcome,
    CaseStage,
    Consent,
    DeadlineState,
    DecisionView,
    OfferResolution,
    OpenCase,
    RecordConsent,
    RecordDecision,
    RecordOutcome,
    RecordTalk,
    StaffAction,
    TalkOutcome,
    Withdraw,
    acting_party,
)
from domain.notifications import Announcement, AnswerPurpose, Template
from domain.words import (
    CONSENT_WORDS, DECISION_KIND_WORDS, TALK_WORDS, counted, date_and_time, duty_words, long_date, outcome_words,
)


class Resolution(CaseFile):
    """A disagreement resolution case (DESIGN section 3): informal talks, consent, a session."""

    action_stages: ClassVar[ActionStages] = route_action_stages(OPEN_STAGES, {
        RecordTalk: (CaseStage.informal_talks,), OfferResolution: (CaseStage.informal_talks,),
        RecordConsent: (CaseStage.awaiting_consent,),
    })
    arrangement_deadline: ClassVar[str] = SESSION_ARRANGEMENT
    opened: OpenCase
    stage: CaseStage = CaseStage.informal_talks
    talks: int = 0

    def _reminded(self, alarm: Alarm, due: date | None, dated: str) -> list[Announcement]:
        if alarm.deadline == CONSENT_WINDOW:
            silent = tuple(party.id for party in self.silent_parties())
            return [Announcement(Template.consent_reminder, silent, f"consent_reminder-{dated}", _asking_consent(due))]
        return super()._reminded(alarm, due, dated)

    def _expired(self, alarm: Alarm, due: date | None, dated: str, at: datetime) -> list[Announcement]:
        if alarm.deadline == CONSENT_WINDOW:
            # Silence is not consent (Code 11.6): anyone still silent closes the case.
            if silent := [party.name for party in self.silent_parties()]:
                self.close(CaseOutcome.no_response, at, SYSTEM)
                return [self.closure(waiting_for=silent, due=due)]
            return []
        return super()._expired(alarm, due, dated, at)

    def _route_view(self) -> dict:
        fields = {"kinds": self.opened.kinds, "ehc_point": self.opened.ehc_point, "summary": self.opened.summary}
        if self.deadline(APPEAL) is None:
            fields["appeal_deadline"] = self.opened.appeal_deadline
        return fields

    @classmethod
    def open(cls, reference: str, opened: OpenCase, at: datetime) -> Resolution:
        applicant = Party(
            id=APPLICANT, name=opened.applicant.name, contact=opened.applicant.contact, role=opened.applicant.role
        )
        organisations = [
            Party(id=f"org-{number}", name=org.name, contact=org.contact, kind=org.kind)
            for number, org in enumerate(opened.organisations, start=1)
        ]
        case = cls(reference=reference, opened=opened, parties=[applicant, *organisations])
        case.record(
            at, opened.opened_by, CASE_OPENED,
            f"Disagreement resolution with {counted(len(organisations), 'organisation')}; case officer {opened.case_officer}",
        )
        return case

    def silent_parties(self) -> list[Party]:
        return [party for party in self.parties if party.consent is Consent.pending]

    def check_record_talk(self, request: RecordTalk) -> None:
        self._require_stage(RecordTalk, doing="record a talk")
        self._require_room(request.notes, "notes")

    def check_offer_resolution(self, request: OfferResolution) -> None:
        self._require_stage(OfferResolution, doing="offer disagreement resolution")

    def _same_answer(self, request: StaffAction) -> bool:
        if isinstance(request, RecordConsent):
            party = self.party(request.party)
            return party is not None and party.consent is _consent(request)
        return super()._same_answer(request)

    def check_record_consent(self, request: RecordConsent) -> None:
        """One answer per party. A party answering online may not change an answer already recorded
        (the same one again changes nothing: `repeats`). Staff may correct an answer given online
        while consent is still being gathered (the family rang to say they pressed the wrong button):
        the timeline shows the correction. An answer staff recorded stays; to leave, a party withdraws."""
        if self.repeats(request):
            return
        party = self._require_party(request.party)
        self._require_own_answer(request.actor, party.id)
        if party.consent is not Consent.pending and acting_party(request.actor) is not None:  # whatever the stage now
            raise RuleViolation(
                f"{party.id} has already {party.consent.value}: a different answer cannot be given online; contact the "
                "case officer to change it",
                "agree",
            )
        self._require_stage(RecordConsent, doing="record consent")
        correcting = party.answered_online and party.consent is not _consent(request)
        if party.consent is not Consent.pending and not correcting:
            raise RuleViolation(
                f"{party.id} has already {party.consent.value}: an answer is recorded once; to leave the process, "
                "record a withdrawal",
                "party",
            )

    def check_record_decision(self, request: RecordDecision, today: date) -> None:
        if self.appeal_status is not None:
            raise RuleViolation(
                f"the family's appeal is already recorded as {self.appeal_status.value.replace('_', ' ')}"
            )
        if request.date > today:
            raise RuleViolation(
                f"the decision date, {long_date(request.date)}, is in the future: give the date the Local "
                "Authority's written notice was sent",
                "date",
            )

    def record_talk(self, request: RecordTalk, at: datetime) -> None:
        self.talks += 1
        detail = f"Talk {self.talks}: {TALK_WORDS[request.outcome]}"
        self.record(at, request.actor, "talk_recorded", f"{detail}. {request.notes}" if request.notes else detail)
        self._settle(TALKS_REVIEW)
        if request.outcome is TalkOutcome.resolved:
            self.close(CaseOutcome.resolved_informally, at, request.actor)

    def offer_resolution(self, request: OfferResolution, at: datetime) -> None:
        self.stage = CaseStage.awaiting_consent
        self.record(at, request.actor, "resolution_offered", "Disagreement resolution offered to every party")
        self._settle(TALKS_REVIEW)

    def record_consent(self, request: RecordConsent, at: datetime) -> list[Announcement]:
        """Record one answer. The party hears it was recorded (and whom we still wait for); a
        decline closes the case and everybody hears why."""
        party = self._require_party(request.party)
        before, party.consent = party.consent, _consent(request)
        detail = f"{party.name} {CONSENT_WORDS[party.consent].lower()}"
        event = "consent_recorded"
        if before is not Consent.pending:  # staff correcting an answer given online
            event, detail = "consent_corrected", f"corrected by staff: {detail} (answered online: {CONSENT_WORDS[before].lower()})"
        detail += self._online(request.actor)
        party.answered_online = acting_party(request.actor) is not None
        self.record(at, request.actor, event, f"{detail}. {request.notes}" if request.notes else detail)
        if party.consent is Consent.declined:
            self.close(CaseOutcome.declined, at, request.actor)
        elif not self.silent_parties():
            self._settle(CONSENT_WINDOW)
            self.stage = CaseStage.arranging_session
        waiting = [] if self.is_closed else [p.name for p in self.silent_parties()]
        event = None if before is Consent.pending else f"consent_corrected-{len(self.timeline)}"
        told = [Announcement(Template.consent_recorded, (party.id,), event, {"answer": party.consent.value, "waiting_for": waiting})]
        told += self._told_online(request.actor, party, f"{CONSENT_WORDS[party.consent].lower()} to disagreement resolution")
        return told + ([self.closure(party_name=party.name)] if self.is_closed else [])

    def announce_opening(self) -> list[Announcement]:
        return [Announcement(Template.case_opened, tuple(self.party_ids()))]

    def announce_consent_extended(self, due: date) -> list[Announcement]:
        """Parties still to answer hear the new end of the consent window."""
        silent = tuple(party.id for party in self.silent_parties())
        return [Announcement(Template.consent_reminder, silent, f"consent_extended-{due:%Y%m%d}", _asking_consent(due))]

    def announce_offer(self) -> list[Announcement]:
        window = self.deadline(CONSENT_WINDOW)
        assert window is not None
        return [Announcement(Template.resolution_offered, tuple(self.party_ids()), None, _asking_consent(window.due))]

    def record_outcome(self, request: RecordOutcome, at: datetime, action_dues: list[date]) -> None:
        """Record the session result; `action_dues` are the planned due dates of the actions."""
        self.result = request.result
        self.record(at, request.actor, "outcome_recorded", outcome_words(request))
        self._session_held()
        self._settle(OUTCOME_RECORD)
        self._agree_actions(request, action_dues)
        if self.actions:
            self.stage = CaseStage.monitoring_agreement
        else:
            self.close(CaseOutcome(request.result.value), at, request.actor)

    def replan_after_session(self, planned: list[PlannedDeadline], at: datetime, actor: str) -> None:
        """Set the deadlines counted from the session, planned for its new time. An extension staff
        gave earlier stands while it still gives at least as much time as the new plan; otherwise the
        new date replaces it, and the timeline says so and why."""
        assert self.session is not None
        for deadline in planned:
            current = self.deadline(deadline.name)
            if current is not None and current.extended and current.state is DeadlineState.open:
                if current.due >= deadline.due:
                    self.record(
                        at, actor, "extension_kept",
                        f"{duty_words(deadline.name)} stays {long_date(current.due)} as extended: still no earlier "
                        f"than the {long_date(deadline.due)} the new session time gives",
                    )
                    continue
                self.record(
                    at, actor, "extension_replaced",
                    f"{duty_words(deadline.name)} extended to {long_date(current.due)} is now {long_date(deadline.due)}: "
                    f"the session moved to {date_and_time(self.session.at)}, and the usual time after it ends later",
                )
            self.set_deadline(deadline)

    def written_outcome_sent(self) -> None:
        self._settle(WRITTEN_OUTCOME)

    def withdraw(self, request: Withdraw, at: datetime) -> list[Announcement]:
        started = any(entry.event == "resolution_offered" for entry in self.timeline)
        party = self._require_party(request.party)
        party.consent = Consent.withdrawn
        self.record(at, request.actor, "withdrawn", f"{party.name} withdrew: {request.reason}")
        self.close(CaseOutcome.withdrawn, at, request.actor)
        return [self.closure(party_name=party.name, resolution_started=started)]

    def withdrawn_by_service(self, at: datetime) -> list[Announcement]:
        started = any(entry.event == "resolution_offered" for entry in self.timeline)
        return self._close_for_service(at, resolution_started=started)

    def record_decision(self, request: RecordDecision, appeal: AppealPlan, at: datetime) -> None:
        """The decision is known: the appeal deadline is the one the clock computed."""
        self.decision = DecisionView(kind=request.kind, date=request.date)
        self.record(
            at, request.actor, "decision_recorded",
            f"{DECISION_KIND_WORDS[request.kind]}, notice sent {long_date(request.date)}; appeal deadline "
            f"{long_date(appeal.deadline.due)}",
        )
        self.set_appeal(appeal, at)


def _consent(request: RecordConsent) -> Consent:
    return Consent.agreed if request.agree else Consent.declined


def _asking_consent(due: date) -> dict:
    """A message asking every recipient for its consent by `due`, the consent window's last day: the
    link in it can be used until the end of that day."""
    return {"due": due, "asks": AnswerPurpose.consent, "answer_until": due}

"""What is due, without a server (DESIGN section 13): the `OpenDuties` values a case publishes (no
names), read back as rows; working days left on hand-worked dates (England's bank holidays); the
order (overdue first, then by date); the week's window; who owes each, in words; and the console
action each row links to."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.case import Deadline
from domain.due import DueDuty, due_duty, in_order, owed_by_words, time_left_words, within
from domain.models import CaseStage, DeadlineState, Route
from domain.resolution import Resolution
from tests.conftest import open_case, personal_data
from web.home import action_link, due_rows
from workflows.visibility import open_duties

# Hand-worked: Christmas 2026 falls on a Friday, Boxing Day on a Saturday, so Monday 28 December is
# its substitute bank holiday (England and Wales).
CHRISTMAS_EVE = date(2026, 12, 24)  # a Thursday


def row(value: str, today: date = CHRISTMAS_EVE, *, stage: CaseStage = CaseStage.awaiting_consent,
        route: Route = Route.disagreement_resolution, reference: str = "DR-2026-AAAAAA") -> DueDuty:
    return due_duty(value, reference=reference, route=route, stage=stage, case_officer="ann.lee", today=today)


def test_working_days_left_skip_weekends_and_england_s_bank_holidays() -> None:
    # Fri 25 (Christmas), Sat 26, Sun 27, Mon 28 (Boxing Day's substitute): Tuesday is the first working day.
    assert row("2026-12-29|consent_window|case_officer").working_days_left == 1
    assert row("2026-12-31|consent_window|case_officer").working_days_left == 3
    # Friday 1 January is New Year's Day: Monday 4 January 2027 is the 4th working day.
    assert row("2027-01-04|consent_window|case_officer").working_days_left == 4
    assert time_left_words(row("2027-01-04|consent_window|case_officer"), CHRISTMAS_EVE) == "4 working days left"
    assert time_left_words(row("2026-12-29|consent_window|case_officer"), CHRISTMAS_EVE) == "1 working day left"
    assert time_left_words(row("2026-12-24|consent_window|case_officer"), CHRISTMAS_EVE) == "Due today"


def test_overdue_by_working_days() -> None:
    # Due Monday 21 December; on Christmas Eve, Tuesday to Thursday have passed: 3 working days late.
    late = row("2026-12-21|outcome_record|case_officer")
    assert (late.overdue, late.working_days_left) == (True, -3)
    assert time_left_words(late, CHRISTMAS_EVE) == "Overdue by 3 working days"
    # Due on Christmas Day: on Monday 28th (a bank holiday too) no working day has passed since.
    assert time_left_words(row("2026-12-25|certificate|mediator", date(2026, 12, 28)), date(2026, 12, 28)) == "Overdue"


def test_overdue_first_then_by_due_date_and_the_week_s_window() -> None:
    duties = [
        row("2027-01-04|consent_window|case_officer", reference="DR-2026-BBBBBB"),
        row("2026-12-29|certificate|mediation_adviser", reference="MD-2026-CCCCCC", route=Route.mediation, stage=CaseStage.certificate_due),
        row("2026-12-22|talks_review|case_officer", reference="DR-2026-DDDDDD", stage=CaseStage.informal_talks),
        row("2027-01-15|action-1|org-2:school", reference="DR-2026-EEEEEE", stage=CaseStage.monitoring_agreement),
        row("2026-12-18|outcome_record|case_officer", reference="DR-2026-FFFFFF", stage=CaseStage.session_scheduled),
    ]
    ordered = in_order(duties)
    assert [duty.reference[-1] for duty in ordered] == ["F", "D", "C", "B", "E"]
    assert [duty.overdue for duty in ordered] == [True, True, False, False, False]
    # Within 5 working days of Christmas Eve: up to Tuesday 5 January (29, 30, 31 December, 4 and 5 January).
    assert [duty.reference[-1] for duty in within(ordered, 5, CHRISTMAS_EVE)] == ["F", "D", "C", "B"]
    assert [duty.reference[-1] for duty in within(ordered, 0, CHRISTMAS_EVE)] == ["F", "D"]
    assert within(ordered, None, CHRISTMAS_EVE) == ordered


def test_who_owes_it_in_words_and_never_a_name() -> None:
    assert owed_by_words(row("2026-12-29|action-1|org-2:school")) == "A school"
    assert owed_by_words(row("2026-12-29|mediation_arrangement|local_authority")) == "The Local Authority"
    assert owed_by_words(row("2026-12-29|certificate|mediation_adviser")) == "The mediation adviser"
    assert owed_by_words(row("2026-12-29|certificate|mediator")) == "The mediator"
    assert owed_by_words(row("2026-12-29|consent_window|case_officer")) == "The case officer"
    assert owed_by_words(row("2026-12-29|action-2|applicant")) == "The family"


def test_each_row_links_to_the_action_that_discharges_its_duty() -> None:
    assert action_link(row("2026-12-29|consent_window|case_officer")) == ("/cases/DR-2026-AAAAAA/consent", "Record a party's answer")
    assert action_link(row("2026-12-29|talks_review|case_officer", stage=CaseStage.informal_talks))[0] == "/cases/DR-2026-AAAAAA/talk"
    arranging = row("2026-12-29|mediation_arrangement|local_authority", stage=CaseStage.arranging_session, route=Route.mediation, reference="MD-2026-AAAAAA")
    assert action_link(arranging) == ("/cases/MD-2026-AAAAAA/session", "Book the session")
    assert action_link(row("2026-12-29|action-1|org-2:school", stage=CaseStage.monitoring_agreement))[0] == "/cases/DR-2026-AAAAAA/action-done"
    certificate = row("2026-12-29|certificate|mediator", stage=CaseStage.certificate_due, route=Route.mediation, reference="MD-2026-AAAAAA")
    assert action_link(certificate)[0] == "/cases/MD-2026-AAAAAA/certificate"
    # The product sends the health notice itself: the row links to the case.
    notice = row("2026-12-29|health_notice|local_authority", stage=CaseStage.arranging_session, route=Route.mediation, reference="MD-2026-AAAAAA")
    assert action_link(notice) == ("/cases/MD-2026-AAAAAA", "View case MD-2026-AAAAAA")
    [shown] = due_rows([notice], CHRISTMAS_EVE)
    assert (shown.owed_by, shown.tag, shown.left, shown.due) == ("The Local Authority", "govuk-tag--blue", "1 working day left", "29 December 2026")


def test_a_case_publishes_each_duty_it_still_owes_with_no_name() -> None:
    opened = open_case()
    case = Resolution.open("DR-2026-AAAAAA", opened, datetime(2026, 12, 1, 10, tzinfo=UTC))

    def duty(name: str, due: date, owed_by: str, state: DeadlineState = DeadlineState.open, outstanding: bool = True) -> Deadline:
        return Deadline(name=name, due=due, expires_at=datetime(2027, 1, 1, tzinfo=UTC), working_days=True, owed_by=owed_by,
                        state=state, outstanding=outstanding)

    case.deadlines = [
        duty("action-1", date(2026, 12, 21), "org-1"),  # the school (open_case's first organisation)
        duty("consent_window", date(2026, 12, 14), "case_officer", DeadlineState.missed),  # missed, still to be done
        duty("talks_review", date(2026, 12, 10), "case_officer", DeadlineState.met),
        duty("session_arrangement", date(2026, 12, 11), "case_officer", DeadlineState.missed, outstanding=False),
        duty("appeal", date(2027, 2, 1), "applicant"),  # the family's own clock: AppealDeadline holds it
    ]
    published = open_duties(case)
    assert published == ["2026-12-14|consent_window|case_officer", "2026-12-21|action-1|org-1:school"]
    assert not any(value in text for value in personal_data(opened) for text in published)

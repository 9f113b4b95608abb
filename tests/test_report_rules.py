"""The report's rules without any server (domain/report.py): a seeded set of cases whose every figure
is counted by hand below, and the promise that each number is the count of what is listed behind it,
over the seeded set and over case views hypothesis makes up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from domain.models import (
    CaseOutcome, CaseStage, CaseView, Channel, DeadlineState, DeadlineView, DecisionKind, DecisionView, DeliveryStatus,
    DisagreementKind, NotificationView, Route, TimelineEntry,
)
from domain.report import Period, PeriodError, figure_words, nearest_rank, period_asked, report

MARCH = Period(date(2027, 3, 1), date(2027, 3, 31))
AFTER_MARCH = date(2027, 4, 10)  # the day the report is run: every March date has passed


def at(day: date) -> datetime:
    return datetime.combine(day, time(11), UTC)  # 11:00 UTC: the same day in England, GMT or BST


def duty(name: str, due: str, state: DeadlineState = DeadlineState.open, settled: str | None = None) -> DeadlineView:
    owed = state is DeadlineState.open or (state is DeadlineState.missed and settled is None)
    return DeadlineView(
        name=name, due=date.fromisoformat(due), state=state, settled_on=date.fromisoformat(settled) if settled else None,
        owed=owed,
    )


def message(channel: Channel | None, status: DeliveryStatus = DeliveryStatus.sent, to: str = "applicant") -> NotificationView:
    return NotificationView(to=to, template="case_opened", channel=channel, status=status)


def case(
    reference: str, opened: str, closed: str | None = None, outcome: CaseOutcome | None = None, *,
    kinds: tuple[DisagreementKind, ...] = (), decision: DecisionKind | None = None,
    deadlines: tuple[DeadlineView, ...] = (), messages: tuple[NotificationView, ...] = (),
    stage: CaseStage | None = None,
) -> CaseView:
    timeline = [TimelineEntry(at=at(date.fromisoformat(opened)), actor="jo.smith", event="case_opened")]
    if closed:
        timeline.append(TimelineEntry(at=at(date.fromisoformat(closed)), actor="jo.smith", event="case_closed"))
    route = Route.mediation if reference.startswith("MD-") else Route.disagreement_resolution
    return CaseView(
        reference=reference, stage=stage or (CaseStage.closed if closed else CaseStage.informal_talks), outcome=outcome,
        case_officer="jo.smith", parties=[], deadlines=list(deadlines), mediator=None, session=None, actions=[],
        timeline=timeline, notifications=list(messages), kinds=list(kinds), route=route,
        decision=DecisionView(kind=decision, date=date(2027, 1, 4)) if decision else None,
    )


E, S, L = Channel.email, Channel.sms, Channel.letter
MET, MISSED, CANCELLED = DeadlineState.met, DeadlineState.missed, DeadlineState.cancelled
FAILED, PENDING = DeliveryStatus.failed, DeliveryStatus.pending

SEEDED = [
    # A: opened in February, closed on Friday 5 March, resolved informally. Its talks review, due Monday
    # 8 March, was met early: a duty due in March of a case opened before it. Its messages are February's.
    case("DR-2027-AAAAA1", "2027-02-15", "2027-03-05", CaseOutcome.resolved_informally,
         kinds=(DisagreementKind.provision,),
         deadlines=(duty("talks_review", "2027-03-08", MET, "2027-03-05"),),
         messages=(message(E), message(E), message(E))),
    # B: opened Monday 1 March, closed Wednesday 31 March, partial agreement, about provision and duties.
    case("DR-2027-BBBBB2", "2027-03-01", "2027-03-31", CaseOutcome.partial_agreement,
         kinds=(DisagreementKind.provision, DisagreementKind.duties),
         deadlines=(
             duty("talks_review", "2027-03-22", MET, "2027-03-03"),  # on time
             duty("consent_window", "2027-03-17", MET, "2027-03-10"),  # on time
             duty("session_arrangement", "2027-04-09", MET, "2027-03-20"),  # due in April: not March's
             duty("outcome_record", "2027-03-23", MISSED, "2027-03-25"),  # met late
             duty("written_outcome", "2027-03-26", MET, "2027-03-20"),  # on time
             duty("action-1", "2027-03-30", MISSED, "2027-03-31"),  # met late
             duty("action-2", "2027-03-31", MET, "2027-03-31"),  # on time, on its last day
         ),
         messages=(message(E), message(E), message(E), message(E), message(S), message(L, FAILED, "org-1"))),
    # C: statutory mediation about a refusal to assess, opened 10 March, still arranging its session.
    # Its health notice (due 15 March) is still owed: missed. The family asked to be called back on
    # Thursday 11 March and was, the next day: on time. Its mediation is due in April; the appeal
    # deadline is the family's, never counted.
    case("MD-2027-CCCCC3", "2027-03-10", decision=DecisionKind.refusal_to_assess, stage=CaseStage.arranging_session,
         deadlines=(duty("health_notice", "2027-03-15"), duty("callback-1", "2027-03-15", MET, "2027-03-12"),
                    duty("mediation_arrangement", "2027-04-09"),
                    duty("appeal", "2027-03-20")),
         messages=(message(E), message(E), message(None, PENDING, "org-2"))),
    # D: mediation about a plan's contents, opened Tuesday 2 March; the family said no and the certificate
    # (due 5 March) was issued on the 3rd, which closed it as certificate only. Its appeal clock runs on.
    case("MD-2027-DDDDD4", "2027-03-02", "2027-03-03", CaseOutcome.certificate_only, decision=DecisionKind.plan_contents,
         deadlines=(duty("certificate", "2027-03-05", MET, "2027-03-03"), duty("appeal", "2027-03-26")),
         messages=(message(E), message(E))),
    # E: opened Saturday 20 March, withdrawn Wednesday 24 March: its consent window (due 25 March) was
    # cancelled by the withdrawal and is not counted; nor is its talks review, due in April and cancelled.
    case("DR-2027-EEEEE5", "2027-03-20", "2027-03-24", CaseOutcome.withdrawn, kinds=(DisagreementKind.health_social_care,),
         deadlines=(duty("talks_review", "2027-04-12", CANCELLED, "2027-03-24"),
                    duty("consent_window", "2027-03-25", CANCELLED, "2027-03-24")),
         messages=(message(E, FAILED),)),
    # F: mediation opened in January whose session ended with no agreement; the mediator's certificate
    # (due 2 March) is still owed, so the case is not closed: it waits in certificate_due, open.
    case("MD-2027-FFFFF6", "2027-01-10", None, CaseOutcome.no_agreement, decision=DecisionKind.refusal_to_issue_plan,
         stage=CaseStage.certificate_due, deadlines=(duty("certificate", "2027-03-02", MISSED),)),
    # G: opened in April: nowhere in March.
    case("DR-2027-GGGGG7", "2027-04-05", kinds=(DisagreementKind.provision,),
         deadlines=(duty("talks_review", "2027-04-26"),), messages=(message(E),)),
    # H: opened on Easter Monday, 29 March, still in informal talks.
    case("DR-2027-HHHHH8", "2027-03-29", kinds=(DisagreementKind.provision,), deadlines=(duty("talks_review", "2027-04-20"),)),
]


def test_the_seeded_cases_give_the_figures_counted_by_hand() -> None:
    figures = report(SEEDED, MARCH, AFTER_MARCH).as_json()
    assert figures["period"] == {"from": "2027-03-01", "to": "2027-03-31", "as_of": "2027-04-10", "route": None}
    # Opened in March: B (1st), D (2nd), C (10th), E (20th), H (29th). A opened in February, F in January,
    # G in April. Closed in March: D (3rd), A (5th), E (24th), B (31st); F is not closed (certificate owed).
    cases = figures["cases"]
    assert (cases["opened"], cases["closed"]) == (5, 4)
    assert cases["by_route"] == {
        "disagreement_resolution": {"opened": 3, "closed": 3},  # opened B, E, H; closed A, B, E
        "mediation": {"opened": 2, "closed": 1},  # opened C, D; closed D
    }
    # B is about two kinds, so it counts under both; mediation by its decision.
    assert cases["by_kind"] == {
        "duties": {"opened": 1, "closed": 1},  # B
        "provision": {"opened": 2, "closed": 2},  # opened B, H; closed A, B
        "health_social_care": {"opened": 1, "closed": 1},  # E
        "refusal_to_assess": {"opened": 1, "closed": 0},  # C
        "refusal_to_issue_plan": {"opened": 0, "closed": 0},  # F: opened in January, not closed
        "plan_contents": {"opened": 1, "closed": 1},  # D
        "refusal_to_reassess": {"opened": 0, "closed": 0},
        "refusal_to_amend": {"opened": 0, "closed": 0},
        "cease_to_maintain": {"opened": 0, "closed": 0},
    }
    # Of the four closed: A resolved informally, B partial agreement, D certificate only, E withdrawn.
    # F's "no agreement" is not an outcome yet: it has not closed.
    assert {outcome: n for outcome, n in figures["outcomes"].items() if n} == {
        "resolved_informally": 1, "partial_agreement": 1, "certificate_only": 1, "withdrawn": 1,
    }
    # Working days after the opening day up to the closing day, England's bank holidays skipped:
    # A, Mon 15 Feb -> Fri 5 Mar: 16-19 Feb (4), 22-26 Feb (5), 1-5 Mar (5) = 14.
    # B, Mon 1 Mar -> Wed 31 Mar: 2-5 (4), 8-12 (5), 15-19 (5), 22-25 (4: Good Friday the 26th),
    #    29 Mar is Easter Monday, 30-31 (2) = 20.
    # D, Tue 2 Mar -> Wed 3 Mar: 1.   E, Sat 20 Mar -> Wed 24 Mar: 22, 23, 24 = 3.
    # In order [1, 3, 14, 20]: the median is rank ceil(0.5 x 4) = 2, so 3; the 90th percentile rank
    # ceil(0.9 x 4) = 4, so 20.
    assert figures["duration_working_days"] == {"cases": 4, "median": 3, "p90": 20, "method": "nearest rank"}
    duties = figures["duties"]

    def counts(name: str) -> tuple:
        found = duties[name]
        return found["due"], found["on_time"], found["late"], found["missed_open"], found["not_yet_due"], found["percent_on_time"]

    # (due, on time, late, missed or owed, not yet due, % on time of those decided)
    assert counts("talks_review") == (2, 2, 0, 0, 0, 100.0)  # A's (met before its case closed) and B's
    assert counts("consent_window") == (1, 1, 0, 0, 0, 100.0)  # B's; E's was cancelled
    assert counts("session_arrangement") == (0, 0, 0, 0, 0, None)  # B's is due in April
    assert counts("outcome_record") == (1, 0, 1, 0, 0, 0.0)  # B's, met two days late
    assert counts("written_outcome") == (1, 1, 0, 0, 0, 100.0)
    assert counts("action") == (2, 1, 1, 0, 0, 50.0)  # B's action 1 late, action 2 on its last day
    assert counts("health_notice") == (1, 0, 0, 1, 0, 0.0)  # C's, still owed
    assert counts("mediation_arrangement") == (0, 0, 0, 0, 0, None)  # C's is due in April
    assert counts("certificate") == (2, 1, 0, 1, 0, 50.0)  # D's on time; F's still owed
    assert counts("agreement_notice") == (0, 0, 0, 0, 0, None)
    assert counts("callback") == (1, 1, 0, 0, 0, 100.0)  # C's, the next working day: every call-back one kind
    assert "appeal" not in duties  # C's and D's appeal deadlines fall in March: the family's, not ours
    # Messages of the cases opened in March (B, C, D, E, H): B 4 emails and a text sent, a letter failed;
    # C 2 emails sent and one waiting with no channel yet; D 2 emails; E an email failed; H none.
    # A's three were sent in February, with the case it opened then; G's in April.
    assert figures["messages"] == {
        "sent": 9, "failed": 2, "pending": 1,
        "by_channel": {
            "email": {"sent": 8, "failed": 1, "pending": 0},
            "sms": {"sent": 1, "failed": 0, "pending": 0},
            "letter": {"sent": 0, "failed": 1, "pending": 0},
            "none": {"sent": 0, "failed": 0, "pending": 1},
        },
    }
    open_on = dict((point["on"], point["open"]) for point in figures["open_over_time"])
    assert len(open_on) == 31  # a month: every day
    # 1 March: A, B, F. 2 March: A, B, D, F. 3 March: D closed that day, so A, B, F.
    # 31 March: B closed that day; C, F, H are open (A, D, E closed; G not yet opened).
    assert (open_on["2027-03-01"], open_on["2027-03-02"], open_on["2027-03-03"], open_on["2027-03-31"]) == (3, 4, 3, 3)
    # Behind each figure, by reference.
    references = figures["references"]
    assert references["cases.closed"] == ["DR-2027-AAAAA1", "DR-2027-BBBBB2", "DR-2027-EEEEE5", "MD-2027-DDDDD4"]
    assert references["duties.certificate.missed_open"] == ["MD-2027-FFFFF6/certificate"]
    assert references["duties.action.late"] == ["DR-2027-BBBBB2/action-1"]
    assert references["messages.failed"] == ["DR-2027-BBBBB2/case_opened/org-1", "DR-2027-EEEEE5/case_opened/applicant"]


def test_one_route_only() -> None:
    figures = report(SEEDED, MARCH, AFTER_MARCH, route=Route.mediation).as_json()
    # Mediation only: opened C and D, closed D; D's 1 working day alone.
    assert (figures["cases"]["opened"], figures["cases"]["closed"]) == (2, 1)
    assert list(figures["cases"]["by_route"]) == ["mediation"]
    assert "provision" not in figures["cases"]["by_kind"] and "talks_review" not in figures["duties"]
    assert figures["duration_working_days"] == {"cases": 1, "median": 1, "p90": 1, "method": "nearest rank"}
    # C: 2 emails sent, 1 pending; D: 2 emails sent.
    assert (figures["messages"]["sent"], figures["messages"]["failed"], figures["messages"]["pending"]) == (4, 0, 1)
    assert figures["period"]["route"] == "mediation"


def test_a_duty_due_today_or_later_is_not_yet_missed() -> None:
    # Run on 15 March: C's health notice is due today and still owed: not yet due, not missed.
    # F's certificate (due 2 March, owed) is missed; D's was met. So 1 of the 2 decided was on time.
    duties = report(SEEDED, MARCH, date(2027, 3, 15)).as_json()["duties"]
    assert (duties["health_notice"]["not_yet_due"], duties["health_notice"]["missed_open"]) == (1, 0)
    assert duties["health_notice"]["percent_on_time"] is None  # nothing decided yet
    assert duties["certificate"]["percent_on_time"] == 50.0
    # The line stops today: 1 to 15 March.
    assert report(SEEDED, MARCH, date(2027, 3, 15)).as_json()["open_over_time"][-1]["on"] == "2027-03-15"


def test_a_long_period_is_drawn_every_few_days() -> None:
    year = Period(date(2027, 1, 1), date(2027, 12, 31))
    points = report(SEEDED, year, date(2028, 1, 5)).as_json()["open_over_time"]
    assert len(points) <= 61 and points[0]["on"] == "2027-01-01" and points[-1]["on"] == "2027-12-31"


def test_nearest_rank() -> None:
    assert nearest_rank([], 50) is None
    assert nearest_rank([7], 90) == 7
    assert nearest_rank([5, 1, 4, 2, 3], 50) == 3  # rank ceil(2.5) = 3
    assert nearest_rank(list(range(1, 11)), 90) == 9  # rank 9 of 10
    assert nearest_rank(list(range(1, 12)), 90) == 10  # rank ceil(9.9) = 10


def test_periods() -> None:
    today = date(2027, 5, 9)
    assert period_asked(today) == Period(date(2027, 1, 1), today)  # the year to date
    assert period_asked(today, end=date(2027, 8, 31)) == Period(date(2027, 1, 1), date(2027, 8, 31))
    assert period_asked(today, end=date(2026, 3, 31)) == Period(date(2026, 1, 1), date(2026, 3, 31))  # last year's
    assert period_asked(today, start=date(2027, 4, 1)) == Period(date(2027, 4, 1), today)
    with pytest.raises(PeriodError, match="after its last day"):
        Period(date(2027, 4, 1), date(2027, 3, 31))


def numbers_match_what_is_listed(figures: dict) -> None:
    """Every count is the number of items listed behind it, and every list is behind a count."""
    references = figures["references"]
    counted: set[str] = set()

    def walk(path: str, value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{path}.{key}", inner)
        elif path.rsplit(".", 1)[-1] not in ("percent_on_time", "median", "p90", "method"):
            assert value == len(references.get(path, [])), path
            counted.add(path)

    for section in ("cases", "outcomes", "duties", "messages"):
        walk(section, figures[section])
    walk("duration_working_days", {"cases": figures["duration_working_days"]["cases"]})
    assert set(references) <= counted
    for path, items in references.items():
        # Each item starts with a case reference; the due duties are split among the verdicts.
        assert all(item.split("/")[0][:3] in ("DR-", "MD-") for item in items), path
    for name, found in figures["duties"].items():
        assert found["due"] == sum(found[verdict] for verdict in ("on_time", "late", "missed_open", "not_yet_due")), name


def each_item_is_what_its_figure_says(figures: dict, views: dict[str, CaseView], period: Period, today: date) -> None:
    """Every item listed behind a figure, checked against its case by the module's rules restated here
    (not through the report's own code): so a count is the count of the right things."""
    for path, items in figures["references"].items():
        section, *rest = path.split(".")
        for item in items:
            reference, *what = item.split("/")
            view = views[reference]
            if section == "cases" and rest[-1] == "closed" or path == "duration_working_days.cases":
                closing = [entry.at.date() for entry in view.timeline if entry.event == "case_closed"]
                assert closing and period.holds(closing[0]), (path, item)
            elif section == "cases" and rest[-1] == "opened":
                assert period.holds(view.timeline[0].at.date()), (path, item)
            elif section == "duties":
                assert any(  # (a generated case may hold two duties of one name)
                    _stands_as(deadline, rest[-1], period, today) for deadline in view.deadlines if deadline.name == what[0]
                ), (path, item)
            elif section == "messages":
                assert period.holds(view.timeline[0].at.date()), (path, item)
                [status] = [part for part in rest if part in ("sent", "failed", "pending")]
                assert any(
                    message.status.value == status and message.to == what[-1] for message in view.notifications
                ), (path, item)


def _stands_as(deadline, verdict: str, period: Period, today: date) -> bool:
    """A duty due in the period, not the family's appeal clock, not cancelled, standing as `verdict`
    (or counted among those due)."""
    if not period.holds(deadline.due) or deadline.name == "appeal" or deadline.state is DeadlineState.cancelled:
        return False
    late = deadline.settled_on is not None and deadline.settled_on > deadline.due
    return {
        "due": True,
        "on_time": deadline.state is DeadlineState.met and not late,
        "late": deadline.settled_on is not None and (late or deadline.state is DeadlineState.missed),
        "missed_open": deadline.settled_on is None and deadline.due < today and deadline.state is not DeadlineState.met,
        "not_yet_due": deadline.settled_on is None and deadline.due >= today and deadline.state is not DeadlineState.met,
    }[verdict]


def test_each_number_is_the_count_of_what_is_listed_behind_it() -> None:
    numbers_match_what_is_listed(report(SEEDED, MARCH, AFTER_MARCH).as_json())
    seeded = {view.reference: view for view in SEEDED}
    each_item_is_what_its_figure_says(report(SEEDED, MARCH, AFTER_MARCH).as_json(), seeded, MARCH, AFTER_MARCH)
    numbers_match_what_is_listed(report(SEEDED, MARCH, AFTER_MARCH, route=Route.disagreement_resolution).as_json())


def test_every_figure_has_words_and_a_csv_row() -> None:
    made = report(SEEDED, MARCH, AFTER_MARCH)
    rows = made.as_csv().splitlines()
    assert rows[0] == "figure,meaning,value,references"
    assert "duties.certificate.late,Issue the mediation certificate: met late,0," in rows
    assert any(row.startswith("cases.closed,Cases closed,4,DR-2027-AAAAA1 DR-2027-BBBBB2") for row in rows)
    for path, _ in made.figures():
        assert figure_words(path)


DAYS = st.dates(min_value=date(2027, 1, 1), max_value=date(2027, 6, 30))


@st.composite
def case_views(draw: st.DrawFn, number: int) -> CaseView:
    mediation = draw(st.booleans())
    opened = draw(DAYS)
    closed = draw(st.one_of(st.none(), st.dates(min_value=opened, max_value=date(2027, 7, 31))))
    deadlines = []
    for n in range(draw(st.integers(0, 4))):
        due = draw(DAYS)
        state = draw(st.sampled_from(list(DeadlineState)))
        settled = draw(st.one_of(st.none(), DAYS)) if state is not DeadlineState.open else None
        name = draw(st.sampled_from(["certificate", "health_notice", "action-1", "action-2", "appeal", "talks_review"]))
        deadlines.append(duty(name, due.isoformat(), state, settled.isoformat() if settled else None))
    messages = draw(st.lists(
        st.builds(message, st.one_of(st.none(), st.sampled_from(list(Channel))), st.sampled_from(list(DeliveryStatus))),
        max_size=4,
    ))
    return case(
        f"{'MD' if mediation else 'DR'}-2027-{number:06d}", opened.isoformat(), closed.isoformat() if closed else None,
        draw(st.sampled_from(list(CaseOutcome))) if closed else None,
        kinds=tuple(draw(st.lists(st.sampled_from(list(DisagreementKind)), unique=True, max_size=3))),
        decision=draw(st.sampled_from(list(DecisionKind))) if mediation else None,
        deadlines=tuple(deadlines), messages=tuple(messages),
    )


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    views=st.integers(0, 8).flatmap(lambda n: st.tuples(*(case_views(number) for number in range(n)))),
    start=DAYS, length=st.integers(0, 120), today=DAYS, route=st.sampled_from([None, *Route]),
)
def test_each_number_is_what_is_listed_for_any_cases(views, start, length, today, route) -> None:
    period = Period(start, min(date(2027, 12, 31), date.fromordinal(start.toordinal() + length)))
    figures = report(list(views), period, today, route=route).as_json()
    numbers_match_what_is_listed(figures)
    each_item_is_what_its_figure_says(figures, {view.reference: view for view in views}, period, today)
    # The cases opened are exactly those whose opening day is in the period, on the route asked.
    expected = sorted(
        view.reference for view in views if period.holds(view.timeline[0].at.date()) and route in (None, view.route)
    )
    assert figures["references"].get("cases.opened", []) == expected

"""The case commands of `disagreement` (DESIGN section 6): one command per thing staff do on a case,
grouped in the help by route, with the law's names for each.

Every command checks what was typed (cli/parsing.py), sends it to the case (cases/client.py, imported
only then: the Temporal client is slow to import) and prints the result with the next step, or the
case (cli/render.py). What they share, the exit codes among it, is cli/common.py.
"""


from datetime import UTC, date, datetime
from typing import Annotated

import typer

from cli import parsing, render
from cli.closed_cases import list_closed
from cli.common import INVALID, Actor, AsJson, Reference, Roles, Verbose, acting, app, stop, with_cases
from workflows import names
from domain.calendar import london_date
from infra.identity import Act
from domain.models import (
    AddNote,
    AgreedActionInput,
    ApplicantRole,
    AssignMediator,
    CaseOutcome,
    CaseStage,
    CertificateIssuer,
    Channel,
    MEDIATION_PREFIX,
    new_reference,
    AppealStatus,
    CompleteAction,
    DecisionKind,
    IssueCertificate,
    LocalAuthority,
    MediationIssue,
    OpenMediation,
    RecordChoice,
    ReportCannotArrange,
    Route,
    DisagreementKind,
    EhcPoint,
    ExtendDeadline,
    OfferResolution,
    OpenCase,
    OrderKind,
    Organisation,
    OrganisationKind,
    PostalAddress,
    ProposeSlots,
    ReassignOfficer,
    RecordAppealStatus,
    RecordAvailability,
    RecordCallback,
    RecordConsent,
    RecordDecision,
    RecordOutcome,
    RecordTalk,
    ScheduleSession,
    SessionResult,
    StaffAction,
    Supporter,
    TalkOutcome,
    Withdraw,
)


RESOLUTION, MEDIATION, BOTH, APPEAL, LOOKING = (
    "Disagreement resolution (DR- cases; SEND Code of Practice 11.6-11.12)",
    "Statutory mediation (MD- cases; Children and Families Act 2014 ss.52-56)",
    "Both routes",
    "The Tribunal appeal clock",
    "Looking at cases",
)


# --- Options shared by the case commands -------------------------------------------------------------

Party = Annotated[
    str, typer.Option(metavar="PARTY_ID", parser=parsing.party_id, help="applicant, org-1, org-2, ... (see `show`).")
]
Notes = Annotated[str | None, typer.Option(metavar="TEXT", help="What was said, in a few words.")]
ChildDateOfBirth = Annotated[
    date | None,
    typer.Option(
        metavar="DATE", parser=parsing.day,
        help=(
            "The child's or young person's date of birth, if known: the case officer is told when they "
            "reach the end of compulsory school age while a parent is the party (rights pass to them)."
        ),
    ),
]


# --- Disagreement resolution ----------------------------------------------------------------------


@app.command("open", rich_help_panel=RESOLUTION)
def open_case(
    applicant_name: Annotated[str, typer.Option(metavar="NAME", help="The parent's or young person's full name.")],
    applicant_role: Annotated[ApplicantRole, typer.Option(help="Who brings the disagreement.")],
    organisation: Annotated[
        list[Organisation],
        typer.Option(
            metavar="KIND|NAME|EMAIL", parser=parsing.organisation,
            help=f"Each organisation involved, once for each. KIND is one of {parsing.choices(OrganisationKind)}.",
        ),
    ],
    kind: Annotated[
        list[DisagreementKind],
        typer.Option(
            metavar="KIND", help=f"What the disagreement is about, once for each: {parsing.choices(DisagreementKind)}."
        ),
    ],
    ehc_point: Annotated[
        EhcPoint,
        typer.Option(metavar="POINT", help=f"Where the family is in the EHC process: {parsing.choices(EhcPoint)}."),
    ],
    summary: Annotated[
        str, typer.Option(metavar="TEXT", help="The disagreement in a sentence or two (up to 500 characters).")
    ],
    applicant_email: Annotated[str | None, typer.Option(metavar="EMAIL", parser=parsing.email)] = None,
    applicant_phone: Annotated[
        str | None, typer.Option(metavar="PHONE", parser=parsing.phone, help="A UK phone number, for text messages.")
    ] = None,
    applicant_address: Annotated[
        PostalAddress | None,
        typer.Option(
            metavar="LINE1|LINE2|POSTCODE", parser=parsing.postal_address,
            help="Postal address, lines separated by |, postcode last.",
        ),
    ] = None,
    applicant_prefers: Annotated[Channel | None, typer.Option(help="How the applicant prefers to hear from us.")] = None,
    supporter: Annotated[
        Supporter | None,
        typer.Option(
            metavar="NAME|EMAIL", parser=parsing.supporter,
            help="A SENDIASS adviser helping the family; copied in to the applicant's messages.",
        ),
    ] = None,
    case_officer: Annotated[
        str | None,
        typer.Option(metavar="STAFF_ID", parser=parsing.staff_id, help="Who runs the case; you by default."),
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option(metavar="REF", parser=parsing.reference, help="Use this reference instead of a new one."),
    ] = None,
    appeal_deadline: Annotated[
        date | None,
        typer.Option(
            metavar="DATE", parser=parsing.day,
            help=(
                "The family's SEND Tribunal appeal deadline, if known and no decision is recorded; they are "
                "warned before it. Better: record the decision (`decision`) and the deadline is computed."
            ),
        ),
    ] = None,
    child_date_of_birth: ChildDateOfBirth = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Open a case for a disagreement brought by a parent or young person.

    The case starts in informal talks and every party is told it is open. Give at least one way
    to reach the applicant (email, phone or address). A new reference is made unless you give one.
    """
    opened_by = acting(actor, role)
    if appeal_deadline is not None and appeal_deadline < london_date(datetime.now(UTC)):
        stop(f"the appeal deadline {appeal_deadline.isoformat()} has already passed", INVALID)
    _born_by_now(child_date_of_birth)
    contact = {
        "email": applicant_email, "phone": applicant_phone, "address": applicant_address, "prefers": applicant_prefers,
    }
    opened = parsing.build(
        OpenCase,
        {
            "applicant.name": "--applicant-name",
            "applicant.contact": "the applicant's contact details "
            "(--applicant-email, --applicant-phone, --applicant-address, --applicant-prefers)",
            "child_date_of_birth": "--child-date-of-birth",
        },
        applicant={"role": applicant_role, "name": applicant_name, "contact": contact},
        organisations=organisation,
        kinds=kind,
        ehc_point=ehc_point,
        summary=summary,
        case_officer=case_officer or opened_by,
        opened_by=opened_by,
        appeal_deadline=appeal_deadline,
        supporter=supporter,
        child_date_of_birth=child_date_of_birth,
    )
    reference = reference or new_reference("DR-", london_date(datetime.now(UTC)))
    _route_only(reference, Route.disagreement_resolution, "open")
    render.result(with_cases(lambda cases: cases.open(reference, opened)), type(opened), as_json, verbose)


@app.command(rich_help_panel=RESOLUTION)
def talk(
    reference: Reference,
    outcome: Annotated[TalkOutcome, typer.Option(help="resolved closes the case; unresolved keeps talks going.")],
    notes: Notes = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Record an informal talk between the family and the organisations."""
    _route_only(reference, Route.disagreement_resolution, "talk")
    request = parsing.build(RecordTalk, actor=acting(actor, role), outcome=outcome, notes=notes)
    _act(reference, names.RECORD_TALK, request, as_json, verbose)


@app.command(rich_help_panel=RESOLUTION)
def offer(
    reference: Reference, actor: Actor = None, role: Roles = None, as_json: AsJson = False, verbose: Verbose = False,
) -> None:
    """Offer disagreement resolution to every party: it goes ahead only if all agree (Code 11.6).

    Each party is asked to agree and the consent window starts; silent parties are reminded.
    """
    _route_only(reference, Route.disagreement_resolution, "offer")
    _act(reference, names.OFFER_RESOLUTION, parsing.build(OfferResolution, actor=acting(actor, role)), as_json, verbose)


@app.command(rich_help_panel=RESOLUTION)
def consent(
    reference: Reference,
    party: Party,
    agree: Annotated[
        bool | None, typer.Option("--agree/--decline", metavar="", help="The party's answer to the offer.")
    ] = None,
    notes: Notes = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Record one party's answer to the offer of disagreement resolution.

    Disagreement resolution goes ahead once every party agrees; a single decline closes the case.
    """
    _route_only(reference, Route.disagreement_resolution, "consent")
    if agree is None:
        stop("say what the party answered: --agree or --decline", INVALID)
    request = parsing.build(RecordConsent, actor=acting(actor, role), party=party, agree=agree, notes=notes)
    _act(reference, names.RECORD_CONSENT, request, as_json, verbose)


# --- Statutory mediation --------------------------------------------------------------------------


@app.command("open-mediation", rich_help_panel=MEDIATION)
def open_mediation(
    applicant_name: Annotated[str, typer.Option(metavar="NAME", help="The parent's or young person's full name.")],
    applicant_role: Annotated[ApplicantRole, typer.Option(help="Who asks for mediation.")],
    local_authority: Annotated[
        LocalAuthority, typer.Option(metavar="NAME|EMAIL", parser=parsing.body, help="The Local Authority that decided.")
    ],
    decision: Annotated[DecisionKind, typer.Option(help="The Local Authority decision the family may appeal.")],
    decision_date: Annotated[
        date,
        typer.Option(metavar="DATE", parser=parsing.day, help="When its written notice was sent (the date on it unless known otherwise)."),
    ],
    issue: Annotated[
        list[MediationIssue],
        typer.Option(metavar="ISSUE", help=f"What mediation is about, once for each: {parsing.choices(MediationIssue)}."),
    ],
    applicant_email: Annotated[str | None, typer.Option(metavar="EMAIL", parser=parsing.email)] = None,
    applicant_phone: Annotated[
        str | None, typer.Option(metavar="PHONE", parser=parsing.phone, help="A UK phone number, for text messages.")
    ] = None,
    applicant_address: Annotated[
        PostalAddress | None,
        typer.Option(metavar="LINE1|LINE2|POSTCODE", parser=parsing.postal_address, help="Postal address, lines separated by |."),
    ] = None,
    applicant_prefers: Annotated[Channel | None, typer.Option(help="How the applicant prefers to hear from us.")] = None,
    supporter: Annotated[
        Supporter | None,
        typer.Option(metavar="NAME|EMAIL", parser=parsing.supporter, help="A SENDIASS adviser helping the family."),
    ] = None,
    health_commissioner: Annotated[
        list[LocalAuthority] | None,
        typer.Option(metavar="NAME|EMAIL", parser=parsing.body, help="Each health commissioning body involved, once for each."),
    ] = None,
    school_only: Annotated[
        bool,
        typer.Option(
            "--school-only", metavar="",
            help="The appeal would be only about the school or institution (or type) named, or that none is: no certificate needed.",
        ),
    ] = False,
    case_officer: Annotated[
        str | None, typer.Option(metavar="STAFF_ID", parser=parsing.staff_id, help="Who runs the case; you by default.")
    ] = None,
    reference: Annotated[
        str | None, typer.Option(metavar="REF", parser=parsing.reference, help="Use this MD- reference instead of a new one.")
    ] = None,
    child_date_of_birth: ChildDateOfBirth = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Open a statutory mediation case about an appealable Local Authority decision.

    The family has contacted the mediation adviser named in the decision letter and is deciding
    whether to mediate. The appeal deadline is computed from the decision date. Opening more than 2
    months after the decision is allowed, with a warning on the case: the time to contact the
    mediation adviser (reg 33) has passed, which is not the appeal deadline.
    """
    opened_by = acting(actor, role)
    if decision_date > london_date(datetime.now(UTC)):
        stop(f"the decision date {decision_date.isoformat()} is in the future: give the date its notice was sent", INVALID)
    _born_by_now(child_date_of_birth)
    contact = {
        "email": applicant_email, "phone": applicant_phone, "address": applicant_address, "prefers": applicant_prefers,
    }
    opened = parsing.build(
        OpenMediation,
        {
            "applicant.name": "--applicant-name",
            "applicant.contact": "the applicant's contact details "
            "(--applicant-email, --applicant-phone, --applicant-address, --applicant-prefers)",
            "decision_date": "--decision-date",
            "child_date_of_birth": "--child-date-of-birth",
        },
        applicant={"role": applicant_role, "name": applicant_name, "contact": contact},
        local_authority=local_authority,
        health_commissioners=health_commissioner or [],
        decision_kind=decision,
        decision_date=decision_date,
        mediation_issues=issue,
        school_only=school_only,
        case_officer=case_officer or opened_by,
        opened_by=opened_by,
        supporter=supporter,
        child_date_of_birth=child_date_of_birth,
    )
    reference = reference or new_reference(MEDIATION_PREFIX, london_date(datetime.now(UTC)))
    _route_only(reference, Route.mediation, "open-mediation")
    render.result(with_cases(lambda cases: cases.open(reference, opened)), type(opened), as_json, verbose)


@app.command(rich_help_panel=MEDIATION)
def choose(
    reference: Reference,
    mediate: Annotated[
        bool | None, typer.Option("--mediate/--no-mediation", metavar="", help="The family's choice.")
    ] = None,
    adviser_told_on: Annotated[
        date | None,
        typer.Option(
            metavar="DATE", parser=parsing.day,
            help="When the family told the mediation adviser (default today); after a no, the certificate's 3 working days count from it.",
        ),
    ] = None,
    la_notified_on: Annotated[
        date | None,
        typer.Option(metavar="DATE", parser=parsing.day, help="When the Local Authority was told (default today)."),
    ] = None,
    issue: Annotated[
        list[MediationIssue] | None,
        typer.Option(
            metavar="ISSUE",
            help=f"What mediation is about, once for each: {parsing.choices(MediationIssue)} (default: those given at opening).",
        ),
    ] = None,
    health_provision: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="Where health is an issue: the health care provision the family wants specified; each health commissioner is told.",
        ),
    ] = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Record whether the family wants mediation.

    Yes: the Local Authority must make sure it takes place within 30 days; where health is an issue,
    give the health care provision the family wants (--health-provision). No: a certificate is owed
    within 3 working days of the day the family told the mediation adviser.
    """
    _route_only(reference, Route.mediation, "choose")
    if mediate is None:
        stop("say what the family chose: --mediate or --no-mediation", INVALID)
    request = parsing.build(
        RecordChoice,
        {
            "adviser_told_on": "--adviser-told-on", "la_notified_on": "--la-notified-on",
            "mediation_issues": "--issue", "health_provision_sought": "--health-provision",
        },
        actor=acting(actor, role), mediate=mediate, adviser_told_on=adviser_told_on, la_notified_on=la_notified_on,
        mediation_issues=issue or None, health_provision_sought=health_provision,
    )
    _act(reference, names.RECORD_CHOICE, request, as_json, verbose)


@app.command(rich_help_panel=MEDIATION)
def certificate(
    reference: Reference,
    on: Annotated[
        date | None, typer.Option("--on", metavar="DATE", parser=parsing.day, help="The certificate's date (default today).")
    ] = None,
    by: Annotated[
        CertificateIssuer | None,
        typer.Option(
            "--by",
            help="Who issued it (default: whoever the law says: the mediator after mediation, else the mediation adviser).",
        ),
    ] = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Record the mediation certificate that was issued.

    The first certificate fixes the appeal deadline; a later one never moves it later.
    """
    _route_only(reference, Route.mediation, "certificate")
    request = parsing.build(
        IssueCertificate, {"issued_on": "--on", "issued_by": "--by"}, actor=acting(actor, role), issued_on=on, issued_by=by,
    )
    _act(reference, names.ISSUE_CERTIFICATE, request, as_json, verbose)


@app.command("cannot-arrange", rich_help_panel=MEDIATION)
def cannot_arrange(
    reference: Reference,
    reason: Annotated[str, typer.Option(metavar="TEXT", help="Why it cannot take place within 30 days.")],
    informed_on: Annotated[
        date | None,
        typer.Option(metavar="DATE", parser=parsing.day, help="When the mediation adviser was told (default today)."),
    ] = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Record that the Local Authority cannot arrange mediation in time: a certificate is due in 3
    working days. The case stays open, as mediation may still take place."""
    _route_only(reference, Route.mediation, "cannot-arrange")
    request = parsing.build(
        ReportCannotArrange, {"adviser_informed_on": "--informed-on"},
        actor=acting(actor, role), reason=reason, adviser_informed_on=informed_on,
    )
    _act(reference, names.REPORT_CANNOT_ARRANGE, request, as_json, verbose)


# --- Both routes ----------------------------------------------------------------------------------


@app.command(rich_help_panel=BOTH)
def assign(
    reference: Reference,
    mediator_name: Annotated[str, typer.Option(metavar="NAME", help="The mediator's full name.")],
    mediator_email: Annotated[str, typer.Option(metavar="EMAIL", parser=parsing.email)],
    independent: Annotated[
        bool,
        typer.Option(
            "--independent", metavar="",
            help="Confirm the mediator is not employed by the Local Authority, an integrated care board or NHS England.",
        ),
    ] = False,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Assign the mediator who will lead the session (or replace them).

    Nobody employed by the Local Authority, an integrated care board or NHS England may provide
    disagreement resolution (Children and Families Act 2014 s.57): confirm it with --independent.
    """
    request = parsing.build(
        AssignMediator,
        {"name": "--mediator-name", "email": "--mediator-email"},
        actor=acting(actor, role), name=mediator_name, email=mediator_email, independent=independent,
    )
    _act(reference, names.ASSIGN_MEDIATOR, request, as_json, verbose)


@app.command(rich_help_panel=BOTH)
def schedule(
    reference: Reference,
    at: Annotated[
        datetime,
        typer.Option(
            metavar="DATETIME", parser=parsing.moment,
            help="When the session starts, e.g. 2026-12-14T10:30 (time in England unless a zone is given).",
        ),
    ],
    venue: Annotated[str | None, typer.Option(metavar="TEXT", help="Where it takes place, or how to join.")] = None,
    short_notice_agreed: Annotated[
        bool,
        typer.Option(
            "--short-notice-agreed", metavar="",
            help="Statutory mediation: the family consented to less than 5 working days' notice.",
        ),
    ] = False,
    la_attendee: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Statutory mediation: who attends for the Local Authority, with authority to settle."),
    ] = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Set the date and time of the session, or move it. Every party and the mediator are told.

    For statutory mediation the family must have at least 5 working days' notice of the date and
    place, unless they consent to less (--short-notice-agreed).
    """
    request = parsing.build(
        ScheduleSession, {"la_attendee": "--la-attendee"}, actor=acting(actor, role), at=at, venue=venue,
        short_notice_agreed=short_notice_agreed, la_attendee=la_attendee,
    )
    _act(reference, names.SCHEDULE_SESSION, request, as_json, verbose)


@app.command(rich_help_panel=BOTH)
def outcome(
    reference: Reference,
    result: Annotated[SessionResult, typer.Option(help="What the session achieved.")],
    action: Annotated[
        list[AgreedActionInput] | None,
        typer.Option(
            metavar=parsing.ACTION_FORM, parser=parsing.agreed_action,
            help=(
                "Something agreed, who does it (a party id) and by when; once for each. DUE is a date agreed in "
                "writing (e.g. 2027-01-15); or, on statutory mediation, appeal:KIND for a matter the family could "
                f"appeal, due in the period the law sets for that kind of order ({parsing.choices(OrderKind)}); or "
                "left out: 2 weeks (statutory mediation) or the service's usual period."
            ),
        ),
    ] = None,
    child_views_sought: Annotated[
        bool | None,
        typer.Option(
            "--child-views-sought/--child-views-not-sought", metavar="",
            help="Statutory mediation: whether the mediator sought the child's views (CFA 2014 s.56).",
        ),
    ] = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Record the result of the session, once it has been held.

    The written outcome goes to everybody. Agreed actions are followed up until each is done.
    Without any, the case closes; a statutory mediation case first waits for its certificate.
    """
    request = parsing.build(
        RecordOutcome, {"actions": "--action"}, actor=acting(actor, role), result=result, actions=action or [],
        child_views_sought=child_views_sought,
    )
    _act(reference, names.RECORD_OUTCOME, request, as_json, verbose)


@app.command("action-done", rich_help_panel=BOTH)
def action_done(
    reference: Reference,
    action: Annotated[int, typer.Option(metavar="N", help="The number of the agreed action, as `show` lists it.")],
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Mark an agreed action as done. The case closes when the last one is done and no duty is
    still owed (on statutory mediation, the certificate)."""
    request = parsing.build(CompleteAction, {"number": "--action"}, actor=acting(actor, role), number=action)
    _act(reference, names.COMPLETE_ACTION, request, as_json, verbose)


@app.command("propose-slots", rich_help_panel=BOTH)
def propose_slots(
    reference: Reference,
    slot: Annotated[
        list[datetime],
        typer.Option(
            metavar="DATETIME", parser=parsing.moment,
            help="A time the session could start, e.g. 2026-12-14T10:30 (time in England unless a zone is given); 3 to 6 of them.",
        ),
    ],
    venue: Annotated[str | None, typer.Option(metavar="TEXT", help="Where it would take place, or how to join.")] = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Propose 3 to 6 session times once the session is being arranged. Every party is asked, with a
    link to answer online, which it can make; `show` lists the times that suit everyone.

    Proposing again replaces the times and the answers to them. For statutory mediation each time
    must give the family at least 5 working days' notice.
    """
    request = parsing.build(ProposeSlots, {"slots": "--slot"}, actor=acting(actor, role), slots=slot, venue=venue)
    _act(reference, names.PROPOSE_SLOTS, request, as_json, verbose)


@app.command(rich_help_panel=BOTH)
def availability(
    reference: Reference,
    party: Party,
    slot: Annotated[
        list[int] | None,
        typer.Option(
            metavar="N",
            help="A proposed time the party can make, by its number as `show` lists it; once for each time.",
        ),
    ] = None,
    none_suit: Annotated[
        bool, typer.Option("--none", metavar="", help="None of the proposed times suits the party.")
    ] = False,
    notes: Notes = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Record which of the proposed session times a party can make, as they told you (by phone, by
    letter or in person) instead of answering through their link.

    Give each time they can make (--slot N), or --none. The timeline names you as who recorded it.
    Recording again for a party changes their answer; the timeline keeps what it was before.
    """
    if none_suit and slot:
        stop("give --slot or --none, not both: --none says none of the proposed times suit the party", INVALID)
    if not none_suit and not slot:
        stop("say which times the party can make: --slot N for each (the numbers `show` lists), or --none", INVALID)
    request = parsing.build(
        RecordAvailability, {"slots": "--slot"}, actor=acting(actor, role), party=party, slots=slot or [], notes=notes,
    )
    _act(reference, names.RECORD_AVAILABILITY, request, as_json, verbose)


@app.command("callback-done", rich_help_panel=BOTH)
def callback_done(
    reference: Reference,
    callback: Annotated[int, typer.Option(metavar="N", help="The number of the call-back, as `show` lists it (callback-N).")],
    notes: Notes = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Record that you called back a party who asked for it. That meets the call-back duty: within
    2 working days of the request, the service's standard."""
    request = parsing.build(RecordCallback, {"number": "--callback"}, actor=acting(actor, role), number=callback, notes=notes)
    _act(reference, names.RECORD_CALLBACK, request, as_json, verbose)


@app.command(rich_help_panel=BOTH)
def withdraw(
    reference: Reference,
    party: Party,
    reason: Annotated[str, typer.Option(metavar="TEXT", help="Why, as the party gave it.")],
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Record that a party withdraws from the process.

    This closes the case; on statutory mediation only the family may withdraw, and the case waits
    for the certificate they are still owed.
    """
    request = parsing.build(Withdraw, actor=acting(actor, role), party=party, reason=reason)
    _act(reference, names.WITHDRAW, request, as_json, verbose)


@app.command(rich_help_panel=BOTH)
def extend(
    reference: Reference,
    deadline: Annotated[
        str, typer.Option(metavar="NAME", help="The deadline's name as `show` lists it, e.g. consent_window or action-2.")
    ],
    reason: Annotated[str, typer.Option(metavar="TEXT", help="Why it moves; recorded on the case.")],
    days: Annotated[
        int | None,
        typer.Option(metavar="N", help="Move it by N days, counted as the deadline counts them (working or calendar)."),
    ] = None,
    until: Annotated[
        date | None, typer.Option(metavar="DATE", parser=parsing.day, help="Move it to this date instead.")
    ] = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Move a deadline later, with the reason. Give --days or --until."""
    request = parsing.build(
        ExtendDeadline, {"": "--days / --until"},
        actor=acting(actor, role), deadline=deadline, days=days, until=until, reason=reason,
    )
    _act(reference, names.EXTEND_DEADLINE, request, as_json, verbose)


@app.command(rich_help_panel=BOTH)
def note(
    reference: Reference,
    text: Annotated[str, typer.Option(metavar="TEXT", help="The note, up to 2000 characters.")],
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Add a note to the case's timeline."""
    _act(reference, names.ADD_NOTE, parsing.build(AddNote, actor=acting(actor, role), text=text), as_json, verbose)


@app.command(rich_help_panel=BOTH)
def reassign(
    reference: Reference,
    to: Annotated[str, typer.Option("--to", metavar="STAFF_ID", parser=parsing.staff_id, help="The officer who runs it now.")],
    reason: Annotated[str, typer.Option(metavar="TEXT", help="Why it moves; recorded on the case.")],
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Move a case to another case officer (team managers only). They are told what the case officer
    is told from now on, and `list --officer` finds the case under them."""
    request = parsing.build(
        ReassignOfficer, {"case_officer": "--to"}, actor=acting(actor, role, Act.reassign), case_officer=to, reason=reason,
    )
    _act(reference, names.REASSIGN_OFFICER, request, as_json, verbose)


# --- The Tribunal appeal clock -----------------------------------------------------------------------


@app.command(rich_help_panel=APPEAL)
def decision(
    reference: Reference,
    kind: Annotated[DecisionKind, typer.Option(help="The Local Authority decision the family may appeal.")],
    on: Annotated[
        date,
        typer.Option(
            "--date", metavar="DATE", parser=parsing.day,
            help="When the Local Authority's written notice was sent (the date on it unless known otherwise).",
        ),
    ],
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Record the Local Authority decision the case runs alongside: the appeal deadline is computed.

    The deadline is 2 months after the notice was sent, moved by the Tribunal's rules on holidays
    (HESC Rules 2008 r.12, r.20). Disagreement resolution does not move it. The applicant is warned
    20 and 5 working days before it, even after the case has closed.
    """
    _route_only(reference, Route.disagreement_resolution, "decision")
    request = parsing.build(RecordDecision, {"date": "--date"}, actor=acting(actor, role), kind=kind, date=on)
    _act(reference, names.RECORD_DECISION, request, as_json, verbose)


@app.command("appeal-status", rich_help_panel=APPEAL)
def appeal_status(
    reference: Reference,
    lodged: Annotated[
        bool | None,
        typer.Option("--lodged/--not-appealing", metavar="", help="Whether the family lodged an appeal."),
    ] = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Record whether the family appealed to the Tribunal. The appeal warnings stop."""
    if lodged is None:
        stop("say what the family did: --lodged or --not-appealing", INVALID)
    status = AppealStatus.lodged if lodged else AppealStatus.not_appealing
    request = parsing.build(RecordAppealStatus, actor=acting(actor, role), status=status)
    _act(reference, names.RECORD_APPEAL_STATUS, request, as_json, verbose)


# --- Looking at cases --------------------------------------------------------------------------------


@app.command(rich_help_panel=LOOKING)
def show(
    reference: Reference,
    whole_timeline: Annotated[
        bool, typer.Option("--all", metavar="", help=f"The whole timeline, not only the latest {render.LATEST_ENTRIES} entries.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Show the whole case: its stage, the parties (and their answers to an offer of disagreement
    resolution), every duty and what happened last."""
    render.case(with_cases(lambda cases: cases.view(reference)), as_json, whole_timeline)


@app.command("list", rich_help_panel=LOOKING)
def list_cases(
    stage: Annotated[
        CaseStage | None,
        typer.Option(metavar="STAGE", help=f"Only cases at this stage: {parsing.choices(CaseStage)}."),
    ] = None,
    officer: Annotated[
        str | None, typer.Option(metavar="STAFF_ID", parser=parsing.staff_id, help="Only cases this officer runs.")
    ] = None,
    overdue: Annotated[
        bool,
        typer.Option(
            "--overdue", metavar="", help="Only cases with a duty still owed after its due date (a certificate included).",
        ),
    ] = False,
    appeal_before: Annotated[
        date | None,
        typer.Option(
            metavar="DATE", parser=parsing.filter_day,
            help="Only families whose Tribunal appeal deadline is still running and falls on or before DATE.",
        ),
    ] = None,
    route: Annotated[Route | None, typer.Option(help="Only cases on this route.")] = None,
    closed: Annotated[bool, typer.Option("--closed", metavar="", help="Only closed cases, from the records.")] = False,
    outcome: Annotated[CaseOutcome | None, typer.Option(help="Only closed cases with this outcome.")] = None,
    closed_after: Annotated[
        date | None, typer.Option(metavar="DATE", parser=parsing.filter_day, help="Only cases closed after this day.")
    ] = None,
    closed_before: Annotated[
        date | None, typer.Option(metavar="DATE", parser=parsing.filter_day, help="Only cases closed before this day.")
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", metavar="",
            help="Print the cases as a JSON list (reference, stage, outcome, kinds, case_officer, next_deadline, "
            "overdue, ...) instead of a table.",
        ),
    ] = False,
) -> None:
    """List cases, open and closed, by reference. Shows no personal details.

    Closed cases come from the records archive, so they are listed for as long as the records are
    kept, long after Temporal has deleted their history.
    """
    if closed or outcome or closed_after or closed_before:
        if stage not in (None, CaseStage.closed) or overdue or appeal_before:
            stop("--closed, --outcome, --closed-after and --closed-before list closed cases: "
                  "leave out --stage, --overdue and --appeal-before", INVALID)
        list_closed(outcome, closed_after, closed_before, officer, route, as_json)
        return
    render.cases(with_cases(lambda cases: cases.summaries(stage, officer, overdue, appeal_before, route)), as_json)


@app.command("due", rich_help_panel=LOOKING)
def due(
    officer: Annotated[
        str | None,
        typer.Option(metavar="STAFF_ID", parser=parsing.staff_id, help="This officer's duties instead of yours."),
    ] = None,
    team: Annotated[
        bool, typer.Option("--team", metavar="", help="Every officer's duties (needs the team_manager role).")
    ] = False,
    within_days: Annotated[
        int | None,
        typer.Option(
            "--within", metavar="N", min=0,
            help="Only duties due within N working days (England's), and every overdue one; all by default.",
        ),
    ] = None,
    actor: Actor = None,
    role: Roles = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", metavar="",
            help="Print a JSON list (reference, route, stage, duty, due, owed_by, working_days_left, overdue).",
        ),
    ] = False,
) -> None:
    """What is due from you across your open cases: every duty still owed, overdue first, with the
    working days left and who owes it. Shows no personal details."""
    if officer is not None and team:
        stop("give --officer or --team, not both: --team lists every officer's duties", INVALID)
    me = acting(actor, role, Act.team_view if team else Act.case_work)
    today = london_date(datetime.now(UTC))
    whose = None if team else officer or me
    render.due(with_cases(lambda cases: cases.due(whose, within_days, today)), as_json, today, team)


# --- Plumbing ----------------------------------------------------------------------------------------


def _act(reference: str, update: str, request: StaffAction, as_json: bool, verbose: bool) -> None:
    """Send one staff action to the case; print what it did and the next step (or the case)."""
    render.result(with_cases(lambda cases: cases.act(reference, update, request)), type(request), as_json, verbose)


def _born_by_now(child_date_of_birth: date | None) -> None:
    if child_date_of_birth is not None and child_date_of_birth > london_date(datetime.now(UTC)):
        stop(f"--child-date-of-birth: {child_date_of_birth.isoformat()} is in the future", INVALID)


def _route_only(reference: str, route: Route, command: str) -> None:
    """Refuse, in words, a command meant for the other route's cases."""
    is_mediation = reference.startswith(MEDIATION_PREFIX)
    if is_mediation != (route is Route.mediation):
        wanted = "statutory mediation (MD-...)" if route is Route.mediation else "disagreement resolution (DR-...)"
        stop(f"`{command}` is for {wanted} cases; {reference} is not one", INVALID)



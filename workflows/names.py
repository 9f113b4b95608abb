"""Names other programs use to reach the case workflows, written once: the workflows register
under them, and the command line (which must not import the workflows: they are slow to import)
sends them. DESIGN sections 3 and 8 name them; they are an interface, never renamed."""

DISAGREEMENT_CASE = "DisagreementCase"
MEDIATION_CASE = "MediationCase"
CASE_QUERY = "case"

# Staff actions (workflow updates).
RECORD_TALK = "record_talk"
OFFER_RESOLUTION = "offer_resolution"
RECORD_CONSENT = "record_consent"
ASSIGN_MEDIATOR = "assign_mediator"
SCHEDULE_SESSION = "schedule_session"
RECORD_OUTCOME = "record_outcome"
COMPLETE_ACTION = "complete_action"
WITHDRAW = "withdraw"
EXTEND_DEADLINE = "extend_deadline"
ADD_NOTE = "add_note"
RECORD_DECISION = "record_decision"
RECORD_APPEAL_STATUS = "record_appeal_status"
RECORD_CHOICE = "record_choice"
ISSUE_CERTIFICATE = "issue_certificate"
REPORT_CANNOT_ARRANGE = "report_cannot_arrange"
REASSIGN_OFFICER = "reassign_officer"  # a team manager only (DESIGN section 12)
# Answers online (DESIGN section 14): staff propose session times; each party says which it can make,
# or asks to be called back; staff record the call-back made.
PROPOSE_SLOTS = "propose_slots"
RECORD_AVAILABILITY = "record_availability"
REQUEST_CALLBACK = "request_callback"
RECORD_CALLBACK = "record_callback"

# The only updates the public site may run, each for the party it acts for (workflows/verification.py).
PUBLIC_UPDATES = frozenset({RECORD_CONSENT, RECORD_CHOICE, RECORD_AVAILABILITY, REQUEST_CALLBACK})

# Why the worker refuses an update for who sent it (workflows/verification.py), not for what it asks.
ACTOR_NOT_VOUCHED = "ActorNotVouched"  # no, a forged or an expired actor assertion, or another actor's
NOT_ALLOWED = "NotAllowed"  # vouched for, without the role

# Signals. The records store says whether a case is held; the signal only says to ask it again.
HOLD_CHANGED = "hold_changed"  # a legal hold on the case was placed or lifted (records/holding.py)

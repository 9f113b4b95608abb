"""One schema for both databases, as numbered migrations applied in order at first use.

Statements are written once; `{blob}` is the only word the databases spell differently. Dates are
ISO 8601 text (UTC instants, `YYYY-MM-DD` days), which sort and compare the same in both.
To change the schema, append a migration: never edit one that may have run somewhere.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            # The plain columns are the case's search attributes: `list --closed` decrypts nothing.
            """CREATE TABLE case_records (
                reference      TEXT PRIMARY KEY,
                version        INTEGER NOT NULL,
                route          TEXT NOT NULL,
                stage          TEXT NOT NULL,
                outcome        TEXT,
                kinds          TEXT NOT NULL,
                case_officer   TEXT NOT NULL,
                closed_at      TEXT NOT NULL,
                closed_on      TEXT NOT NULL,
                delete_after   TEXT NOT NULL,
                retention_rule TEXT NOT NULL,
                archived_at    TEXT NOT NULL,
                sealed         {blob} NOT NULL
            )""",
            "CREATE INDEX case_records_closed_on ON case_records (closed_on)",
            "CREATE INDEX case_records_delete_after ON case_records (delete_after)",
            # Keyed hashes of each person's normalised email and phone (records/contacts.py).
            """CREATE TABLE contact_index (
                digest    TEXT NOT NULL,
                reference TEXT NOT NULL,
                PRIMARY KEY (digest, reference)
            )""",
            "CREATE INDEX contact_index_reference ON contact_index (reference)",
            """CREATE TABLE legal_holds (
                reference TEXT PRIMARY KEY,
                reason    TEXT NOT NULL,
                placed_by TEXT NOT NULL,
                placed_at TEXT NOT NULL
            )""",
            # Every hold and release, with its reason: why a record outlived its date.
            """CREATE TABLE hold_log (
                reference TEXT NOT NULL,
                action    TEXT NOT NULL,
                reason    TEXT NOT NULL,
                acted_by  TEXT NOT NULL,
                acted_at  TEXT NOT NULL
            )""",
            "CREATE INDEX hold_log_reference ON hold_log (reference)",
            # What was deleted, when and under which rule: no personal data, kept for good.
            """CREATE TABLE deletion_log (
                reference    TEXT NOT NULL,
                deleted_at   TEXT NOT NULL,
                delete_after TEXT NOT NULL,
                rule         TEXT NOT NULL,
                deleted_by   TEXT NOT NULL
            )""",
            "CREATE INDEX deletion_log_reference ON deletion_log (reference)",
        ],
    ),
    (
        2,
        [
            # The web console's sessions (web/sessions.py): the cookie holds a random id, this table a
            # digest of it (a copy of the table signs nobody in), who is signed in and the session's
            # own data (CSRF token, the page to return to), never anything about a family.
            """CREATE TABLE staff_sessions (
                id_digest  TEXT PRIMARY KEY,
                data       TEXT NOT NULL,
                created_at TEXT NOT NULL,
                seen_at    TEXT NOT NULL
            )""",
            "CREATE INDEX staff_sessions_seen_at ON staff_sessions (seen_at)",
            "CREATE INDEX staff_sessions_created_at ON staff_sessions (created_at)",
        ],
    ),
    (
        3,
        [
            # A data key per case (records/case_keys.py), wrapped by the key ring's key
            # `wrapped_with`. Erasing the case destroys it: the row stays as a tombstone (`wrapped`
            # NULL, `destroyed_at` set), so that the reference is never given another key.
            """CREATE TABLE case_keys (
                reference    TEXT PRIMARY KEY,
                wrapped      {blob},
                wrapped_with TEXT,
                created_at   TEXT NOT NULL,
                destroyed_at TEXT
            )""",
            # Cases erased before there were data keys get none now either.
            """INSERT INTO case_keys (reference, created_at, destroyed_at)
               SELECT reference, MIN(deleted_at), MIN(deleted_at) FROM deletion_log GROUP BY reference""",
        ],
    ),
    (
        4,
        [
            # An open case on legal hold, copied by its workflow on every change while it is held
            # (records/holding.py): a complaint or a Tribunal appeal needs the file even if the case
            # is deleted from Temporal. Sealed like a record; the case's closed record replaces it.
            """CREATE TABLE held_copies (
                reference      TEXT PRIMARY KEY,
                version        INTEGER NOT NULL,
                copied_at      TEXT NOT NULL,
                delete_after   TEXT NOT NULL,
                retention_rule TEXT NOT NULL,
                sealed         {blob} NOT NULL
            )""",
            # The day the purge first found a held case gone from Temporal with no closed record.
            "ALTER TABLE legal_holds ADD COLUMN missing_since TEXT",
        ],
    ),
    (
        5,
        [
            # An erasure asked for by one records officer, waiting for a second one to approve it.
            """CREATE TABLE erasure_requests (
                reference    TEXT PRIMARY KEY,
                reason       TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                requested_at TEXT NOT NULL
            )""",
            # An erasure's deletion names both people: who asked (here) and who approved (`deleted_by`).
            "ALTER TABLE deletion_log ADD COLUMN requested_by TEXT",
            # Every subject access export: who, when, how many cases, and whom for as the contact index's
            # keyed digest (records/contacts.py), never the address itself.
            """CREATE TABLE export_log (
                exported_by TEXT NOT NULL,
                exported_at TEXT NOT NULL,
                subject     TEXT NOT NULL,
                cases       INTEGER NOT NULL
            )""",
        ],
    ),
    (
        6,
        [
            # The public site's links (records/answer_links.py, DESIGN section 14): a SHA-256 digest of
            # each token, never the token; what it is for (case, party, purpose) and until when; a keyed
            # hash of what only the recipient knows; spent once the answer is recorded.
            """CREATE TABLE answer_links (
                token_digest TEXT PRIMARY KEY,
                reference    TEXT NOT NULL,
                party        TEXT NOT NULL,
                purpose      TEXT NOT NULL,
                notice_key   TEXT NOT NULL,
                check_kind   TEXT NOT NULL,
                check_digest TEXT NOT NULL,
                created_at   TEXT NOT NULL,
                expires_at   TEXT NOT NULL,
                spent_at     TEXT
            )""",
            "CREATE INDEX answer_links_reference ON answer_links (reference)",
            # Each failed try (a link not recognised, a wrong answer to the identity check), by what it
            # counts against: `token:<digest>` or `address:<keyed digest of the client address>`.
            """CREATE TABLE answer_link_failures (
                subject   TEXT NOT NULL,
                failed_at TEXT NOT NULL
            )""",
            "CREATE INDEX answer_link_failures_subject ON answer_link_failures (subject, failed_at)",
        ],
    ),
    (
        7,
        [
            # Wrong answers to a link's identity check in its whole life: locked for good at
            # `LINK_WRONG_ANSWERS` (records/answer_links.py), however slowly they come.
            "ALTER TABLE answer_links ADD COLUMN wrong_answers INTEGER NOT NULL DEFAULT 0",
        ],
    ),
]

# One row per migration applied (a database from before that held one row: the version reached).
SCHEMA_TABLE = "CREATE TABLE IF NOT EXISTS records_schema (version INTEGER NOT NULL)"

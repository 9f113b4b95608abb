"""Records: closed cases kept beyond Temporal's retention, deleted on schedule (DESIGN section 10).

- `retention`: when a closed case's record may be deleted (pure, no I/O).
- `models`: what is archived and what the store gives back.
- `contacts`: the keyed hash index of normalised emails and phone numbers (subject access).
- `sealing`: the case record encrypted with the payload key ring, through the data converter.
- `store`, `schema`, `postgres`: the records store (SQLite by default, PostgreSQL in production).
- `activities`, `purge`: the archive and purge activities, the purge workflow and its Schedule.
- `access`: subject access exports and erasure.
"""

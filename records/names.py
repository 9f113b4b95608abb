"""Names written once: the workflows call these activities by name (they import no database code)."""

ARCHIVE_CASE = "archive_case"
COPY_HELD_CASE = "copy_held_case"
PURGE_RECORDS = "purge_records"
CHECK_HELD_CASES = "check_held_cases"
PURGE_WORKFLOW = "PurgeRecords"
PURGE_SCHEDULE_ID = "records-purge"  # the Temporal Schedule; its workflow ids start with it too

# The error type of an activity that cannot work until its settings are fixed (not retried at once).
MISCONFIGURED = "RecordsMisconfigured"

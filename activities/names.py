"""Activity names, written once: the workflow calls activities by name (so that it does not import
their I/O libraries) and the activities register under the same constants."""

PLAN_DEADLINE = "plan_deadline"
PLAN_DEADLINES = "plan_deadlines"  # the deadlines one action sets, together
PLAN_APPEAL_DEADLINE = "plan_appeal_deadline"
SEND_NOTIFICATION = "send_notification"
SEND_NOTIFICATIONS = "send_notifications"  # the messages of one event, one per recipient

# Error types an activity raises when retrying cannot help.
UNPLANNABLE = "UnplannableDeadline"

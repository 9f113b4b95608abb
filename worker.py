"""Runs a worker: the case workflow and its activities on the task queue (`python worker.py`)."""

from __future__ import annotations

import asyncio
from contextlib import suppress

import structlog
from temporalio.client import Client
from temporalio.common import HeaderCodecBehavior
from temporalio.worker import UnsandboxedWorkflowRunner, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.deadlines import DeadlineActivities
from activities.notification_batches import NotificationBatches
from activities.notifications import NotificationActivities
from domain.calendar import WorkingCalendar
from cases.overdue import keep_counting
from infra.client import connect
from infra.logs import configure_logging
from infra.settings import Settings, SettingsError, load_settings
from infra.telemetry import WORKER_METRICS, worker_runtime
from infra.tracing import tracer_for
from infra.vouching import Verifier, verifier_for
from records.activities import RecordsActivities
from records.purge import PurgeRecords
from records.schedule import ensure_purge_schedule
from records.store import RecordsStore, records_store_for
from workflows.case import DisagreementCase
from workflows.mediation import MediationCase
from workflows.verification import ActorVerification

# Pydantic checks emails and phone numbers with these libraries; they are deterministic, so the
# sandbox may share them rather than re-import them lazily inside a workflow. The actor check
# (workflows/verification.py) verifies signatures with PyJWT and cryptography: a module of
# cryptography's Rust core imported a second time inside the sandbox aborts the process. The
# replayer always uses this runner; workers use it when DISAGREEMENT_WORKFLOW_SANDBOX is true.
# OpenTelemetry keeps the current span in process-wide context: passed through, as the SDK's own
# plugin does, so the tracing interceptor (infra/tracing.py) sees one context inside and out.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(
        "email_validator", "idna", "phonenumbers", "jwt", "cryptography", "opentelemetry"
    )
)


def build_worker(
    client: Client,
    settings: Settings,
    notifications: object | None = None,
    calendar: WorkingCalendar | None = None,
    deadlines: DeadlineActivities | None = None,
    records: RecordsStore | None = None,
    verifier: Verifier | None = None,
) -> Worker:
    """A worker for the case workflows and the records purge; tests may hand in their own
    notification activities, calendar (or deadline activities), records store or actor check
    (development's by default: every actor taken at their word, unverified)."""
    notifications = notifications or NotificationActivities(settings)
    deadlines = deadlines or DeadlineActivities(settings.deadline_policy, calendar)
    # Headers are encrypted like any payload (infra/client.py): the worker decodes them, whatever
    # client it was given.
    client = Client(**{**client.config(), "header_codec_behavior": HeaderCodecBehavior.CODEC})
    archive = RecordsActivities(records or records_store_for(settings), client)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[DisagreementCase, MediationCase, PurgeRecords],
        workflow_runner=WORKFLOW_RUNNER if settings.workflow_sandbox else UnsandboxedWorkflowRunner(),
        max_cached_workflows=settings.workflow_cache_size,
        interceptors=[ActorVerification(verifier or Verifier())],
        activities=[
            deadlines.plan_deadline, deadlines.plan_deadlines, deadlines.plan_appeal_deadline, notifications.send_notification,
            NotificationBatches(notifications.send_notification).send_notifications,
            archive.archive_case, archive.copy_held_case, archive.purge_records, archive.check_held_cases,
        ],
    )


async def run(settings: Settings) -> None:
    # The answer links' secret, read now: missing in production, the worker stops here naming it,
    # not at the first message that asks something (which would then wait on retries unsent).
    settings.public_site_secret()
    verifier = await verifier_for(settings)
    runtime = worker_runtime(settings)  # before connecting: the client's runtime serves the metrics
    client = await connect(settings, tracer=tracer_for("disagreement-worker"), runtime=runtime)
    if await ensure_purge_schedule(client, settings.task_queue):
        structlog.get_logger().info("created the daily records purge schedule")
    structlog.get_logger().info("worker started", task_queue=settings.task_queue)
    records = records_store_for(settings)
    notifications = NotificationActivities(settings)
    counting = None
    if runtime is not None:
        counting = asyncio.create_task(keep_counting(client, settings, runtime.metric_meter))
        structlog.get_logger().info("serving metrics", port=settings.metrics_port_of(WORKER_METRICS), ip=settings.metrics_ip)
    try:
        await build_worker(client, settings, notifications, records=records, verifier=verifier).run()
    finally:
        if counting is not None:
            counting.cancel()
        await records.close()
        await notifications.sent_log.close()


def main() -> None:
    try:
        settings = load_settings()
        configure_logging(settings.log_format)
        with suppress(KeyboardInterrupt):  # Ctrl-C is how a worker is stopped
            asyncio.run(run(settings))
    except SettingsError as error:
        raise SystemExit(f"worker: {error}") from None
    structlog.get_logger().info("worker stopped")


if __name__ == "__main__":
    main()

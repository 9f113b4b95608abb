"""Logging set up once per process, in one format for every line it writes: structlog's key=value
(DISAGREEMENT_LOG_FORMAT=keyvalue, the default) or one JSON object a line (`json`), for our code,
the standard library's loggers (uvicorn, aiohttp) and the Temporal SDK, whose Rust core would
otherwise write its own coloured lines and whose loggers append raw dicts to their messages.

Log lines carry case references, templates and stages, never personal data. Tracebacks are
plain: structlog's default (rich) prints every frame's local variables, and an activity's locals
hold the whole notice (names, addresses, the message body). Colour only on a terminal, never in a file.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, Literal

import structlog

LogFormat = Literal["keyvalue", "json"]
# What the SDK attaches to its records (LogRecord extras), turned into fields of their own.
SDK_EXTRAS = ["temporal_activity", "temporal_workflow", "temporal_log"]
SDK_CONTEXT = ("workflow_type", "activity_type", "attempt")


def configure_logging(log_format: LogFormat = "keyvalue", level: str = "INFO") -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.stdlib.add_logger_name,  # which component wrote it: the processes share one output
        _program_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    stream = sys.stderr
    if log_format == "json":
        # format_exc_info: the plain traceback as a string (dict_tracebacks would carry the locals).
        rendering: list[Any] = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    else:
        rendering = [
            structlog.dev.ConsoleRenderer(colors=stream.isatty(), exception_formatter=structlog.dev.plain_traceback)
        ]
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
            foreign_pre_chain=[
                *shared, structlog.stdlib.ExtraAdder(allow=SDK_EXTRAS), _sdk_fields,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)  # a library's warning is a log line like any other, not raw stderr
    _sdk_logs_as_records()


def _program_name(logger: Any, name: str, event: dict[str, Any]) -> dict[str, Any]:
    """`worker`, not `__main__`: every program's own module is `__main__`."""
    if event.get("logger") == "__main__":
        main = sys.modules["__main__"]
        spec = getattr(main, "__spec__", None)
        event["logger"] = spec.name.removesuffix(".__main__") if spec else Path(sys.argv[0]).stem
    return event


def _sdk_logs_as_records() -> None:
    """The SDK's context as fields (_sdk_fields), not as a dict appended to each message, and its
    Rust core's lines through Python's logging instead of straight to stderr with colour codes."""
    # Here, not at the top: the command line reads LogFormat and must not load the SDK's core for it.
    import temporalio.activity
    import temporalio.workflow
    from temporalio.runtime import LogForwardingConfig, LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter

    temporalio.activity.logger.activity_info_on_message = False
    temporalio.workflow.logger.workflow_info_on_message = False
    forwarding = LogForwardingConfig(
        logger=logging.getLogger("temporalio.core"), append_log_fields_to_message=False, prepend_target_on_message=False
    )
    logging_config = LoggingConfig(filter=TelemetryFilter(core_level="WARN", other_level="ERROR"), forwarding=forwarding)
    # Before any client connects: a client's runtime is the default one at the time.
    Runtime.set_default(Runtime(telemetry=TelemetryConfig(logging=logging_config)), error_if_already_set=False)


def _sdk_fields(logger: Any, name: str, event: dict[str, Any]) -> dict[str, Any]:
    """The case (the workflow id is its reference) and what ran, from the SDK's extras."""
    for key in ("temporal_activity", "temporal_workflow"):
        details = event.pop(key, None) or {}
        if "workflow_id" in details:
            event.setdefault("case", details["workflow_id"])
        event.update({field: details[field] for field in SDK_CONTEXT if field in details})
    core = event.pop("temporal_log", None)
    if core is not None:
        event.update({field: value for field, value in core.fields.items() if field not in event})
        event.setdefault("target", core.target)
    return event

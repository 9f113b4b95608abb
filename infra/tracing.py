"""Traces (DESIGN section 15): OpenTelemetry spans through the SDK's tracing interceptor, on the
clients of the console and the public site and on the worker, under a server span per request of
either site (web/serving.py, `RequestTelemetry`), so that one staff action, or one family's answer
online, is one trace: the request, the workflow update, the activities it starts.

Exported over OTLP/HTTP only when OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads it, and
OTEL_EXPORTER_OTLP_HEADERS and the like, itself); without it nothing is traced or sent anywhere.
Spans carry names of updates and activities and the SDK's ids (the workflow id is the case
reference, which holds no personal data); never a payload.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"


def tracer_for(service: str) -> Tracer | None:
    """A tracer exporting this process's spans over OTLP/HTTP, when OTEL_EXPORTER_OTLP_ENDPOINT is set."""
    if not os.environ.get(OTLP_ENDPOINT):
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # The provider flushes its batch when the process exits (shutdown_on_exit).
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider.get_tracer("send-disagreement-resolution")


def tracing_interceptors(tracer: Tracer | None) -> list:
    """The tracing interceptor for a client (and so for a worker built on it), when tracing."""
    if tracer is None:
        return []
    return [_tracing_interceptor(tracer)]


def _tracing_interceptor(tracer: Tracer) -> Any:
    import opentelemetry.trace
    import temporalio.worker
    from temporalio.contrib.opentelemetry import TracingInterceptor, TracingWorkflowInboundInterceptor
    from temporalio.contrib.opentelemetry._context import attached_context

    class UpdateTracing(TracingWorkflowInboundInterceptor):
        """The SDK's interceptor puts an update's spans under the workflow's start, linked to the caller;
        here they go under the caller's span (the console request), with the activities the update
        starts under them: one staff action, one trace. The SDK documents subclassing as the way to
        change its workflow interceptor; spans are still made only when not replaying."""

        def _caller(self, input: temporalio.worker.HandleUpdateInput) -> Any:
            header = input.headers.get(self.header_key)
            if header is None:
                return None
            carrier = self.payload_converter.from_payloads([header])[0]
            return self._set_on_context(self.text_map_propagator.extract(carrier))

        def handle_update_validator(self, input: temporalio.worker.HandleUpdateInput) -> None:
            caller = self._caller(input)
            if caller is None:
                return super().handle_update_validator(input)
            with attached_context(caller):
                self._completed_span(f"ValidateUpdate:{input.update}", kind=opentelemetry.trace.SpanKind.SERVER)
                temporalio.worker.WorkflowInboundInterceptor.handle_update_validator(self, input)

        async def handle_update_handler(self, input: temporalio.worker.HandleUpdateInput) -> Any:
            caller = self._caller(input)
            if caller is None:
                return await super().handle_update_handler(input)
            with attached_context(caller):
                self._completed_span(f"HandleUpdate:{input.update}", kind=opentelemetry.trace.SpanKind.SERVER)
                return await temporalio.worker.WorkflowInboundInterceptor.handle_update_handler(self, input)

    class CaseTracing(TracingInterceptor):
        def workflow_interceptor_class(self, input: temporalio.worker.WorkflowInterceptorClassInput) -> type:
            super().workflow_interceptor_class(input)  # registers the span extern the workflow side calls
            return UpdateTracing

    return CaseTracing(tracer)

"""The data converter: made here only, for the client, the worker, the replayer and tests.

Values become JSON through pydantic, then the codec encrypts them: a case's with its data key, kept
in the records database (records/case_keys.py), anything else with the key ring. Failure messages
and stack traces are moved into an encoded attribute, so they are encrypted too instead of being
stored by the server in plain text.

Values read back are validated with the `RECORDED` context: what a case already holds was checked
when it was given, and a rule added since (format characters, release 1.1) must not stop a running
case from replaying. New input is checked where it is built, in the CLI, the console or any client.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import TypeAdapter
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter, pydantic_data_converter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)

from domain.models import RECORDED
from infra.codec import EncryptionCodec
from infra.settings import CommandSettings
from records.case_keys import case_keys_for


def data_converter(settings: CommandSettings) -> DataConverter:
    """Raises SettingsError when no usable encryption key is configured."""
    ring = settings.encryption_key_ring()
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=RecordedPayloadConverter,
        payload_codec=EncryptionCodec(ring, case_keys_for(settings, ring), refuse_plaintext=settings.production),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


class _RecordedJSON(PydanticJSONPlainPayloadConverter):
    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        hint = type_hint if type_hint is not None else Any
        try:
            adapter = self._type_adapter(hint)
        except TypeError:  # an unhashable hint: not cached
            adapter = TypeAdapter(hint)
        return adapter.validate_json(payload.data, context=RECORDED)


class RecordedPayloadConverter(CompositePayloadConverter):
    """Temporal's pydantic converter, reading every value back as `RECORDED`."""

    def __init__(self) -> None:
        super().__init__(*(
            _RecordedJSON() if isinstance(converter, JSONPlainPayloadConverter) else converter
            for converter in DefaultPayloadConverter.default_encoding_payload_converters
        ))

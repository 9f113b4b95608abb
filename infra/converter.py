"""The data converter: made here only, for the client, the worker, the replayer and tests.

Values become JSON through pydantic, then the codec encrypts them. Failure messages and stack
traces are moved into an encoded attribute, so they are encrypted too instead of being stored by
the server in plain text.
"""

from __future__ import annotations

import dataclasses

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from infra.codec import EncryptionCodec
from infra.settings import Settings


def data_converter(settings: Settings) -> DataConverter:
    """Raises SettingsError when no usable encryption key is configured."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(settings.encryption_key_ring(), refuse_plaintext=settings.production),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )

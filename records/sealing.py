"""A case record encrypted exactly as Temporal's payloads of the case are: with the case's data key.

Sealing goes through the project's data converter (pydantic JSON, then the AES-GCM codec of
infra/codec.py) in the case's own context, so the record is sealed with the key that erasure
destroys: a copy of the records (a backup) cannot be read once the case is erased. Records sealed
before there were data keys (encryption version 2, the key ring) still open as they always did.
"""

from __future__ import annotations

from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter, WorkflowSerializationContext

from records.models import CaseRecord

# The records are outside any Temporal namespace; the codec reads only the case (the workflow id).
RECORDS_NAMESPACE = "records"


async def seal(converter: DataConverter, reference: str, record: CaseRecord) -> bytes:
    [payload] = await _of_case(converter, reference).encode([record])
    return payload.SerializeToString()


async def unseal(converter: DataConverter, reference: str, sealed: bytes) -> CaseRecord:
    [record] = await _of_case(converter, reference).decode([Payload.FromString(sealed)], [CaseRecord])
    return record


def _of_case(converter: DataConverter, reference: str) -> DataConverter:
    return converter.with_context(WorkflowSerializationContext(namespace=RECORDS_NAMESPACE, workflow_id=reference))

"""A case record encrypted with the payload key ring, exactly as Temporal's payloads are.

Sealing goes through the project's data converter (pydantic JSON, then the AES-GCM codec of
infra/codec.py), so key ids, rotation and the codec's checks are the same as for histories: a key
that still decrypts old histories still opens old records.
"""

from __future__ import annotations

from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter

from records.models import CaseRecord


async def seal(converter: DataConverter, record: CaseRecord) -> bytes:
    [payload] = await converter.encode([record])
    return payload.SerializeToString()


async def unseal(converter: DataConverter, sealed: bytes) -> CaseRecord:
    [record] = await converter.decode([Payload.FromString(sealed)], [CaseRecord])
    return record

"""Connecting to Temporal: the same profiles and TEMPORAL_* variables as the `temporal` CLI."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.envconfig import ClientConfig

from infra.converter import data_converter
from infra.settings import CommandSettings

DEFAULT_ADDRESS = "localhost:7233"  # the `temporal` CLI's default too


def connection_config() -> dict:
    """Address, namespace, API key and TLS from the profile file and the environment."""
    config = dict(ClientConfig.load_client_connect_config())
    config.setdefault("target_host", DEFAULT_ADDRESS)
    return config


async def connect(settings: CommandSettings) -> Client:
    return await Client.connect(**connection_config(), data_converter=data_converter(settings))


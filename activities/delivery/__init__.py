"""Delivery backends, chosen by DISAGREEMENT_NOTIFICATION_BACKEND: the dev outbox (default), SMTP
or GOV.UK Notify. Each one hands a rendered, addressed `Message` over, behind `DeliveryBackend`."""

from __future__ import annotations

from activities.delivery.base import DeliveryBackend, Message, TemporaryFailure
from activities.delivery.notify import NotifyBackend
from activities.delivery.outbox import OutboxBackend
from activities.delivery.smtp import SmtpBackend
from infra.settings import Settings

__all__ = ["DeliveryBackend", "Message", "TemporaryFailure", "backend_for"]


def backend_for(settings: Settings) -> DeliveryBackend:
    match settings.notification_backend:
        case "smtp":
            return SmtpBackend.from_settings(settings)
        case "notify":
            return NotifyBackend.from_settings(settings)
    return OutboxBackend(settings.outbox_path)

"""Every setting, given a bad value, stops start-up with one line naming its environment variable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from infra.settings import ENV_PREFIX, Settings, SettingsError, load_settings
from tests.conftest import OWN_CONTACT_DETAILS, TEST_KEYS

# One wrong value per setting, written as an operator would type it into the environment.
BAD_VALUES = {
    "task_queue": "",
    "workflow_cache_size": "-5",
    "workflow_sandbox": "maybe",
    "data_dir": "",
    "dev_server_ip": "localhost:7233",
    "dev_server_port": "seventy",
    "ui_port": "70000",
    "codec_server_port": "0",
    "talks_review_working_days": "fifteen",
    "callback_working_days": "0",
    "consent_window_working_days": "0",
    "consent_reminder_working_days": "-1",
    "session_arrangement_days": "1000",
    "session_arrangement_reminder_days": "2.5",
    "mediation_arrangement_reminder_days": "30",
    "session_reminder_working_days": "",
    "outcome_record_working_days": "two",
    "written_outcome_working_days": "999",
    "action_default_days": "14 days",
    "action_reminder_working_days": "0",
    "appeal_warning_working_days": "20,five",
    "service_name": " ",
    "service_phone": "call the town hall",
    "service_email": "send at council",
    "service_postal_address": "Town Hall",
    "service_web_page": "www.example.gov.uk/send",
    "notification_backend": "pigeon",
    "outbox_dir": " ",
    "staff_email_domain": "x",
    "sent_log_file": "",
    "records_file": "",
    "records_url": "mysql://somewhere/records",
    "records_years_after_closure": "0",
    "records_years_after_birth": "six",
    "namespace_retention_days": "0",
    "smtp_host": "smtp host with spaces",
    "smtp_port": "smtp",
    "smtp_security": "ssl",
    "smtp_username": "",
    "smtp_password": "",
    "smtp_timeout_seconds": "500",
    "mail_from": "not an address",
    "notify_api_key": "",
    "notify_base_url": "api.notifications.service.gov.uk",
    "notify_template_ids": "{not json",
    "encryption_keys": "no-colon-here",
    "encryption_key_file": "",
    "codec_server_ip": "my laptop",
    "codec_cors_origin": "http://localhost:8233/",
    "codec_token": "short",
    "sent_log_url": "mysql://db.example/sent",
    "delivery_time_limit_seconds": "120",
    "codec_allowed_hosts": "codec.example.org",
    "codec_jwt_issuer": "not a url",
    "codec_jwks_url": "jwks.json",
    "codec_jwt_audience": "",
    "codec_jwt_max_lifetime_hours": "100 years",
    "oidc_roles_claim": "",
    "oidc_issuer": "login.council.gov.uk",
    "oidc_cli_client_id": "send cli",
    "oidc_staff_id_claim": "",
    "token_file": " ",
    "codec_roles": "records-officer",
    "role_case_officer": " , ",
    "role_team_manager": "send managers",
    "role_records_officer": "",
    "role_administrator": ",,",
    "actor_verification": "sometimes",
    "oidc_issuer": "login.example.gov.uk",
    "oidc_cli_client_id": "",
    "oidc_staff_id_claim": "preferred username",
    "console_key_file": "",
    "console_public_key_file": "",
    "public_site_key_file": "",
    "public_site_public_key_file": " ",
    "public_url": "answer.council.gov.uk",
    "public_port": "80801",
    "public_site_secret_file": "",
    "production": "maybe",
    "log_format": "text",
    "metrics_ip": "metrics.local",
    "metrics_port": "9464x",
    "codec_metrics_port": "0",
    "overdue_count_seconds": "0",
}
# Settings only checked once the backend that needs them is chosen.
NEEDS = {
    "smtp_password": {"NOTIFICATION_BACKEND": "smtp", "SMTP_HOST": "smtp.example.org",
                      "MAIL_FROM": "send@example.org", "SMTP_USERNAME": "send"},
    "notify_api_key": {"NOTIFICATION_BACKEND": "notify"},
}


def test_every_setting_has_a_bad_example() -> None:
    missing = sorted(set(Settings.model_fields) - set(BAD_VALUES))
    assert not missing, f"add a bad example for {', '.join(ENV_PREFIX + m.upper() for m in missing)} to BAD_VALUES"


@pytest.fixture
def fresh_settings():
    load_settings.cache_clear()
    yield load_settings
    load_settings.cache_clear()


@pytest.mark.parametrize("field", sorted(BAD_VALUES))
def test_a_bad_value_is_refused_in_one_line_naming_the_variable(field, monkeypatch, fresh_settings) -> None:
    variable = ENV_PREFIX + field.upper()
    for name, value in NEEDS.get(field, {}).items():
        monkeypatch.setenv(ENV_PREFIX + name, value)
    monkeypatch.setenv(variable, BAD_VALUES[field])
    with pytest.raises(SettingsError) as raised:
        fresh_settings()
    message = str(raised.value)
    assert variable in message
    assert "\n" not in message
    if field in SECRETS and BAD_VALUES[field]:
        assert BAD_VALUES[field] not in message


SECRETS = {"smtp_password", "notify_api_key", "encryption_keys", "codec_token", "sent_log_url"}


@pytest.mark.parametrize(("value", "expected"), [("20,5", [20, 5]), (" 30 , 10 ,2 ", [30, 10, 2]), ("[20, 5]", [20, 5]), ("7", [7])])
def test_a_list_setting_takes_the_natural_form(value, expected, monkeypatch, fresh_settings) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}APPEAL_WARNING_WORKING_DAYS", value)
    assert fresh_settings().appeal_warning_working_days == expected


def test_the_service_address_takes_lines_separated_by_bars(monkeypatch, fresh_settings) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}SERVICE_POSTAL_ADDRESS", "Riverside House | Main Street|S60 1AE")
    assert fresh_settings().service_contact.postal_address == ["Riverside House", "Main Street", "S60 1AE"]


def test_the_worker_stops_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", f"{ENV_PREFIX}APPEAL_WARNING_WORKING_DAYS": "20;5", f"{ENV_PREFIX}DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "worker.py"], cwd=Path(__file__).parent.parent, env=env,
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"worker: invalid settings: {ENV_PREFIX}APPEAL_WARNING_WORKING_DAYS (at 0): Input should be a valid integer, "
        "unable to parse string as an integer"
    ]


def test_the_example_phone_number_is_one() -> None:
    """The default is not validated at start-up (it would load the phone library for every command)."""
    example = Settings.model_fields["service_phone"].default
    assert Settings(service_phone=example).service_phone == example


def test_production_refuses_the_example_contact_details_naming_each_missing_variable() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(production=True, encryption_keys=TEST_KEYS, actor_verification="required", service_name="Rotherham SENDIASS")
    message = str(refused.value)
    assert "DISAGREEMENT_SERVICE_PHONE" in message and "DISAGREEMENT_SERVICE_WEB_PAGE" in message
    assert "DISAGREEMENT_SERVICE_NAME" not in message
    assert Settings(production=True, encryption_keys=TEST_KEYS, actor_verification="required", **OWN_CONTACT_DETAILS).service_phone
    assert not Settings().production  # development keeps the examples


def test_production_refuses_links_to_this_machine_or_without_tls() -> None:
    details = {name: value for name, value in OWN_CONTACT_DETAILS.items() if name != "public_url"}
    for public_url in (None, "http://answer.rotherham.example.gov.uk"):
        with pytest.raises(ValidationError) as refused:
            Settings(production=True, encryption_keys=TEST_KEYS, actor_verification="required", public_url=public_url, **details)
        assert "DISAGREEMENT_PRODUCTION is set, so DISAGREEMENT_PUBLIC_URL must be the public site's https://" in str(refused.value)


def test_production_requires_every_actor_to_be_vouched_for() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(production=True, encryption_keys=TEST_KEYS, **OWN_CONTACT_DETAILS)
    assert "DISAGREEMENT_PRODUCTION is set, so DISAGREEMENT_ACTOR_VERIFICATION must be required" in str(refused.value)


def test_metrics_are_off_in_development_and_on_in_production_each_process_on_its_own_port() -> None:
    from web.settings import WebSettings

    development = WebSettings()
    assert [development.metrics_port_of(s) for s in ("metrics_port", "web_metrics_port", "codec_metrics_port")] == [None] * 3
    production = WebSettings(production=True, encryption_keys=TEST_KEYS, actor_verification="required",
                             oidc_issuer="https://login.example.gov.uk", oidc_client_id="console", oidc_client_secret="secret",
                             **OWN_CONTACT_DETAILS)
    assert [production.metrics_port_of(s) for s in ("metrics_port", "web_metrics_port", "codec_metrics_port")] == [9464, 9465, 9466]
    assert production.metrics_ip == "127.0.0.1"  # loopback unless an operator opens it
    assert Settings(metrics_port=9100).metrics_port_of("metrics_port") == 9100


def test_two_processes_cannot_be_given_one_metrics_port(monkeypatch, fresh_settings) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}METRICS_PORT", "9100")
    monkeypatch.setenv(f"{ENV_PREFIX}CODEC_METRICS_PORT", "9100")
    with pytest.raises(SettingsError, match="DISAGREEMENT_CODEC_METRICS_PORT and DISAGREEMENT_METRICS_PORT name the same port"):
        fresh_settings()

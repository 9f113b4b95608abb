"""`python -m public_site`: the public site under uvicorn (`make run` starts it beside the console)."""

from __future__ import annotations

import sys

import uvicorn

from infra.logs import configure_logging
from infra.settings import SettingsError
from infra.tracing import tracer_for
from public_site.app import create_app
from public_site.settings import load_public_settings

PUBLIC_METRICS = "public_metrics_port"


def main() -> None:
    try:
        settings = load_public_settings()
        configure_logging(settings.log_format)
        app = create_app(settings, tracer=tracer_for("disagreement-public-site"))
        app.metrics.serve(settings, PUBLIC_METRICS)
    except (SettingsError, RuntimeError) as error:
        print(f"public site: {error}", file=sys.stderr)
        sys.exit(2)
    # Our own access log (web/serving.py) names the route, never the token in the path; uvicorn's would not.
    # Behind a reverse proxy, the client's address (for the rate limits) comes from X-Forwarded-For when
    # the proxy is trusted (DISAGREEMENT_PUBLIC_TRUSTED_PROXIES).
    uvicorn.run(
        app, host=settings.public_host, port=settings.public_port, access_log=False, log_config=None,
        proxy_headers=bool(settings.public_trusted_proxies), forwarded_allow_ips=settings.public_trusted_proxies or None,
    )


if __name__ == "__main__":
    main()

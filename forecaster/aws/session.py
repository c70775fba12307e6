"""One boto3 session for a command: credentials, region, client settings, retries.

Credentials and region come from boto3's default chain (environment, ``~/.aws`` files, SSO,
instance or container roles) unless ``--profile`` / ``--region`` say otherwise. boto3 itself
honours ``AWS_ENDPOINT_URL`` (and ``AWS_ENDPOINT_URL_<SERVICE>``), which points every call,
S3 reads included, at a local emulator such as moto; nothing here overrides endpoints.

Every call goes through :meth:`Aws.call`: throttling and transient failures are retried
with capped exponential backoff and full jitter (botocore's own retries are off, so the
attempts and waits are ours and testable), and any failure becomes an AwsError naming the
call, the resource and the fix. Secrets are redacted from all logging (:mod:`redact`).
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore import exceptions as bx
from botocore.config import Config

from forecaster.aws import redact
from forecaster.aws.errors import NO_CREDENTIALS_HELP, AwsError, is_throttling, is_transient
from forecaster.aws.errors import translate as translate_error

log = logging.getLogger(__name__)

ATTEMPTS_ENV = "FORECASTER_AWS_ATTEMPTS"
BACKOFF_ENV = "FORECASTER_AWS_BACKOFF"
USER_AGENT = "cloud-cost-forecaster"
#: Services whose endpoint is global: a region is only needed to sign (Cost Explorer lives
#: in us-east-1; S3 redirects to the bucket's region).
DEFAULT_REGIONS = {"ce": "us-east-1", "s3": "us-east-1"}


@dataclass(frozen=True)
class AwsOptions:
    """Where and how to call AWS.

    ``attempts`` is the number of tries per request when throttled or on a transient
    failure; the wait before try n is uniform in [0, min(cap, base * 2**n)) seconds.
    Defaults: $FORECASTER_AWS_ATTEMPTS or 8 tries, $FORECASTER_AWS_BACKOFF or 0.5 s base.
    """

    profile: str | None = None
    region: str | None = None
    attempts: int = field(default_factory=lambda: int(os.environ.get(ATTEMPTS_ENV, "8")))
    backoff_base: float = field(default_factory=lambda: float(os.environ.get(BACKOFF_ENV, "0.5")))
    backoff_cap: float = 20.0


class Aws:
    """A boto3 session plus the tool's client settings; counts the requests it makes."""

    def __init__(
        self, options: AwsOptions | None = None, sleep: Callable[[float], None] = time.sleep
    ):
        self.options = options or AwsOptions()
        self.sleep = sleep
        self.requests: Counter[str] = Counter()  # "service.Operation" -> HTTP requests sent
        redact.install()
        try:
            self.session = boto3.Session(profile_name=self.options.profile)
        except bx.ProfileNotFound as exc:
            raise translate_error(exc, "", "") from None
        self._clients: dict[str, Any] = {}

    def check_credentials(self) -> None:
        """Fail early, with the fix, when the default chain finds no credentials."""
        try:
            creds = self.session.get_credentials()
            frozen = creds.get_frozen_credentials() if creds is not None else None
        except bx.BotoCoreError as exc:
            raise translate_error(exc, "", "credentials") from None
        if frozen is None or not frozen.access_key:
            raise AwsError(NO_CREDENTIALS_HELP, parameters=("profile",))
        redact.register_secret(frozen.secret_key)
        redact.register_secret(frozen.token)

    def region(self, service: str) -> str:
        region = self.options.region or self.session.region_name or DEFAULT_REGIONS.get(service)
        if not region:
            raise AwsError(
                f"{service}: no AWS region; pass `region`, set AWS_REGION, or set a region in "
                "your AWS profile",
                parameters=("region",),
            )
        return region

    def client(self, service: str) -> Any:
        if service not in self._clients:
            config = Config(
                retries={"total_max_attempts": 1},  # retries are ours (see call)
                connect_timeout=10,
                read_timeout=120,
                user_agent_extra=USER_AGENT,
            )
            self._clients[service] = self.session.client(
                service, region_name=self.region(service), config=config
            )
        return self._clients[service]

    def call(self, service: str, operation: str, resource: str, **params: Any) -> dict[str, Any]:
        """``client.<operation>(**params)`` with retries; AwsError naming ``resource`` on failure.

        ``operation`` is the API name (``GetMetricData``); ``resource`` says what the call
        was about (a bucket key, a metric, a date range) for the error message.
        """
        api = f"{service}.{operation}"
        method = getattr(self.client(service), _snake(operation))
        opts = self.options
        for attempt in range(1, opts.attempts + 1):
            self.requests[api] += 1
            try:
                return method(**params)
            except (bx.BotoCoreError, bx.ClientError) as exc:
                retry = is_throttling(exc) or is_transient(exc)
                if not retry or attempt == opts.attempts:
                    if retry:
                        raise AwsError(
                            f"{api} on {resource}: still failing after {attempt} attempts "
                            f"({_describe(exc)}); AWS is throttling or unavailable, try again "
                            "later"
                        ) from None
                    raise translate_error(exc, api, resource) from None
                wait = random.uniform(0, min(opts.backoff_cap, opts.backoff_base * 2**attempt))
                log.info(
                    "%s throttled or failed (%s); retry %d in %.2f s",
                    api,
                    _describe(exc),
                    attempt,
                    wait,
                )
                self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover


def _describe(exc: Exception) -> str:
    if isinstance(exc, bx.ClientError):
        return str(exc.response.get("Error", {}).get("Code") or exc)
    return type(exc).__name__


def _snake(operation: str) -> str:
    out = []
    for i, ch in enumerate(operation):
        if ch.isupper() and i and (not operation[i - 1].isupper()):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)

"""Fixtures for the AWS tests: one real moto server per session on 127.0.0.1, a fault proxy
in front of it, and an environment pointing boto3 at the proxy with fake credentials."""

from __future__ import annotations

import json
import urllib.request

import boto3
import pytest

from tests.aws_server import FaultProxy, free_port

FAKE_KEY_ID = "AKIAFAKEFAKEFAKE1234"
FAKE_SECRET = "fakeSecretKey/DoNotLog+0123456789abcdefXYZ"
FAKE_TOKEN = "FakeSessionToken//DoNotLog+AAAAbbbbCCCCddddEEEEffff0123456789"


#: ``forecaster ingest cost-explorer`` for January 2024 (add ``--store DIR``).
CE_JANUARY_2024 = ["ingest", "cost-explorer", "--start", "2024-01-01", "--end", "2024-02-01"]


@pytest.fixture(scope="session")
def moto_server():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield ("127.0.0.1", port)
    server.stop()


@pytest.fixture(scope="session")
def fault_proxy(moto_server):
    proxy = FaultProxy(moto_server)
    yield proxy
    proxy.close()


@pytest.fixture
def aws_env(moto_server, fault_proxy, monkeypatch, tmp_path):
    """boto3 talks to the proxy (then moto) with fake credentials; moto starts empty."""
    host, port = moto_server
    urllib.request.urlopen(
        urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST")
    ).read()
    fault_proxy.reset()
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    env = {
        "AWS_ENDPOINT_URL": fault_proxy.url,
        "AWS_ACCESS_KEY_ID": FAKE_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET,
        "AWS_SESSION_TOKEN": FAKE_TOKEN,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "FORECASTER_AWS_BACKOFF": "0.001",
        "FORECASTER_AWS_ATTEMPTS": "4",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return fault_proxy


@pytest.fixture
def moto_client(moto_server, aws_env):
    """boto3 clients that talk to moto directly (test setup, bypassing the fault proxy)."""
    host, port = moto_server

    def make(service: str):
        return boto3.client(service, endpoint_url=f"http://{host}:{port}", region_name="us-east-1")

    return make


@pytest.fixture
def seed_cost_explorer(moto_server, aws_env):
    """Queue GetCostAndUsage results in moto (each distinct request takes the next one)."""
    host, port = moto_server

    def seed(results: list[dict]) -> None:
        req = urllib.request.Request(
            f"http://{host}:{port}/moto-api/static/ce/cost-and-usage-results",
            data=json.dumps({"results": results}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        assert urllib.request.urlopen(req).status == 201

    return seed

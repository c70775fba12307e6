"""A real moto server on 127.0.0.1 and a small fault-injecting HTTP proxy in front of it.

The code under test talks HTTP to the proxy (AWS_ENDPOINT_URL), the proxy forwards to moto.
Tests add rules to the proxy to make chosen requests fail the way AWS fails them
(ThrottlingException, AccessDenied, ExpiredToken, ...) and to page GetMetricData the way
CloudWatch does (moto returns every data point at once). The proxy also records which
operations were called, so tests can count requests.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

Response = tuple[int, dict[str, str], bytes]
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    service: str  # signing name: "ce", "monitoring", "s3", ...
    operation: str  # "GetCostAndUsage", "GetMetricData", "GetObject", "ListObjectsV2", ...

    @property
    def key(self) -> str:
        """S3: "bucket/key" of the request path."""
        return urlsplit(self.path).path.lstrip("/")

    def json(self) -> dict:
        return json.loads(self.body or b"{}")


def _service(headers: dict[str, str]) -> str:
    m = re.search(
        r"Credential=[^/]*/\d+/[^/]+/([^/]+)/aws4_request", headers.get("authorization", "")
    )
    return m.group(1) if m else ""


def _s3_operation(method: str, path: str) -> str:
    parts = urlsplit(path)
    query = parse_qs(parts.query, keep_blank_values=True)
    has_key = "/" in parts.path.lstrip("/")
    if method == "GET" and not has_key:
        return "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects"
    return {"GET": "GetObject", "HEAD": "HeadObject", "PUT": "PutObject"}.get(method, method)


def json_error(code: str, message: str, status: int = 400) -> Response:
    body = json.dumps({"__type": code, "message": message}).encode()
    return status, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}, body


def xml_error(code: str, message: str, status: int) -> Response:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
        f"<Message>{message}</Message><RequestId>FAKE</RequestId></Error>"
    ).encode()
    return status, {"Content-Type": "application/xml"}, body


def aws_error(req: Request, code: str, message: str, status: int = 400) -> Response:
    """The error as the request's protocol spells it (XML for S3, JSON otherwise)."""
    return (
        xml_error(code, message, status)
        if req.service == "s3"
        else json_error(code, message, status)
    )


Rule = Callable[[Request, Callable[[Request], Response]], Response | None]


@dataclass
class FaultProxy:
    """Forwards to ``target`` (host, port) unless a rule answers first."""

    target: tuple[str, int]
    rules: list[Rule] = field(default_factory=list)
    #: (service, operation, URL-decoded path) of every request, in order
    calls: list[tuple[str, str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                service = _service(headers)
                target = headers.get("x-amz-target", "")
                operation = (
                    target.split(".")[-1] if target else _s3_operation(self.command, self.path)
                )
                req = Request(self.command, self.path, headers, body, service, operation)
                proxy.calls.append((service, operation, unquote(self.path)))
                response = None
                for rule in list(proxy.rules):
                    response = rule(req, proxy.forward)
                    if response is not None:
                        break
                status, out_headers, out_body = response or proxy.forward(req)
                self.send_response(status)
                for k, v in out_headers.items():
                    if k.lower() not in HOP_BY_HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(out_body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(out_body)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def forward(self, req: Request) -> Response:
        conn = http.client.HTTPConnection(*self.target, timeout=60)
        try:
            headers = {k: v for k, v in req.headers.items() if k not in ("connection",)}
            headers["content-length"] = str(len(req.body))
            conn.request(req.method, req.path, body=req.body, headers=headers)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def count(self, operation: str, path_contains: str = "") -> int:
        return sum(1 for _, op, path in self.calls if op == operation and path_contains in path)

    def reset(self) -> None:
        self.rules.clear()
        self.calls.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- rules -----------------------------------------------------------------------------------
def fail(
    operation: str,
    code: str,
    message: str = "injected",
    status: int = 400,
    times: int | None = None,
    when: Callable[[Request], bool] | None = None,
) -> Rule:
    """Answer ``operation`` with an AWS error, ``times`` times (None: always)."""
    left = [times]

    def rule(req: Request, forward) -> Response | None:
        if req.operation != operation or (when is not None and not when(req)):
            return None
        if left[0] is not None:
            if left[0] <= 0:
                return None
            left[0] -= 1
        return aws_error(req, code, message, status)

    return rule


def throttle(operation: str, times: int | None) -> Rule:
    """ThrottlingException (SlowDown for S3), ``times`` times then let requests through."""

    def rule(req: Request, forward) -> Response | None:
        if req.service == "s3":
            return (
                fail(operation, "SlowDown", "Please reduce your request rate.", 503, None)(
                    req, forward
                )
                if _take(left)
                else None
            )
        return (
            fail(operation, "ThrottlingException", "Rate exceeded", 400, None)(req, forward)
            if req.operation == operation and _take(left)
            else None
        )

    left = [times]
    return rule


def _take(left: list[int | None]) -> bool:
    if left[0] is None:
        return True
    if left[0] <= 0:
        return False
    left[0] -= 1
    return True


def page_metric_data(req: Request, forward) -> Response | None:
    """Page GetMetricData by MaxDatapoints per result, with NextToken and PartialData."""
    if req.operation != "GetMetricData":
        return None
    params = req.json()
    size = int(params.pop("MaxDatapoints", 100_800))
    offset = int(params.pop("NextToken", "0") or 0)
    inner = Request(
        req.method,
        req.path,
        dict(req.headers),
        json.dumps(params).encode(),
        req.service,
        req.operation,
    )
    status, headers, body = forward(inner)
    if status != 200:
        return status, headers, body
    doc = json.loads(body)
    more = False
    for result in doc.get("MetricDataResults", []):
        ts, values = result.get("Timestamps", []), result.get("Values", [])
        result["Timestamps"] = ts[offset : offset + size]
        result["Values"] = values[offset : offset + size]
        if len(ts) > offset + size:
            more = True
            result["StatusCode"] = "PartialData"
        else:
            result["StatusCode"] = "Complete"
    if more:
        doc["NextToken"] = str(offset + size)
    return 200, headers, json.dumps(doc).encode()

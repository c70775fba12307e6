"""Keep AWS secrets out of every log line, including botocore's debug logging.

botocore at DEBUG logs signed requests, whose headers carry the session token, and the
canonical request it signs. A log record factory (installed once, process-wide) rewrites
the message of every record from botocore, boto3, urllib3, s3transfer and this package
before any handler sees it: the secret access key and session token of the credentials in
use are replaced by ``****``, and so is anything in a security-token header or query field.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "****"
PREFIXES = ("botocore", "boto3", "urllib3", "s3transfer", "forecaster")
_PATTERNS = (
    # 'X-Amz-Security-Token': b'...', x-amz-security-token:..., X-Amz-Security-Token=...
    re.compile(r"(x-amz-security-token['\"]?\s*[:=]\s*b?['\"]?)([^'\"&,\s}]+)", re.IGNORECASE),
    re.compile(r"(aws_secret_access_key['\"]?\s*[:=]\s*['\"]?)([^'\"&,\s}]+)", re.IGNORECASE),
    re.compile(r"(aws_session_token['\"]?\s*[:=]\s*['\"]?)([^'\"&,\s}]+)", re.IGNORECASE),
    re.compile(r"(SecretAccessKey['\"]?\s*[:=]\s*['\"]?)([^'\"&,\s}]+)"),
    re.compile(r"(SessionToken['\"]?\s*[:=]\s*['\"]?)([^'\"&,\s}]+)"),
)
_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def register_secret(value: str | None) -> None:
    """Mask this exact value wherever it appears in a log message from now on."""
    if value and len(value) >= 8:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """``text`` with every registered secret and every security-token field masked."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


def install() -> None:
    """Wrap the logging record factory so AWS-related records are redacted (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if record.name.startswith(PREFIXES):
                try:
                    message = record.getMessage()
                except Exception:  # a broken format string is not ours to fix
                    return record
                clean = redact(message)
                if clean != message:
                    record.msg, record.args = clean, ()
            return record

        logging.setLogRecordFactory(factory)
        _installed = True

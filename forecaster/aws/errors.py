"""AWS failures turned into messages that name the call, the resource and the fix.

Every AWS call goes through :func:`call` (in :mod:`forecaster.aws.session`), which maps
botocore's exceptions here. No message ever includes credentials.
"""

from __future__ import annotations

from botocore import exceptions as bx

from forecaster.errors import ForecasterError


class AwsError(ForecasterError):
    """An AWS call failed; the message names the call, the resource and what to do."""


#: The IAM action behind each API operation the tool calls (docs/iam-policy.json lists them).
IAM_ACTIONS: dict[str, str] = {
    "ce.GetCostAndUsage": "ce:GetCostAndUsage",
    "cloudwatch.GetMetricData": "cloudwatch:GetMetricData",
    "s3.ListObjectsV2": "s3:ListBucket",
    "s3.GetObject": "s3:GetObject",
    "glue.GetTable": "glue:GetTable",
    "athena.StartQueryExecution": "athena:StartQueryExecution",
    "athena.GetQueryExecution": "athena:GetQueryExecution",
    "athena.GetQueryResults": "athena:GetQueryResults",
    "athena.StopQueryExecution": "athena:StopQueryExecution",
}

#: What Athena itself does with the caller's credentials while running the query (read the
#: table's partitions and data, write the result file); the tool never calls these, but the
#: policy must allow them (docs/iam-policy.json lists them beside IAM_ACTIONS).
ATHENA_ON_BEHALF_ACTIONS: tuple[str, ...] = (
    "glue:GetDatabase",
    "glue:GetPartitions",
    "s3:GetBucketLocation",
    "s3:PutObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
)

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "ProvisionedThroughputExceededException",
        "BandwidthLimitExceeded",
    }
)
TRANSIENT_CODES = frozenset(
    {
        "InternalError",
        "InternalFailure",
        "ServiceUnavailable",
        "RequestTimeout",
        "500",
        "502",
        "503",
        "504",
    }
)
CREDENTIAL_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "TokenRefreshRequired",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "InvalidToken",
        "AuthFailure",
        "MissingAuthenticationToken",
    }
)
DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden", "403"}
)
MISSING_CODES = {"NoSuchBucket": "bucket", "NoSuchKey": "object", "404": "object"}

#: Hints naming the ``profile`` parameter (marked as code; the CLI says ``--profile``). Errors
#: that use them pass ``parameters=("profile",)``.
CREDENTIALS_HELP = (
    "refresh them (e.g. `aws sso login --profile NAME`, or new temporary keys), or pick "
    "other ones with `profile`"
)
NO_CREDENTIALS_HELP = (
    "no AWS credentials found: set AWS_PROFILE or pass `profile`, set AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY, or run on an AWS role (boto3's default credential chain)"
)


def error_code(exc: Exception) -> str:
    if isinstance(exc, bx.ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code") or "")
        if code:
            return code
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return str(status or "")
    return ""


def is_throttling(exc: Exception) -> bool:
    return error_code(exc) in THROTTLING_CODES or (
        isinstance(exc, bx.ClientError)
        and exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 429
    )


def is_transient(exc: Exception) -> bool:
    if isinstance(
        exc,
        bx.EndpointConnectionError | bx.ConnectionClosedError | bx.ReadTimeoutError,
    ):
        return True
    return error_code(exc) in TRANSIENT_CODES


def translate(exc: Exception, api: str, resource: str) -> AwsError:
    """A clear AwsError for a failed call of ``api`` ("service.Operation") on ``resource``."""
    action = IAM_ACTIONS.get(api, api.replace(".", ":"))
    where = f"{api} on {resource}" if resource else api
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return AwsError(f"{where}: {NO_CREDENTIALS_HELP}", parameters=("profile",))
    if isinstance(
        exc,
        bx.TokenRetrievalError
        | bx.SSOTokenLoadError
        | bx.UnauthorizedSSOTokenError
        | bx.CredentialRetrievalError
        | bx.RefreshWithMFAUnsupportedError,
    ):
        return AwsError(
            f"{where}: the AWS credentials have expired or cannot be refreshed; {CREDENTIALS_HELP}",
            parameters=("profile",),
        )
    if isinstance(exc, bx.ProfileNotFound):
        return AwsError(
            f"the AWS profile {exc.kwargs.get('profile')!r} is not configured "
            "(~/.aws/config or ~/.aws/credentials)"
        )
    if isinstance(exc, bx.NoRegionError):
        return AwsError(
            f"{where}: no AWS region; pass `region` or set AWS_REGION", parameters=("region",)
        )
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectionClosedError):
        return AwsError(f"{where}: cannot reach the AWS endpoint ({exc})")
    if isinstance(exc, bx.ReadTimeoutError | bx.ConnectTimeoutError):
        return AwsError(f"{where}: the AWS endpoint timed out ({exc})")
    code = error_code(exc)
    text = ""
    if isinstance(exc, bx.ClientError):
        text = str(exc.response.get("Error", {}).get("Message") or "")
    detail = f"{code}: {text}" if text else code
    if code in CREDENTIAL_CODES:
        return AwsError(
            f"{where}: AWS rejected the credentials ({detail}); {CREDENTIALS_HELP}",
            parameters=("profile",),
        )
    if code in DENIED_CODES:
        return AwsError(
            f"{where}: access denied ({detail}); the identity needs {action} "
            "(see docs/iam-policy.json)"
        )
    if code in MISSING_CODES:
        return AwsError(f"{where}: no such {MISSING_CODES[code]} ({detail})")
    if code in THROTTLING_CODES:
        return AwsError(f"{where}: AWS kept throttling the requests ({detail}); try again later")
    if code == "DataUnavailableException" and api.startswith("ce."):
        return AwsError(
            f"{where}: Cost Explorer has no data for that range ({detail}); is "
            "Cost Explorer enabled for the account, and is the range within its "
            "history (13 months by default)?"
        )
    if code:
        return AwsError(f"{where} failed ({detail})")
    return AwsError(f"{where} failed: {exc}")

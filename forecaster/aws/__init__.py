"""AWS through boto3: Cost Explorer, CloudWatch GetMetricData and CUR 2.0 exports in S3.

``Aws`` wraps one boto3 session (default credential chain, ``--profile``, ``--region``,
``AWS_ENDPOINT_URL`` honoured by boto3), retries throttling with backoff and turns failures
into AwsError messages naming the call and the fix.
"""

from forecaster.aws.errors import IAM_ACTIONS, AwsError
from forecaster.aws.session import Aws, AwsOptions

__all__ = ["IAM_ACTIONS", "Aws", "AwsError", "AwsOptions"]

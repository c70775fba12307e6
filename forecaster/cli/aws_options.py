"""The AWS options (--profile, --region) every AWS-facing command shares."""

from __future__ import annotations

import argparse


def add_aws_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile", default=None, help="AWS profile (default: boto3's credential chain)"
    )
    parser.add_argument(
        "--region", default=None, help="AWS region (default: AWS_REGION or the profile's)"
    )


def aws_options(args: argparse.Namespace):
    """AwsOptions from --profile/--region (boto3 is imported only when AWS is used)."""
    from forecaster.aws import AwsOptions

    return AwsOptions(profile=getattr(args, "profile", None), region=getattr(args, "region", None))

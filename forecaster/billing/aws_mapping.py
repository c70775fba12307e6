"""AWS Cost and Usage Report vocabulary mapped to FOCUS, as data.

All three CUR flavours are read through one snake_case vocabulary: CUR 2.0 (Data Exports)
already uses it, legacy CUR Parquet too, and legacy CUR CSV headers ("lineItem/UnblendedCost")
are converted by :func:`snake_case` the way AWS does ("reservation/ReservationARN" becomes
"reservation_reservation_a_r_n").
"""

from __future__ import annotations

import re

from forecaster import columns as C

#: Canonical column <- CUR columns to try, first present wins.
COLUMN_CANDIDATES: dict[str, tuple[str, ...]] = {
    C.BILLING_PERIOD_START: ("bill_billing_period_start_date",),
    C.BILLING_PERIOD_END: ("bill_billing_period_end_date",),
    C.CHARGE_PERIOD_START: ("line_item_usage_start_date",),
    C.CHARGE_PERIOD_END: ("line_item_usage_end_date",),
    C.BILLED_COST: ("line_item_unblended_cost",),
    C.LIST_COST: ("pricing_public_on_demand_cost",),
    C.CONTRACTED_COST: ("line_item_net_unblended_cost",),
    C.BILLING_CURRENCY: ("line_item_currency_code",),
    C.BILLING_ACCOUNT_ID: ("bill_payer_account_id",),
    C.SUB_ACCOUNT_ID: ("line_item_usage_account_id",),
    C.SUB_ACCOUNT_NAME: ("line_item_usage_account_name",),
    C.SERVICE_NAME: ("product_product_name", "product_servicename", "line_item_product_code"),
    C.CHARGE_DESCRIPTION: ("line_item_line_item_description",),
    C.RESOURCE_ID: ("line_item_resource_id",),
    C.REGION_ID: ("product_region_code", "product_region"),
    C.SKU_ID: ("product_sku",),
    C.CONSUMED_QUANTITY: ("line_item_usage_amount",),
    C.CONSUMED_UNIT: ("pricing_unit",),
    C.X_USAGE_TYPE: ("line_item_usage_type",),
    C.X_LINE_ITEM_TYPE: ("line_item_line_item_type",),
}

#: Columns a CUR file must have (after snake-casing).
REQUIRED: tuple[str, ...] = (
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_line_item_type",
    "line_item_unblended_cost",
    "line_item_currency_code",
)

#: Keys inside CUR 2.0's ``product`` map that stand in for missing top-level columns.
PRODUCT_MAP_KEYS: dict[str, str] = {
    C.SERVICE_NAME: "product_name",
    C.REGION_ID: "region_code",
}

#: FOCUS 1.2 ChargeCategory per CUR line item type. A Refund takes the category of what it
#: refunds (see REFUND_CATEGORY_BY_TAX_TYPE) and ChargeClass "Correction".
CHARGE_CATEGORY: dict[str, str] = {
    "Usage": "Usage",
    "DiscountedUsage": "Usage",
    "SavingsPlanCoveredUsage": "Usage",
    "SavingsPlanNegation": "Usage",
    "SavingsPlanRecurringFee": "Purchase",
    "SavingsPlanUpfrontFee": "Purchase",
    "RIFee": "Purchase",
    "Fee": "Purchase",
    "Tax": "Tax",
    "Credit": "Credit",
    "BundledDiscount": "Credit",
    "EdpDiscount": "Credit",
    "PrivateRateDiscount": "Credit",
    "SppDiscount": "Credit",
    "DistributorDiscount": "Credit",
    "Refund": "Usage",  # refined below: a tax refund is Tax, a fee refund Purchase
}

CORRECTION_LINE_ITEM_TYPES: tuple[str, ...] = ("Refund",)

#: EffectiveCost (amortized) per line item type, as signed sums of CUR columns; a type not
#: listed costs its unblended cost. An empty tuple means zero: its cost is spread over the
#: covered usage instead (upfront fees, negations).
EFFECTIVE_COST_TERMS: dict[str, tuple[tuple[int, str], ...]] = {
    "SavingsPlanCoveredUsage": ((1, "savings_plan_savings_plan_effective_cost"),),
    "SavingsPlanRecurringFee": (
        (1, "savings_plan_total_commitment_to_date"),
        (-1, "savings_plan_used_commitment"),
    ),
    "SavingsPlanNegation": (),
    "SavingsPlanUpfrontFee": (),
    "DiscountedUsage": ((1, "reservation_effective_cost"),),
    "RIFee": (
        (1, "reservation_unused_amortized_upfront_fee_for_billing_period"),
        (1, "reservation_unused_recurring_fee"),
    ),
}

#: A "Fee" row that buys a reservation upfront is amortized into DiscountedUsage: zero.
UPFRONT_RESERVATION_FEE = ("Fee", "reservation_reservation_a_r_n")

#: PricingCategory per pricing term / line item type.
PRICING_CATEGORY_BY_TERM: dict[str, str] = {
    "OnDemand": "Standard",
    "Reserved": "Committed",
    "Spot": "Dynamic",
}
COMMITTED_LINE_ITEM_TYPES = ("DiscountedUsage", "SavingsPlanCoveredUsage")
#: Line item types whose usage amount is a ConsumedQuantity (others consume nothing).
USAGE_LIKE_LINE_ITEM_TYPES = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage")

#: ServiceCategory (FOCUS) per AWS product code; others are "Other".
SERVICE_CATEGORY: dict[str, str] = {
    "AmazonEC2": "Compute",
    "AWSLambda": "Compute",
    "AmazonECS": "Compute",
    "AmazonEKS": "Compute",
    "AWSFargate": "Compute",
    "AmazonLightsail": "Compute",
    "AmazonS3": "Storage",
    "AmazonEFS": "Storage",
    "AmazonFSx": "Storage",
    "AWSBackup": "Storage",
    "AmazonGlacier": "Storage",
    "AmazonRDS": "Databases",
    "AmazonDynamoDB": "Databases",
    "AmazonElastiCache": "Databases",
    "AmazonRedshift": "Databases",
    "AmazonDocDB": "Databases",
    "AmazonNeptune": "Databases",
    "AmazonCloudFront": "Networking",
    "AmazonVPC": "Networking",
    "AWSDataTransfer": "Networking",
    "AmazonRoute53": "Networking",
    "AWSELB": "Networking",
    "AmazonApiGateway": "Networking",
    "AmazonCloudWatch": "Management and Governance",
    "AWSCloudTrail": "Management and Governance",
    "AWSConfig": "Management and Governance",
    "AWSCostExplorer": "Management and Governance",
    "AmazonSQS": "Integration",
    "AmazonSNS": "Integration",
    "AWSEvents": "Integration",
    "AmazonKinesis": "Analytics",
    "AmazonAthena": "Analytics",
    "AWSGlue": "Analytics",
    "AmazonSageMaker": "AI and Machine Learning",
    "AmazonBedrock": "AI and Machine Learning",
    "AWSSecretsManager": "Security",
    "awskms": "Security",
    "AWSIoT": "Internet of Things",
}


def snake_case(header: str) -> str:
    """A legacy CUR CSV header in AWS's snake_case form.

    >>> snake_case("lineItem/UnblendedCost")
    'line_item_unblended_cost'
    >>> snake_case("reservation/ReservationARN")
    'reservation_reservation_a_r_n'
    """
    category, _, name = header.partition("/")
    if not name:
        return re.sub(r"[^0-9a-zA-Z]+", "_", header).strip("_").lower()
    parts = []
    for part in (category, name):
        part = re.sub(r"(?<!^)([A-Z])", r"_\1", part)
        parts.append(re.sub(r"[^0-9a-zA-Z]+", "_", part).strip("_").lower())
    return "_".join(parts)


#: Further CUR columns the reader uses (tags and product maps, types, commitment ids).
OTHER_COLUMNS: tuple[str, ...] = (
    "resource_tags",
    "product",
    "cost_category",
    "discount",
    "pricing_term",
    "line_item_tax_type",
    "savings_plan_savings_plan_a_r_n",
    "reservation_reservation_a_r_n",
    "identity_line_item_id",
)


def known_columns() -> list[str]:
    """Every CUR column (snake_case) the reader maps, requires or computes from."""
    names = [c for cands in COLUMN_CANDIDATES.values() for c in cands]
    names += list(REQUIRED) + list(OTHER_COLUMNS) + [UPFRONT_RESERVATION_FEE[1]]
    names += [c for terms in EFFECTIVE_COST_TERMS.values() for _, c in terms]
    return sorted(set(names))

"""The canonical billing table: FOCUS 1.2 column names and their types, in one place.

Every reader maps its provider's columns onto these names; nothing past the source
readers sees a provider-specific name. Custom lineage columns use FOCUS's ``x_`` prefix.
Money columns are Float64 in the billing currency; timestamps are UTC with exclusive
period ends ([start, end)).
"""

from __future__ import annotations

import polars as pl

# Periods (UTC, [start, end))
BILLING_PERIOD_START = "BillingPeriodStart"
BILLING_PERIOD_END = "BillingPeriodEnd"
CHARGE_PERIOD_START = "ChargePeriodStart"
CHARGE_PERIOD_END = "ChargePeriodEnd"

# Money (billing currency)
BILLED_COST = "BilledCost"
EFFECTIVE_COST = "EffectiveCost"
LIST_COST = "ListCost"
CONTRACTED_COST = "ContractedCost"
BILLING_CURRENCY = "BillingCurrency"

# Who and what
PROVIDER_NAME = "ProviderName"
BILLING_ACCOUNT_ID = "BillingAccountId"
SUB_ACCOUNT_ID = "SubAccountId"
SUB_ACCOUNT_NAME = "SubAccountName"
SERVICE_NAME = "ServiceName"
SERVICE_CATEGORY = "ServiceCategory"
CHARGE_CATEGORY = "ChargeCategory"
CHARGE_CLASS = "ChargeClass"
CHARGE_DESCRIPTION = "ChargeDescription"
RESOURCE_ID = "ResourceId"
REGION_ID = "RegionId"
SKU_ID = "SkuId"
CONSUMED_QUANTITY = "ConsumedQuantity"
CONSUMED_UNIT = "ConsumedUnit"
PRICING_CATEGORY = "PricingCategory"
COMMITMENT_DISCOUNT_ID = "CommitmentDiscountId"
TAGS = "Tags"

# Lineage (custom columns, FOCUS x_ prefix)
X_SOURCE = "x_Source"  # store source name, e.g. "focus", "cur2", "cost-explorer"
X_SOURCE_FORMAT = "x_SourceFormat"  # focus | cur2 | cur-legacy | cost-explorer
X_SOURCE_FILE = "x_SourceFile"  # file the row came from
X_USAGE_TYPE = "x_UsageType"  # provider usage type (e.g. AWS lineItem/UsageType)
X_LINE_ITEM_TYPE = "x_LineItemType"  # provider line item type (e.g. AWS SavingsPlanCoveredUsage)
#: Line items a rollup row sums (rollup partitions only; a line-item partition has none).
X_LINE_ITEM_COUNT = "x_LineItemCount"

MONEY_COLUMNS: tuple[str, ...] = (BILLED_COST, EFFECTIVE_COST, LIST_COST, CONTRACTED_COST)
TIMESTAMP_COLUMNS: tuple[str, ...] = (
    BILLING_PERIOD_START,
    BILLING_PERIOD_END,
    CHARGE_PERIOD_START,
    CHARGE_PERIOD_END,
)

UTC_DATETIME = pl.Datetime("us", "UTC")

#: The canonical charges schema, in storage order.
CHARGES_SCHEMA: dict[str, pl.DataType] = {
    BILLING_PERIOD_START: UTC_DATETIME,
    BILLING_PERIOD_END: UTC_DATETIME,
    CHARGE_PERIOD_START: UTC_DATETIME,
    CHARGE_PERIOD_END: UTC_DATETIME,
    BILLED_COST: pl.Float64(),
    EFFECTIVE_COST: pl.Float64(),
    LIST_COST: pl.Float64(),
    CONTRACTED_COST: pl.Float64(),
    BILLING_CURRENCY: pl.String(),
    PROVIDER_NAME: pl.String(),
    BILLING_ACCOUNT_ID: pl.String(),
    SUB_ACCOUNT_ID: pl.String(),
    SUB_ACCOUNT_NAME: pl.String(),
    SERVICE_NAME: pl.String(),
    SERVICE_CATEGORY: pl.String(),
    CHARGE_CATEGORY: pl.String(),
    CHARGE_CLASS: pl.String(),
    CHARGE_DESCRIPTION: pl.String(),
    RESOURCE_ID: pl.String(),
    REGION_ID: pl.String(),
    SKU_ID: pl.String(),
    CONSUMED_QUANTITY: pl.Float64(),
    CONSUMED_UNIT: pl.String(),
    PRICING_CATEGORY: pl.String(),
    COMMITMENT_DISCOUNT_ID: pl.String(),
    TAGS: pl.String(),  # JSON object text, e.g. {"team":"search"}
    X_SOURCE: pl.String(),
    X_SOURCE_FORMAT: pl.String(),
    X_SOURCE_FILE: pl.String(),
    X_USAGE_TYPE: pl.String(),
    X_LINE_ITEM_TYPE: pl.String(),
}

#: Columns a FOCUS file must have for us to ingest it (FOCUS 1.0 to 1.3 all have these).
FOCUS_REQUIRED: tuple[str, ...] = (
    BILLING_PERIOD_START,
    BILLING_PERIOD_END,
    CHARGE_PERIOD_START,
    CHARGE_PERIOD_END,
    BILLED_COST,
    EFFECTIVE_COST,
    BILLING_CURRENCY,
    PROVIDER_NAME,
    SERVICE_NAME,
    CHARGE_CATEGORY,
)

#: FOCUS ChargeCategory values (1.2).
CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")

# The load (traffic) table
LOAD_TIMESTAMP = "timestamp"
LOAD_METRIC = "metric"
LOAD_VALUE = "value"
LOAD_UNIT = "unit"
LOAD_DIMENSIONS = "dimensions"
LOAD_SOURCE = "source"

"""The custom search attributes staff filter cases by in the Web UI (never one named Status)."""

from __future__ import annotations

from typing import Any

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

CASE_STATE = SearchAttributeKey.for_keyword("CaseState")
POLICY_ID = SearchAttributeKey.for_keyword("PolicyId")
PROVIDER_NAME = SearchAttributeKey.for_text("ProviderName")
CREDIT_CODE = SearchAttributeKey.for_keyword("CreditCode")
DISTRICT = SearchAttributeKey.for_keyword("District")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("NextDeadline")

_TYPES: dict[SearchAttributeKey[Any], tuple[str, IndexedValueType.ValueType]] = {
    CASE_STATE: ("Keyword", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD),
    POLICY_ID: ("Keyword", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD),
    PROVIDER_NAME: ("Text", IndexedValueType.INDEXED_VALUE_TYPE_TEXT),
    CREDIT_CODE: ("Keyword", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD),
    DISTRICT: ("Keyword", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD),
    NEXT_DEADLINE: ("Datetime", IndexedValueType.INDEXED_VALUE_TYPE_DATETIME),
}


def policy_attribute(policy: str) -> TypedSearchAttributes:
    """An evaluation round is found by its programme (``PolicyId``), like its cases."""
    return TypedSearchAttributes([SearchAttributePair(POLICY_ID, policy)])


def dev_server_flags() -> list[str]:
    """``--search-attribute`` flags for ``temporal server start-dev``."""
    return [f"--search-attribute={k.name}={kind}" for k, (kind, _) in _TYPES.items()]


async def ensure_registered(client: Client, namespace: str) -> list[str]:
    """Adds whichever of the attributes the namespace lacks; returns the names it added."""
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    missing = {k.name: t for k, (_, t) in _TYPES.items() if k.name not in listed.custom_attributes}
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(search_attributes=missing, namespace=namespace)
        )
    return sorted(missing)

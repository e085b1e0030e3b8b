"""Send GraphQL through the real app and fail loudly on unexpected errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

CONTRACT_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "contract"


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    expect_errors: bool = False,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    body: dict[str, Any] = response.json()
    if not expect_errors:
        assert "errors" not in body, body.get("errors")
        assert response.status_code == 200, body
        return dict(body["data"])
    assert body.get("errors"), f"expected errors, got {body}"
    return body

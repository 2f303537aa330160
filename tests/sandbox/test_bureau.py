"""The sandbox's credit bureau as any HTTP client sees it: its JSON shape, its refusals, its control routes."""

from __future__ import annotations

from typing import Any

import aiohttp

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer


def inquiry(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"reference": "app-1", "applicant": {"name": "김민지", "birth_date": "2001-04-09"},
                            "product_value": {"amount": 1_076_400, "currency": "KRW"},
                            "monthly_fee": {"amount": 29_900, "currency": "KRW"}, "term_months": 36}
    body.update(changes)
    return body


async def ask(server: SandboxServer, http: aiohttp.ClientSession, body: Any) -> tuple[int, Any]:
    async with http.post(f"{server.bureau_url}/inquiries", json=body) as response:
        return response.status, await response.json(content_type=None)


async def test_an_inquiry_is_answered_with_outcome_reason_score_and_references(
        server: SandboxServer, http: aiohttp.ClientSession) -> None:
    status, body = await ask(server, http, inquiry())
    assert status == 200
    assert set(body) == {"reference", "bureau_reference", "outcome", "reason", "score", "decided_at"}
    assert (body["reference"], body["outcome"], body["reason"], body["score"]) == ("app-1", "approved", None, 839)


async def test_amounts_in_dollars_are_rated_in_won(server: SandboxServer, http: aiohttp.ClientSession) -> None:
    # $20,000.00 of value is 28,000,000 won (load 200, the most), $500.00 a month 700,000 won (100, the most):
    # approve from 850, so 839 is referred, for the amount.
    status, body = await ask(server, http, inquiry(product_value={"amount": 2_000_000, "currency": "USD"},
                                                  monthly_fee={"amount": 50_000, "currency": "USD"}))
    assert (status, body["outcome"], body["reason"]) == (200, "referred", "affordability")


async def test_what_the_bureau_cannot_read_is_refused_as_json_errors(
        server: SandboxServer, http: aiohttp.ClientSession) -> None:
    assert (await ask(server, http, inquiry(term_months="36")))[0] == 400
    assert (await ask(server, http, inquiry(applicant={"name": "김민지", "birth_date": "09.04.2001"})))[0] == 400
    assert (await ask(server, http, ["not", "an", "object"]))[0] == 400
    status, body = await ask(server, http, inquiry(monthly_fee={"amount": 100, "currency": "XTR"}))
    assert status == 422 and "KRW" in body["error"]
    assert (await ask(server, http, inquiry()))[0] == 200
    status, body = await ask(server, http, inquiry(term_months=48))
    assert status == 409 and "app-1" in body["error"]


async def test_the_file_is_changed_only_from_the_sandboxs_own_side(
        server: SandboxServer, http: aiohttp.ClientSession, sb: SandboxClient) -> None:
    record = {"name": "김민지", "birth_date": "2001-04-09", "outcome": "referred"}
    async with http.post(f"{server.url}/sandbox/bureau/records", json=record,
                         headers={"Origin": "https://evil.example"}) as response:
        assert response.status == 403
    assert await sb.request("GET", "/sandbox/bureau/records") == []
    listed = await sb.register_bureau_record("김민지", "2001-04-09", outcome="referred", delay_ms=10)
    assert listed["outcome"] == "referred" and listed["delay_ms"] == 10
    assert (await ask(server, http, inquiry(reference="app-2")))[1]["outcome"] == "referred"
    assert [seen["reference"] for seen in await sb.bureau_inquiries()] == ["app-2"]

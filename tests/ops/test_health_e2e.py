"""/healthz of the running bot: the database answers, this worker leads the pump, and how late the outbox is;
503 with the reason when the database cannot be reached."""

from __future__ import annotations

import aiohttp

from storage.engine import create_engine
from tests.ops.conftest import Running


async def health(running: Running) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as http, http.get(f"{running.web}/healthz") as response:
        return response.status, await response.json()


async def test_a_running_bot_is_healthy_leads_its_pump_and_reports_the_outbox_lag(running: Running) -> None:
    status, body = await health(running)
    assert status == 200
    assert body["status"] == "ok" and body["database"] == "ok" and body["pump_leader"] == "this worker"
    assert body["outbox"] == {"pending": 0, "lag_seconds": 0.0}

    jigap = running.jigap
    minji = await jigap.started_user("Minji", "ko")
    await jigap.services.delivery.stop()
    await jigap.services.delivery.enqueue(minji.id, "notice", {"text": "나중에"}, idempotency_key="ops-health-1")
    jigap.advance(minutes=4)
    status, body = await health(running)
    assert status == 200 and body["outbox"] == {"pending": 1, "lag_seconds": 240.0}


async def test_without_its_database_the_bot_answers_503_and_says_why(running: Running) -> None:
    services = running.jigap.services
    reachable = services.engine
    services.engine = create_engine("postgresql+asyncpg://jigap@127.0.0.1:9/nowhere")  # nothing listens there
    try:
        status, body = await health(running)
    finally:
        await services.engine.dispose()
        services.engine = reachable
    assert status == 503
    assert body["status"] == "database unreachable" and str(body["database"]).startswith("unreachable: ")
    assert "outbox" not in body
    status, body = await health(running)
    assert status == 200 and body["status"] == "ok"

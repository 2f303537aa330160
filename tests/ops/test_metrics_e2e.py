"""/metrics over HTTP from the running bot's web server: a message through the sandbox moves the counter of the
domain that answered it and the count of its handler-time histogram; the Bot API calls and the outbox show too."""

from __future__ import annotations

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from tests.ops.conftest import Running

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(running: Running) -> tuple[str, Samples]:
    async with aiohttp.ClientSession() as http, http.get(f"{running.web}/metrics") as response:
        assert response.status == 200
        content_type = response.headers["Content-Type"]
        text = await response.text()
    samples = {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
               for family in text_string_to_metric_families(text) for sample in family.samples}
    return content_type, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_a_message_moves_the_counter_of_the_domain_that_answered_it(running: Running) -> None:
    content_type, before = await scrape(running)
    assert content_type.startswith("text/plain; version=")

    minji = await running.jigap.user("Minji", "ko")
    reply = await minji.send("/start")
    assert "Minji 님, 안녕하세요" in reply.text
    stray = await minji.send("아무 말")  # no feature takes free text: the core's catch-all answers it
    assert stray.text

    _, after = await scrape(running)
    assert value(after, "jigap_updates_total", domain="core", kind="command") == \
        value(before, "jigap_updates_total", domain="core", kind="command") + 1
    assert value(after, "jigap_updates_total", domain="core", kind="message") == \
        value(before, "jigap_updates_total", domain="core", kind="message") + 1
    # Timed: the two handlers that answered, and any core message handler that looked and passed the text on.
    assert value(after, "jigap_handler_seconds_count", domain="core") >= \
        value(before, "jigap_handler_seconds_count", domain="core") + 2
    assert value(after, "jigap_handler_seconds_sum", domain="core") > value(before, "jigap_handler_seconds_sum",
                                                                            domain="core")
    # Every answer went out through the Bot API, timed by its method.
    assert value(after, "jigap_bot_api_seconds_count", method="sendMessage") >= \
        value(before, "jigap_bot_api_seconds_count", method="sendMessage") + 2
    assert not any("jigapEndToEndTestToken" in str(key) for key in after)
    assert value(after, "jigap_updates_total", domain="wallet", kind="command") == 0


async def test_a_refusal_counts_under_its_permission_and_the_outbox_gauges_read_the_database(
        running: Running) -> None:
    jigap = running.jigap
    eve = await jigap.started_user("Eve", "en")
    refused = await eve.send("/admin")
    assert refused.text == "Sorry, this is only for platform admins."
    await jigap.services.delivery.stop()  # nothing sends, so what is queued stays waiting
    await jigap.services.delivery.enqueue(eve.id, "notice", {"text": "later"}, idempotency_key="ops-metrics-1")
    jigap.advance(seconds=90)

    _, samples = await scrape(running)
    assert value(samples, "jigap_refusals_total", permission="admin.menu") == 1
    assert value(samples, "jigap_outbox_pending") == 1
    assert value(samples, "jigap_outbox_lag_seconds") == 90
    assert value(samples, "jigap_deliveries_total", result="sent") == 0  # the pump was stopped: no figures

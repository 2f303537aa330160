"""The ground floor through the sandbox: greeting, language, admin commands and their refusals, errors."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
from sqlalchemy import text

from subscriptions.accounts import audit
from tests.harness import Jigap

ADMIN_COMMANDS = ["/admin", "/grant @minji creator daily-hanja", "/revoke_role @minji creator daily-hanja",
                  "/whois @minji"]


async def _audit(jigap: Jigap, actor_id: int) -> list[tuple[str, str]]:
    entries = await audit.recent(jigap.services.accounts, limit=100)
    return [(entry.action, entry.outcome) for entry in reversed(entries) if entry.actor_id == actor_id]


async def test_start_greets_minji_in_korean_with_the_main_menu(jigap: Jigap) -> None:
    minji = await jigap.user("Minji", "ko")
    reply = await minji.send("/start")
    assert "Minji 님, 안녕하세요" in reply.text
    assert "설정" in reply.buttons
    alex = await jigap.user("Alex", "en")
    assert "Hello, Alex!" in (await alex.send("/start")).text
    async with jigap.services.uow() as uow:
        stored = await uow.users.get(minji.id)
    assert stored is not None and stored.first_name == "Minji" and stored.telegram_language == "ko"
    assert stored.timezone == "Asia/Seoul"


async def test_language_can_be_switched_and_is_remembered(jigap: Jigap) -> None:
    minji = await jigap.user("Minji", "ko")
    menu = await minji.send("/language")
    assert menu.text == "언어를 골라 주세요:" and menu.buttons == ["✓ 한국어", "English"]
    await minji.press("English", menu)
    edited = await minji.wait_for_edit(menu)
    assert edited.text == "Language set to English."
    assert "Hello, Minji!" in (await minji.send("/start")).text
    async with jigap.services.uow() as uow:
        stored = await uow.users.get(minji.id)
    assert stored is not None and stored.language == "en"


async def test_a_forged_language_button_changes_nothing(jigap: Jigap) -> None:
    minji = await jigap.user("Minji", "ko")
    menu = await minji.send("/language")
    # A modified client can send any callback data for a message; the bot must not trust it.
    answer = await jigap.forge_press(minji, menu, "lang:xx")
    assert answer is not None and answer.text == "더 이상 쓸 수 없는 버튼이에요."
    unknown = await jigap.forge_press(minji, menu, "zzz:1:2")
    assert unknown is not None and unknown.text == "더 이상 쓸 수 없는 버튼이에요."
    async with jigap.services.uow() as uow:
        stored = await uow.users.get(minji.id)
    assert stored is not None and stored.language is None


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_a_non_admin_is_refused_politely_and_the_attempt_is_audited(jigap: Jigap, command: str) -> None:
    await jigap.user("Minji", "ko", username="minji")
    jisoo = await jigap.user("Jisoo", "ko")
    reply = await jisoo.send(command)
    assert reply.text == "죄송해요. 플랫폼 관리자만 쓸 수 있어요."
    assert reply.buttons == []
    action = {"/admin": "admin.menu", "/grant": "admin.grant", "/revoke_role": "admin.grant",
              "/whois": "admin.whois"}[command.split()[0]]
    assert await _audit(jigap, jisoo.id) == [(action, "refused")]
    async with jigap.services.uow() as uow:
        assert await uow.roles.of_user(jisoo.id) == []


async def test_an_english_non_admin_is_refused_in_english(jigap: Jigap) -> None:
    alex = await jigap.user("Alex", "en")
    assert (await alex.send("/admin")).text == "Sorry, this is only for platform admins."


async def test_an_admin_grants_a_role_after_confirming_and_a_double_tap_changes_nothing(jigap: Jigap) -> None:
    minji = await jigap.user("Minji", "ko", username="minji")
    await minji.send("/start")
    admin = await jigap.user("Admin", "en")
    await jigap.make_platform_admin(admin)
    from bot.demo import load_demo_organisations

    await load_demo_organisations(jigap.services)
    ask = await admin.send("/grant @minji issuer_admin road-authority")
    assert ask.text == "Give Minji the role issuer_admin in Road Traffic Authority?"
    assert ask.buttons == ["Confirm", "Cancel"]
    async with jigap.services.uow() as uow:
        assert await uow.roles.of_user(minji.id) == []  # nothing before the confirmation
    # A double tap: both presses leave before the first answer arrives.
    first, second = await asyncio.gather(admin.press("Confirm", ask), admin.press("Confirm", ask))
    done = await admin.wait_for_edit(ask)
    assert done.text == "Minji now has the role issuer_admin in Road Traffic Authority."
    answers = sorted(answer.text or "" for answer in (first, second) if answer is not None)
    assert answers == ["", "This confirmation has expired or was already used."]
    async with jigap.services.uow() as uow:
        grants = await uow.roles.of_user(minji.id)
    assert [(grant.role, grant.org_id) for grant in grants] == [("issuer_admin", 1)]
    assert ("admin.grant_role", "ok") in await _audit(jigap, admin.id)


async def test_someone_elses_confirmation_button_is_refused_and_audited(jigap: Jigap) -> None:
    minji = await jigap.user("Minji", "ko", username="minji")
    await minji.send("/start")
    admin = await jigap.user("Admin", "en")
    await jigap.make_platform_admin(admin)
    ask = await admin.send("/grant @minji platform_admin")
    forged = ask.button("Confirm")["callback_data"]
    jisoo = await jigap.user("Jisoo", "ko")
    own_message = await jisoo.send("/language")
    answer = await jigap.forge_press(jisoo, own_message, forged)
    assert answer is not None and answer.text == "죄송해요. 플랫폼 관리자만 쓸 수 있어요."
    assert ("admin.grant", "refused") in await _audit(jigap, jisoo.id)
    other_admin = await jigap.user("Boss", "en")
    await jigap.make_platform_admin(other_admin)
    boss_message = await other_admin.send("/language")
    not_theirs = await jigap.forge_press(other_admin, boss_message, forged)
    assert not_theirs is not None and not_theirs.text == "This confirmation has expired or was already used."
    async with jigap.services.uow() as uow:
        assert await uow.roles.of_user(minji.id) == []


async def test_an_admin_revokes_a_role_and_whois_shows_it(jigap: Jigap) -> None:
    minji = await jigap.user("Minji", "ko", username="minji")
    await minji.send("/start")
    admin = await jigap.user("Admin", "en")
    await jigap.make_platform_admin(admin)
    from bot.demo import load_demo_organisations

    await load_demo_organisations(jigap.services)
    ask = await admin.send("/grant @minji creator daily-hanja")
    await admin.press("Confirm", ask)
    await admin.wait_for_edit(ask)
    whois = await admin.send("/whois @minji")
    assert "Minji (id" in whois.text and "creator @ Daily Hanja" in whois.text
    ask = await admin.send("/revoke_role @minji creator daily-hanja")
    assert ask.text == "Take the role creator in Daily Hanja away from Minji?"
    await admin.press("Confirm", ask)
    assert (await admin.wait_for_edit(ask)).text == "Minji no longer has the role creator in Daily Hanja."
    assert "Roles: none" in (await admin.send("/whois @minji")).text


async def test_admin_mistakes_get_clear_answers(jigap: Jigap) -> None:
    admin = await jigap.user("Admin", "ko")
    await jigap.make_platform_admin(admin)
    assert (await admin.send("/grant")).text == "사용법: /grant @사용자 역할 [기관]"
    assert (await admin.send("/grant @nobody creator")).text.startswith("@nobody 님을 찾을 수 없어요")
    assert (await admin.send("/whois @admin")).text.startswith("Admin")
    assert "역할은 없어요" in (await admin.send("/grant @admin wizard")).text
    assert "알맞은 종류의 기관" in (await admin.send("/grant @admin creator")).text
    menu = await admin.send("/admin")
    assert menu.text.startswith("관리자 콘솔")
    assert menu.buttons == ["사용자", "기관", "콘텐츠 신고", "환불", "승인을 기다리는 방송", "보내는 중인 방송", "발급 인가 현황",
                            "감사 기록", "통계"]
    await admin.press("발급 인가 현황", menu)
    overview = await admin.wait_for_edit(menu)  # the console's one message, edited in place
    assert overview.text.startswith("발급 인가 현황") and overview.buttons == ["« 콘솔"]


async def test_an_unknown_deep_link_is_answered_not_ignored(jigap: Jigap) -> None:
    minji = await jigap.user("Minji", "ko")
    assert (await minji.open_link("nosuchthing_123")).text == "유효하지 않거나 만료된 링크예요."
    assert (await minji.send("/start ../../etc")).text == "유효하지 않거나 만료된 링크예요."


async def test_a_failure_shows_an_apology_with_the_reference_that_the_log_has(
    jigap: Jigap, caplog: pytest.LogCaptureFixture
) -> None:
    minji = await jigap.user("Minji", "ko")
    await minji.send("/start")
    async with jigap.services.engine.begin() as connection:
        await connection.execute(text("DROP TABLE roles"))
    with caplog.at_level(logging.ERROR, logger="jigap.errors"):
        reply = await minji.send("/whois @x")
    match = re.search(r"참조 번호: ([0-9a-f]{8})", reply.text)
    assert match is not None and reply.text.startswith("죄송해요. 저희 쪽에 문제가 생겼어요.")
    assert any(match.group(1) in record.getMessage() and record.exc_info for record in caplog.records)


async def test_text_nobody_is_waiting_for_gets_a_kind_answer_and_the_menu(jigap: Jigap) -> None:
    minji = await jigap.user("Minji", "ko")
    reply = await minji.send("안녕하세요")
    assert reply.text == "무슨 뜻인지 잘 모르겠어요. 메뉴에서 고르거나 /help 를 확인해 주세요."
    assert "지갑" in reply.buttons and "설정" in reply.buttons


async def test_help_lists_what_each_person_may_do(jigap: Jigap) -> None:
    alex = await jigap.user("Alex", "en")
    everyone = (await alex.send("/help")).text
    assert "/wallet" in everyone and "/verify" in everyone and "/subscriptions" in everyone
    assert "/admin" not in everyone and "/issue" not in everyone
    await jigap.make_platform_admin(alex)
    admin_help = (await alex.send("/help")).text
    assert "For platform admins:" in admin_help and "/grant — " in admin_help and "/revoke_role — " in admin_help
    assert "/issue" not in admin_help

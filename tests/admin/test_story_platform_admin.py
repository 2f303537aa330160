"""The story "The platform's admin" through the sandbox, on SQLite and on PostgreSQL, on Thursday 5 November 2026:

1. The admin opens /admin: one message with a button per section she may open.
2. She verifies Hankuk University as an issuer of student IDs only: its registrar is offered the student ID and
   nothing else; the road authority, which is not accredited for it, cannot issue one, and a student ID signed
   with its key is not trusted by the verifier, while Hankuk's is.
3. She bans a spammer: what was waiting for him in the outbox is dropped, and whatever he sends gets one polite
   refusal a minute and nothing else.
4. She exports the audit log of the week as CSV: every entry of the week, the ban and the accreditation among them.

Each step is a function of its own, run in the story's order by the one test below.
"""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from sandbox.client import BotMessage, SandboxUser
from storage.delivery.tables import outbox
from tests.admin.conftest import platform_admin
from tests.harness import BOT_TOKEN, Jigap
from wallet.credentials import IssuerIdentity, issue_card, present_card
from wallet.keys import generate_signing_key
from wallet.reasons import FailedCheck
from wallet.services import verifying

WEEK = ("2026-11-01", "2026-11-07")
REFUSAL = "죄송해요. 이 계정은 더 이상 이 봇을 쓸 수 없어요."


async def before_the_story(world: Jigap) -> None:
    """Hankuk University has joined the platform but is not yet accredited for anything."""
    async with world.services.uow() as uow:
        issuer = await uow.wallet.issuer_by_slug("hankuk-university")
        assert issuer is not None
        await uow.wallet.withdraw_accreditation(issuer.id, "student_id")
        await uow.commit()


async def opens_the_console(admin: SandboxUser) -> BotMessage:
    console = await admin.send("/admin")
    assert console.text.splitlines()[0] == "Admin console"
    assert console.buttons == ["Users", "Organisations", "Content reports", "Refunds", "Broadcasts waiting for approval",
                               "Running broadcasts", "Accreditations", "Audit log", "Stats"]
    return console


async def verifies_hankuk_for_student_ids(world: Jigap, admin: SandboxUser, console: BotMessage) -> None:
    await admin.press("Organisations", console)
    await admin.wait_for_edit(console)
    await admin.press("Issuers", console)
    issuers = await admin.wait_for_edit(console)
    assert issuers.buttons[:3] == ["Road Traffic Authority", "Hankuk University", "National Certification Board"]
    await admin.press("Hankuk University", console)
    hankuk = await admin.wait_for_edit(console)
    assert hankuk.text.splitlines()[:3] == ["Hankuk University (hankuk-university)", "Kind: issuer", "Status: active"]
    await admin.press("Verify as issuer", console)
    types = await admin.wait_for_edit(console)
    assert types.buttons == ["Driver's licence", "National certificate", "Student ID", "« Hankuk University",
                             "« Console"]
    await admin.press("Student ID", console)
    verified = await admin.wait_for_edit(console)
    assert verified.text.splitlines()[0] == "Hankuk University may now issue the student ID."
    assert verified.buttons[:3] == ["Driver's licence", "National certificate", "✓ Student ID"]

    registrar = await world.started_user("Registrar", "ko", "registrar", "Han")
    await world.grant(registrar, "issuer_admin", "hankuk-university")
    offered = await registrar.send("/issue")
    assert offered.buttons == ["학생증", "취소"]
    # The road authority signs cards too, but a student ID is not among what it may issue.
    road = await world.officer.send("/issue")
    assert "학생증" not in road.buttons


async def student_id_signed_by(world: Jigap, slug: str) -> str:
    """A student ID signed with the stored key of issuer `slug`, presented by its holder to the platform."""
    wallet = world.services.wallet
    async with world.services.uow() as uow:
        issuer = await uow.wallet.issuer_by_slug(slug)
        assert issuer is not None
        key = await uow.wallet.active_issuer_key(issuer.id)
    assert key is not None
    holder, now = generate_signing_key(), world.clock.now()
    card_type = wallet.registry.get("student_id")
    card = issue_card(card_type, {"university": issuer.name, "name": "Minji Kim", "student_number": "20260042",
                                  "department": "Computer Science"},
                      issuer=IssuerIdentity(issuer.issuer_url, issuer.name, key), holder_jwk=holder.public.jwk, now=now)
    return present_card(card.sd_jwt, card_type, holder_key=holder, aud=wallet.platform_audience, nonce=slug,
                        now=now, claims=("name",))


async def trusts_only_hankuks_student_ids(world: Jigap) -> None:
    wallet = world.services.wallet
    from_hankuk = await verifying.verify(wallet, await student_id_signed_by(world, "hankuk-university"),
                                         verifier_id=None, verifier_name="Bar Haneul")
    assert from_hankuk.result.valid
    from_the_road = await verifying.verify(wallet, await student_id_signed_by(world, "road-authority"),
                                           verifier_id=None, verifier_name="Bar Haneul")
    assert not from_the_road.result.valid and from_the_road.result.failed_check is FailedCheck.NOT_ACCREDITED


async def bans_the_spammer(world: Jigap, admin: SandboxUser, console: BotMessage) -> SandboxUser:
    spammer = await world.started_user("Spammer", "ko", "spammer")
    now = world.clock.now()
    async with world.services.uow() as uow:  # tomorrow morning's messages, queued already
        for n, chat_id in enumerate((spammer.id, spammer.id, world.minji.id)):
            await uow.outbox.enqueue(chat_id, "notice", {"text": f"내일 아침 소식 {n}"}, idempotency_key=f"story-{n}",
                                     now=now, not_before=now + timedelta(hours=20))
        await uow.commit()

    await admin.press("« Console", console)
    await admin.wait_for_edit(console)
    await admin.press("Users", console)
    asking = await admin.wait_for_edit(console)
    assert asking.text == "Users\nType a @username or a numeric id to find someone."
    profile = await admin.send("@spammer")
    assert "Spammer" in profile.text and f"Id: {spammer.id}" in profile.text and "Banned: no" in profile.text
    await admin.press("Ban", profile)
    asked = await admin.wait_for_edit(profile)
    assert asked.text.startswith("Ban Spammer?") and asked.buttons == ["Confirm", "Cancel", "« Console"]
    await admin.press("Confirm", asked)
    done = await admin.wait_for_edit(asked)
    assert done.text.splitlines()[0] == "Spammer is banned; 2 waiting messages were dropped."
    assert "Banned: yes" in done.text and "Unban" in done.buttons

    async with world.services.uow() as uow:
        rows = (await uow.connection.execute(
            select(outbox.c.chat_id, outbox.c.status, outbox.c.reason).where(
                outbox.c.idempotency_key.like("story-%")).order_by(outbox.c.id))).all()
        stored = await uow.users.get(spammer.id)
    assert [tuple(row) for row in rows] == [(spammer.id, "dropped", "banned"), (spammer.id, "dropped", "banned"),
                                            (world.minji.id, "pending", None)]
    assert stored is not None and stored.is_banned

    assert (await spammer.send("/start")).text == REFUSAL
    for text in ("싸게 팔아요", "/help", "싸게 팔아요!!"):
        await spammer.say(text)
    await asyncio.sleep(1.0)
    refusals = await world.client.sent_by_bot(int(BOT_TOKEN.split(":")[0]), contains=REFUSAL)
    assert len(refusals) == 1  # one refusal a minute, however much he sends
    return spammer


async def exports_the_week(world: Jigap, admin: SandboxUser, spammer: SandboxUser) -> None:
    console = await admin.send("/admin")
    await admin.press("Audit log", console)
    await admin.wait_for_edit(console)
    results = await admin.send(f"from:{WEEK[0]} to:{WEEK[1]}")
    assert f"Search: from:{WEEK[0]} to:{WEEK[1]}" in results.text
    await admin.press("Export CSV", results)
    document = await admin.next_message()
    assert document.document is not None and document.document["file_name"] == "audit-2026-11-05.csv"
    table = list(csv.reader(io.StringIO((await world.file_bytes(document)).decode())))
    assert table[0] == ["id", "at", "actor_id", "action", "outcome", "org_id", "target", "detail"]
    entries = table[1:]
    starts, ends = datetime(2026, 10, 31, 15, tzinfo=UTC), datetime(2026, 11, 7, 15, tzinfo=UTC)
    assert entries and all(starts <= datetime.fromisoformat(row[1]) < ends for row in entries)
    assert all(row[1].endswith("+00:00") for row in entries)
    actions = [(row[2], row[3], row[4], row[6]) for row in entries]
    assert (str(admin.id), "admin.ban", "ok", str(spammer.id)) in actions
    assert (str(admin.id), "wallet.accredit", "ok", "student_id") in actions
    assert [int(row[0]) for row in entries] == sorted((int(row[0]) for row in entries), reverse=True)
    assert document.text == f"{len(entries)} entries"


async def test_the_platforms_admin(world: Jigap) -> None:
    await before_the_story(world)
    admin = await platform_admin(world)
    console = await opens_the_console(admin)
    await verifies_hankuk_for_student_ids(world, admin, console)
    await trusts_only_hankuks_student_ids(world)
    spammer = await bans_the_spammer(world, admin, console)
    await exports_the_week(world, admin, spammer)

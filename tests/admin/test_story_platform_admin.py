"""The story "The platform's admin" through the sandbox, on SQLite and on PostgreSQL, from Thursday 5 November 2026,
10:00 in Seoul, to the next morning:

1. The admin opens /admin: one message with a button per section she may open.
2. She verifies Hankuk University as an issuer of student IDs only: its registrar is offered the student ID and
   nothing else; the road authority, which is not accredited for it, cannot issue one, and a student ID signed
   with its key is not trusted by the verifier, while Hankuk's is.
3. People pay through the bot (Minji in Stars for Daily Hanja, Park and the bartender by card in won) and the bot
   delivers a notice to each of them, one send meeting Telegram's 429 and one to an account Telegram no longer
   knows. After the roll-up she looks at the revenue of the last 30 days: the won chart says the won total only,
   the Stars chart the Stars only, each a PNG; the deliveries chart counts what was sent, what failed and the 429.
4. She bans a spammer: what was waiting for him in the outbox is dropped, and whatever he sends gets one polite
   refusal a minute and nothing else. She refunds Park's card payment with a reason, which Park reads, and marks
   the refund made once it is; then she exports the audit log of the week as CSV: every entry of the week, the
   ban, the accreditation and the refund among them.
5. The night passes; at 09:00 in her zone the daily digest arrives, once, with Thursday's figures: the revenue of
   step 3 less the refund, its failed send and its 429. Later the outbox falls behind (the pump stopped, a message
   waiting 11 minutes): she is alerted once, and told when it is back to normal.

Each step is a function of its own, run in the story's order by the one test below.
"""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from bot.alert_rules import AlertKind
from sandbox.client import BotMessage, SandboxUser
from storage.billing.tables import billing_journal
from storage.core.tables import inbox
from storage.delivery.tables import outbox, reminders
from storage.metadata import as_utc
from storage.ops.tables import ops_alerts
from storage.stats.tables import stats_active_days, stats_daily
from subscriptions.billing.payments import Payment
from tests.admin.conftest import platform_admin
from tests.billing.steps import open_plans, receipt_and_reply
from tests.harness import BOT_TOKEN, Jigap
from wallet.credentials import IssuerIdentity, issue_card, present_card
from wallet.keys import generate_signing_key
from wallet.reasons import FailedCheck
from wallet.services import verifying

WEEK = ("2026-11-01", "2026-11-07")
REFUSAL = "죄송해요. 이 계정은 더 이상 이 봇을 쓸 수 없어요."
BOT_ID = int(BOT_TOKEN.split(":")[0])
THURSDAY = date(2026, 11, 5)
FRIDAY_NINE = datetime(2026, 11, 6, 0, 0, tzinfo=UTC)  # 09:00 in Seoul, the admin's zone
GONE_CHAT = 7_999_999_999  # an account deleted since: Telegram answers "chat not found"
REFUND_REASON = "Charged twice for one visit"


@dataclass(frozen=True)
class Payments:
    """What step 3's people paid, as billing stored it."""

    stars: Payment  # Minji's, to Daily Hanja
    park: Payment  # by card, to Cafe Onda
    bartender: Payment  # by card, to Sparkle Cleaning


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


async def pays(user: SandboxUser, merchant: str, plan: str) -> None:
    """`user` pays for `plan` through the bot: by card, or in Stars for Daily Hanja; the receipt comes."""
    korean = user.user.get("language_code") == "ko"
    plans = await open_plans(user, merchant, "구독" if korean else "Subscriptions")
    await user.press(f"{'구독하기' if korean else 'Subscribe'}: {plan}", plans)
    offer = await user.next_message()
    target: BotMessage | str = offer if offer.invoice is not None else offer.button(offer.buttons[0])["url"]
    assert (await user.pay(target)).paid
    await receipt_and_reply(user)


async def payment_of(world: Jigap, user: SandboxUser) -> Payment:
    async with world.services.uow() as uow:
        (payment,) = await uow.payments.for_user(user.id, 5)
    return payment


async def people_pay(world: Jigap) -> Payments:
    await pays(world.minji, "Daily Hanja", "Tier 1")
    await pays(world.landlord, "Cafe Onda", "20 Americanos")
    await pays(world.bartender, "Sparkle Cleaning", "Weekly cleaning")
    paid = Payments(await payment_of(world, world.minji), await payment_of(world, world.landlord),
                    await payment_of(world, world.bartender))
    assert [(one.amount.amount_minor, one.amount.currency) for one in (paid.stars, paid.park, paid.bartender)] == [
        (150, "XTR"), (45_000, "KRW"), (39_000, "KRW")]
    return paid


async def the_bot_delivers_a_notice(world: Jigap) -> None:
    """A notice to each payer and one to an account deleted since; Telegram refuses the first send with a 429."""
    await world.client.inject_faults("429", methods=["sendMessage"], count=1, bot_id=BOT_ID)
    notices = {world.minji: "지갑 점검 안내: 일요일 새벽 2시부터 30분", world.bartender: "지갑 점검 안내: 일요일 새벽 2시부터 30분",
               world.landlord: "Wallet maintenance on Sunday from 02:00 for 30 minutes"}
    for person, text in notices.items():
        await world.services.delivery.enqueue(person.id, "notice", {"text": text},
                                              idempotency_key=f"maintenance-{person.id}")
    await world.services.delivery.enqueue(GONE_CHAT, "notice", {"text": "지갑 점검 안내"},
                                          idempotency_key="maintenance-gone")
    await world.deliver()
    for person, text in notices.items():
        assert (await person.next_message()).text == text
    assert world.server.faults.injected == 1 and world.server.faults.plan is None  # the one 429 was met
    async with world.services.uow() as uow:
        gone = await uow.outbox.rows_for_chat(GONE_CHAT)
    assert gone == [("notice", "failed", "Bad Request: chat not found")]


async def sent_on(world: Jigap, day: date) -> int:
    """How many outbox rows were delivered on `day` in Seoul."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=9)
    async with world.services.uow() as uow:
        return int((await uow.connection.execute(select(func.count()).select_from(outbox).where(
            outbox.c.sent_at >= start, outbox.c.sent_at < start + timedelta(days=1)))).scalar_one())


async def stored_figures(world: Jigap, day: date) -> dict[tuple[str, str], int]:
    """The roll-up's figures of `day` by (metric, key)."""
    async with world.services.uow() as uow:
        rows = await uow.connection.execute(select(stats_daily.c.metric, stats_daily.c.key, stats_daily.c.value)
                                            .where(stats_daily.c.day == day))
        return {(row.metric, row.key): int(row.value) for row in rows}


async def looks_at_revenue_and_deliveries(world: Jigap, admin: SandboxUser) -> None:
    await world.services.stats.active_noted()
    await world.services.stats.roll_up()
    sent = await sent_on(world, THURSDAY)
    assert sent == 6  # three receipts and three notices (chat replies do not pass through the outbox)
    figures = await stored_figures(world, THURSDAY)
    assert {key: figures.get(key) for key in (("revenue", "KRW"), ("revenue", "XTR"), ("messages_out", ""),
                                              ("delivery_faults", "failed"), ("delivery_faults", "rate_limited"))
            } == {("revenue", "KRW"): 84_000, ("revenue", "XTR"): 150, ("messages_out", ""): sent,
                  ("delivery_faults", "failed"): 1, ("delivery_faults", "rate_limited"): 1}

    console = await admin.send("/admin")
    await admin.press("Stats", console)
    picker = await admin.wait_for_edit(console)
    assert picker.text == "Stats: pick a chart."
    await admin.press("Revenue", picker)
    won = await admin.next_message()
    assert won.text.splitlines() == ["Revenue (KRW) · last 30 days", "Data starts on Nov 5: showing from then.",
                                     "KRW: ₩84,000"]
    assert "• 30 d" in won.buttons and "• KRW" in won.buttons and "XTR" in won.buttons
    assert (await world.file_bytes(won)).startswith(b"\x89PNG")
    await admin.press("XTR", won)
    stars = await admin.wait_for_edit(won)
    assert stars.text.splitlines() == ["Revenue (XTR) · last 30 days", "Data starts on Nov 5: showing from then.",
                                       "XTR: ⭐ 150 Stars"]
    assert (await world.file_bytes(stars)).startswith(b"\x89PNG")

    await admin.press("« Charts", stars)
    picker = await admin.next_message()
    await admin.press("Deliveries", picker)
    deliveries = await admin.next_message()
    assert deliveries.photo and deliveries.text.splitlines() == [
        "Deliveries · last 30 days", "Data starts on Nov 5: showing from then.", "Messages out: 6", "Failed: 1",
        "429s (rate limited): 1"]


async def handled(world: Jigap, user: SandboxUser, count: int) -> None:
    """Wait until the bot has handled the last `count` updates from `user` (what they got is then all there)."""
    query = select(inbox.c.status).where(inbox.c.chat_id == user.id).order_by(inbox.c.update_id.desc()).limit(count)
    for _ in range(100):
        async with world.services.uow() as uow:
            statuses = (await uow.connection.execute(query)).scalars().all()
        if len(statuses) == count and all(status == "done" for status in statuses):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the bot did not handle the last {count} updates of {user.first_name}")


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
    await handled(world, spammer, 4)
    refusals = await world.client.sent_by_bot(BOT_ID, contains=REFUSAL)
    assert len(refusals) == 1  # one refusal a minute, however much he sends
    return spammer


async def message_starting(user: SandboxUser, starting: str) -> BotMessage:
    """The user's next message that starts so (notices of the same moment may come in any order)."""
    for _ in range(5):
        message = await user.next_message()
        if message.text.startswith(starting):
            return message
    raise AssertionError(f"no message starting {starting!r}")


async def refunds_parks_payment(world: Jigap, admin: SandboxUser, payment: Payment) -> None:
    console = await admin.send("/admin")
    await admin.press("Refunds", console)
    await admin.wait_for_edit(console)
    shown = await admin.send(payment.charge_id)
    assert shown.text.splitlines()[1:4] == [f"Who: Park (id {world.landlord.id})",
                                            "What: Cafe Onda monthly pass - 20 Americanos (Cafe Onda)",
                                            "Amount: ₩45,000"]
    await admin.press("Refund all (₩45,000)", shown)
    asked = await admin.wait_for_edit(shown)
    assert asked.text == "Refund ₩45,000. Why? Type the reason; the payer will read it."
    confirm = await admin.send(REFUND_REASON)
    assert confirm.text == f"Refund ₩45,000 to Park for Cafe Onda monthly pass - 20 Americanos?\nReason: {REFUND_REASON}"
    answer = await admin.press("Confirm", confirm)
    assert answer is not None and answer.text == "Refunded."
    done = await admin.wait_for_edit(confirm)
    assert done.text.startswith(f"Refunded ₩45,000: {REFUND_REASON}. The payer is told.")
    assert "It has been refunded in full." in done.text

    told = await message_starting(world.landlord, "Cafe Onda is to refund ₩45,000 to your card")
    assert told.text.endswith(f"\nReason: {REFUND_REASON}")
    # Telegram cannot refund a card: the refund to make in the provider's back office reaches her too (Cafe
    # Onda has nobody in the story), and once made she marks it done and Park hears that it is.
    to_make = await message_starting(admin, "Card refund to make: Cafe Onda owes ₩45,000 to Park for refund by the "
                                            f"platform: {REFUND_REASON}")
    assert to_make.buttons == ["Mark as refunded"]
    marked = await admin.press("Mark as refunded", to_make)
    assert marked is not None and marked.text == "Marked as refunded."
    assert (await admin.next_message()).text.startswith("Marked as refunded: ")
    assert (await message_starting(world.landlord, "Cafe Onda refunded ₩45,000 to your card")).text.endswith(
        "It can take a few days to show on your statement.")
    async with world.services.uow() as uow:
        stored = await uow.payments.get(payment.id)
        journal = (await uow.connection.execute(select(billing_journal.c.kind, billing_journal.c.description).where(
            billing_journal.c.reference == payment.id).order_by(billing_journal.c.id))).all()
    assert stored is not None and stored.refunded_amount.amount_minor == 45_000
    assert [tuple(row) for row in journal][1:] == [("refund", f"refund by the platform: {REFUND_REASON}")]


async def exports_the_week(world: Jigap, admin: SandboxUser, spammer: SandboxUser, refunded: Payment) -> None:
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
    assert (str(admin.id), "billing.refund", "ok", refunded.id) in actions
    assert [int(row[0]) for row in entries] == sorted((int(row[0]) for row in entries), reverse=True)
    assert document.text == f"{len(entries)} entries"


async def the_night_passes(world: Jigap) -> None:
    """Thursday night to Friday 09:00 in Seoul. The clock jumps, so it first stops at the hour Minji's morning news
    falls due: the pump sends it then, as it would have, and nothing waits overnight."""
    async with world.services.uow() as uow:
        waiting = [as_utc(moment) for (moment,) in await uow.connection.execute(
            select(outbox.c.next_attempt_at).where(outbox.c.status == "pending"))]
    assert len(waiting) == 1 and waiting[0] < FRIDAY_NINE
    world.advance(seconds=(waiting[0] - world.clock.now()).total_seconds())
    world.services.delivery.wake()
    assert (await world.minji.next_message()).text == "내일 아침 소식 2"
    world.advance(seconds=(FRIDAY_NINE - world.clock.now()).total_seconds())


async def digest_sweep(world: Jigap) -> None:
    """The scheduler's sweep of what is due (the daily digest among it), and its deliveries."""
    await world.services.delivery.scheduler.sweep()
    await world.deliver()


async def gets_the_daily_digest(world: Jigap, admin: SandboxUser) -> None:
    await world.services.stats.roll_up()  # the stats job's run of the morning
    sent = await sent_on(world, THURSDAY)
    figures = await stored_figures(world, THURSDAY)
    async with world.services.uow() as uow:
        active = int((await uow.connection.execute(select(func.count()).select_from(stats_active_days).where(
            stats_active_days.c.day == THURSDAY))).scalar_one())
    assert figures[("messages_out", "")] == sent and figures[("active_users", "")] == active
    assert figures[("revenue", "KRW")] == 39_000  # step 3's ₩84,000 less Park's refund

    await digest_sweep(world)
    digest = await admin.next_message()
    assert digest.text.splitlines() == [
        "Daily digest for Nov 5", f"Active users: {active}", "Revenue: ₩39,000 · ⭐ 150 Stars",
        f"Deliveries: {sent} sent, 1 failed, 1 rate limited (429)", "New rental applications: 0"]
    assert (await world.file_bytes(digest)).startswith(b"\x89PNG")
    world.advance(minutes=5)
    await digest_sweep(world)  # the next sweeps find it sent already
    async with world.services.uow() as uow:
        digests = (await uow.connection.execute(select(reminders.c.user_id, reminders.c.status).where(
            reminders.c.kind == "daily_digest"))).all()
        rows = (await uow.connection.execute(select(outbox.c.chat_id, outbox.c.status).where(
            outbox.c.kind == "reminder"))).all()
    assert [tuple(row) for row in digests] == [(admin.id, "queued")]
    assert [tuple(row) for row in rows] == [(admin.id, "sent")]


async def pump_leads_again(world: Jigap) -> None:
    """Wait for the restarted pump to lead: on PostgreSQL the lock it let go is taken at its next check."""
    for _ in range(100):
        if await world.services.delivery.lead():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the restarted pump did not take the leader lock again")


async def alerts_and_their_state(world: Jigap, admin: SandboxUser) -> tuple[bool, list[str]]:
    """Whether the outbox alert is firing, and the status of each alert row queued for the admin."""
    async with world.services.uow() as uow:
        firing = (await uow.connection.execute(select(ops_alerts.c.firing).where(
            ops_alerts.c.kind == AlertKind.OUTBOX_LAG.value))).scalar_one()
        rows = await uow.connection.execute(select(outbox.c.status).where(
            outbox.c.kind == "alert", outbox.c.chat_id == admin.id).order_by(outbox.c.id))
        return bool(firing), [row.status for row in rows]


async def is_alerted_when_the_outbox_falls_behind(world: Jigap, admin: SandboxUser) -> None:
    services = world.services
    await services.delivery.stop()  # nothing leaves: the outbox falls behind as the clock moves on
    await services.delivery.enqueue(world.minji.id, "notice", {"text": "학생증 발급 안내"},
                                    idempotency_key="student-id-hours")
    world.advance(minutes=11)
    # The minute's check, as the alerts job runs it; that job may run the same check meanwhile, and between
    # them the admin is told once.
    await services.alerts.check()
    assert await services.alerts.check() == {}  # still behind, and told already
    assert await alerts_and_their_state(world, admin) == (True, ["pending"])

    services.delivery.start(BOT_TOKEN)
    await pump_leads_again(world)
    await world.deliver()
    told = await admin.next_message()
    assert told.text == "⚠️ The outbox is falling behind: the oldest message due has waited 11 min. Waiting: 1."
    assert (await world.minji.next_message()).text == "학생증 발급 안내"

    await services.alerts.check()
    await world.deliver()
    assert (await admin.next_message()).text == "✅ Back to normal: the outbox is keeping up again."
    assert await alerts_and_their_state(world, admin) == (False, ["sent", "sent"])


async def test_the_platforms_admin(world: Jigap) -> None:
    await before_the_story(world)
    admin = await platform_admin(world)
    console = await opens_the_console(admin)
    await verifies_hankuk_for_student_ids(world, admin, console)
    await trusts_only_hankuks_student_ids(world)
    paid = await people_pay(world)
    await the_bot_delivers_a_notice(world)
    await looks_at_revenue_and_deliveries(world, admin)
    spammer = await bans_the_spammer(world, admin, console)
    await refunds_parks_payment(world, admin, paid.park)
    await exports_the_week(world, admin, spammer, paid.park)
    await the_night_passes(world)
    await gets_the_daily_digest(world, admin)
    await is_alerted_when_the_outbox_falls_behind(world, admin)

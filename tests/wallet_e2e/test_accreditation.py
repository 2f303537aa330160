"""Issue 12: an issuer issues only the card types a platform admin accredited it for, and a verifier refuses
a card whose issuer is not accredited for its type (Hankuk University's "driver's licence" at the bar)."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from sandbox.client import SandboxUser
from storage.core.tables import audit_log
from storage.wallet.tables import wallet_accreditations, wallet_credentials, wallet_issuers, wallet_offers
from tests.harness import Jigap
from tests.wallet_e2e.helpers import MINJI_CLAIMS, PIN, camera_shot, enter_pin, offer_licence, show_qr

NOT_ADMIN = "죄송해요. 플랫폼 관리자만 쓸 수 있어요."


async def _registrar(world: Jigap) -> SandboxUser:
    registrar = await world.started_user("Registrar", "ko", "registrar", "Han")
    await world.grant(registrar, "issuer_admin", "hankuk-university")
    return registrar


async def _admin(world: Jigap) -> SandboxUser:
    admin = await world.started_user("Admin", "ko", "boss", "Choi")
    await world.make_platform_admin(admin)
    return admin


async def _accredited(world: Jigap, slug: str) -> set[str]:
    query = (select(wallet_accreditations.c.card_type)
             .join(wallet_issuers, wallet_issuers.c.id == wallet_accreditations.c.issuer_id)
             .where(wallet_issuers.c.slug == slug))
    async with world.services.uow() as uow:
        return set((await uow.connection.execute(query)).scalars())


async def _audit(world: Jigap, actor: SandboxUser) -> list[tuple[str, str, str | None]]:
    query = select(audit_log.c.action, audit_log.c.outcome, audit_log.c.target).where(
        audit_log.c.actor_id == actor.id, audit_log.c.action.like("wallet.%")).order_by(audit_log.c.id)
    async with world.services.uow() as uow:
        return [tuple(row) for row in (await uow.connection.execute(query)).all()]


async def test_the_registrar_is_offered_only_student_ids_and_a_forged_licence_press_is_refused(world: Jigap) -> None:
    registrar = await _registrar(world)
    reply = await registrar.send("/issue")
    assert reply.text == "어떤 카드를 발급할까요?"
    assert reply.buttons == ["학생증", "취소"]
    student = reply.button("학생증")["callback_data"]
    licence = student.rsplit(":", 1)[0] + ":0"  # the registry's first type: the driver's licence
    await world.forge_press(registrar, reply, licence)
    refused = await registrar.wait_for_edit(reply)
    assert refused.text == "Hankuk University에는 운전면허증 발급 인가가 없어요."
    await registrar.send("@minji")
    assert await world.count(wallet_offers) == 0


async def test_a_licence_from_a_university_is_refused_at_the_bar_once_its_accreditation_is_withdrawn(
    world: Jigap,
) -> None:
    admin, registrar, minji = await _admin(world), await _registrar(world), world.minji
    granted = await admin.send("/accredit hankuk-university driver_license")
    assert granted.text == "이제 Hankuk University에서 운전면허증 발급이 가능해요."
    reply = await registrar.send("/issue")
    assert reply.buttons == ["운전면허증", "학생증", "취소"]
    await registrar.press("운전면허증", reply)
    await registrar.wait_for_edit(reply)
    await registrar.send("@minji")
    photo_question = await registrar.send(MINJI_CLAIMS)
    await registrar.press("건너뛰기", photo_question)
    await registrar.next_message()
    offer = await minji.next_message()
    await minji.press("수락", offer)
    await minji.wait_for_edit(offer)
    keypad = await minji.next_message()
    await enter_pin(minji, keypad, PIN)
    await enter_pin(minji, keypad, PIN)
    shot = camera_shot(await world.file_bytes(await show_qr(world)))
    withdrawn = await admin.send("/withdraw_accreditation hankuk-university driver_license")
    assert withdrawn.text == ("Hankuk University의 운전면허증 발급 인가를 철회했어요. 이 기관이 발급한 이 종류의 카드는 "
                              "이제 확인을 통과하지 못해요.")
    result = await world.bartender.send_photo(shot)
    assert result.text == "유효하지 않아요. Hankuk University에는 운전면허증 발급 인가가 없어요. 21:04에 확인했어요."
    with Image.open(io.BytesIO(await world.file_bytes(result))) as card:
        assert card.convert("RGB").getpixel((10, 10)) == (192, 57, 43)  # the red of a refusal
    assert await _audit(world, admin) == [("wallet.accredit", "ok", "driver_license"),
                                          ("wallet.withdraw_accreditation", "ok", "driver_license")]
    assert await _accredited(world, "hankuk-university") == {"student_id"}


async def test_only_platform_admins_accredit_and_bad_input_changes_nothing(world: Jigap) -> None:
    admin = await _admin(world)
    assert (await world.officer.send("/accredit road-authority student_id")).text == NOT_ADMIN
    overview = await admin.send("/accredit")
    assert overview.text.splitlines() == [
        "발급 인가 현황",
        "Road Traffic Authority (road-authority): 운전면허증 (driver_license)",
        "Hankuk University (hankuk-university): 학생증 (student_id)",
        "National Certification Board (certification-board): 국가자격증 (national_certificate)",
    ]
    choices = ("발급기관: road-authority, hankuk-university, certification-board. "
               "카드 종류: driver_license, national_certificate, student_id.")
    unknown_issuer = await admin.send("/accredit hogwarts driver_license")
    assert unknown_issuer.text == "‘hogwarts’ 발급기관은 없어요.\n" + choices
    unknown_type = await admin.send("/accredit road-authority wizard_licence")
    assert unknown_type.text == "‘wizard_licence’ 카드 종류는 없어요.\n" + choices
    usage = await admin.send("/withdraw_accreditation road-authority")
    assert usage.text == "사용법: /withdraw_accreditation 발급기관 카드종류\n" + choices
    again = await admin.send("/accredit road-authority driver_license")
    assert again.text == "바꿀 것이 없어요. Road Traffic Authority에는 이미 운전면허증 발급이 인가되어 있어요."
    assert await _accredited(world, "road-authority") == {"driver_license"}
    assert await _audit(world, admin) == [("wallet.accredit", "unchanged", "driver_license")]
    assert await _audit(world, world.officer) == []


async def test_an_offer_made_before_the_withdrawal_cannot_be_accepted_after_it(world: Jigap) -> None:
    admin = await _admin(world)
    offer = await offer_licence(world)
    await admin.send("/withdraw_accreditation road-authority driver_license")
    answer = await world.minji.press("수락", offer)
    assert answer is not None and answer.show_alert
    assert answer.text == "Road Traffic Authority의 운전면허증 발급 인가가 철회되어 지갑에 넣을 수 없어요."
    assert await world.count(wallet_credentials) == 0
    reply = await world.officer.send("/issue")
    assert reply.text == ("이 기관은 아직 어떤 카드도 발급 인가를 받지 않았어요. 플랫폼 관리자가 /accredit 명령으로 "
                          "인가할 수 있어요.")

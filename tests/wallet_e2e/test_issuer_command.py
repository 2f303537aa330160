"""`jigap issuer create | issue | revoke | jwks`, cross-checked with `jigap verify --issuer-jwks`."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from bot.bootstrap import open_runtime
from bot.cli import main
from bot.config import load_config
from subscriptions.accounts.members import TelegramProfile
from wallet.credentials import present_card
from wallet.services import accreditation, request_audience
from wallet.services import offers as card_offers

MINJI_ID = 81000001


async def _organisation_and_holder() -> None:
    async with open_runtime(load_config()) as services:
        async with services.uow() as uow:
            await uow.organisations.add(slug="road-authority", name="Road Traffic Authority", kind="issuer",
                                        now=services.clock.now())
            await uow.commit()
        await services.members.member_for(TelegramProfile(MINJI_ID, "minji", "Minji", "Kim", "ko"))


async def _accredit(slug: str, card_type: str) -> None:
    """What a platform admin's /accredit does in the chat."""
    async with open_runtime(load_config()) as services:
        await accreditation.accredit_system(services.wallet, slug, (card_type,))


async def _accept_and_present(offer_id: str) -> tuple[str, str]:
    async with open_runtime(load_config()) as services:
        card = await card_offers.accept_offer(services.wallet, offer_id, MINJI_ID)
        async with services.uow() as uow:
            key = await uow.wallet.holder_key(MINJI_ID)
        assert key is not None
        presentation = present_card(card.record.sd_jwt, card.card_type, holder_key=key, aud=request_audience(7),
                                    nonce="n-0001", now=services.clock.now(), preset="age_over_19_only")
        return card.id, presentation


def test_an_operator_creates_an_issuer_issues_verifies_offline_and_revokes(
    in_tmp_cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "init"]) == 0
    asyncio.run(_organisation_and_holder())
    assert main(["issuer", "create", "road-authority"]) == 0
    created = capsys.readouterr().out
    assert "Road Traffic Authority: created" in created and "/.well-known/jwt-vc-issuer/road-authority" in created
    assert main(["issuer", "create", "road-authority"]) == 0
    assert "already an issuer" in capsys.readouterr().out
    claims = ["--claim", "name=김민지", "--claim", "birth_date=2001-04-09", "--claim", "license_class=1종 보통",
              "--claim", "license_number=11-24-123456-78"]
    assert main(["issuer", "issue", "road-authority", "--type", "driver_license", "--holder", "@minji", *claims]) == 1
    assert capsys.readouterr().err.endswith(
        "jigap issuer: road-authority is not accredited to issue driver_license: a platform admin grants it in "
        "the chat with /accredit road-authority driver_license\n")
    asyncio.run(_accredit("road-authority", "driver_license"))
    claims = claims[:-2]
    assert main(["issuer", "issue", "road-authority", "--type", "driver_license", "--holder", "@minji", *claims]) == 1
    assert "license_number: is required" in capsys.readouterr().err
    claims += ["--claim", "license_number=11-24-123456-78"]
    assert main(["issuer", "issue", "road-authority", "--type", "driver_license", "--holder", "@minji", *claims]) == 0
    match = re.search(r"/start offer_([A-Za-z0-9_-]+) \(in the chat with the bot\)", capsys.readouterr().out)
    assert match is not None
    credential_id, presentation = asyncio.run(_accept_and_present(match.group(1)))
    assert main(["issuer", "jwks", "road-authority"]) == 0
    jwks = json.loads(capsys.readouterr().out)
    assert [key["alg"] for key in jwks["keys"]] == ["EdDSA"]
    (in_tmp_cwd / "issuer.jwks").write_text(json.dumps(jwks), encoding="utf-8")
    verify = ["verify", presentation, "--issuer-jwks", "issuer.jwks", "--aud", request_audience(7), "--nonce", "n-0001"]
    assert main(verify) == 0
    assert json.loads(capsys.readouterr().out)["disclosed_claims"] == {"age_over_19": True}
    # Without a file to trust, `jigap verify` trusts the issuers the bot itself has registered.
    assert main(["verify", presentation, "--aud", request_audience(7), "--nonce", "n-0001"]) == 0
    assert json.loads(capsys.readouterr().out)["issuer_name"] == "Road Traffic Authority"
    assert main(["issuer", "revoke", credential_id]) == 0
    assert "is now revoked" in capsys.readouterr().out
    assert main(["issuer", "revoke", credential_id, "--reinstate"]) == 1
    assert "revoked for good" in capsys.readouterr().err
    assert main(["issuer", "jwks", "nowhere"]) == 1

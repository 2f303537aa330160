"""The fixed words drawn on wallet images, in English and Korean.

The bot builds an `ImageTexts` from its gettext catalogs; `ENGLISH` and `KOREAN` are the
reference wordings so the wallet can draw without the bot.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageTexts:
    language: str = "en"
    valid_until: str = "Valid until"
    revoked: str = "REVOKED"
    suspended: str = "SUSPENDED"
    expired: str = "EXPIRED"
    valid: str = "Valid"
    not_valid: str = "Not valid"
    issued_by: str = "Issued by"
    accredited: str = "accredited for this card type"
    checked: str = "Checked"
    yes: str = "yes"
    no: str = "no"
    photo_matches: str = "matches the signed photo"
    photo_not_shown: str = "signed photo (not available here)"
    nothing_disclosed: str = "No personal details were shared."
    scan_hint: str = "Show this code to the verifier. It renews every 30 seconds."


ENGLISH = ImageTexts()
KOREAN = ImageTexts(
    language="ko",
    valid_until="유효기간",
    revoked="취소됨",
    suspended="정지됨",
    expired="만료됨",
    valid="유효",
    not_valid="유효하지 않음",
    issued_by="발급기관",
    accredited="이 카드의 발급 인가 기관",
    checked="확인 시각",
    yes="예",
    no="아니요",
    photo_matches="서명된 사진과 일치",
    photo_not_shown="서명된 사진 (여기서는 표시할 수 없음)",
    nothing_disclosed="공유한 개인정보는 없어요.",
    scan_hint="확인하는 분께 이 코드를 보여 주세요. 30초마다 새로 바뀌어요.",
)


def texts_for(language: str) -> ImageTexts:
    return KOREAN if language.startswith("ko") else ENGLISH

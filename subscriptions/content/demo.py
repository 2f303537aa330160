"""The demo portal: Daily Hanja's thirty posts over the past weeks (free, per tier, one sold alone) and a home
cooking creator's posts, so a fresh sandbox has something to browse, search and unlock.

Daily Hanja's tiers are the plans of billing's demo offer `hanja-club` (Tier 1 and Tier 2).
"""

from __future__ import annotations

from dataclasses import dataclass

from subscriptions.money import Money

HANJA_OFFER = "hanja-club"
HANJA_TIERS = (("tier1", "Tier 1", "A character a day with its words"),
               ("tier2", "Tier 2", "Everything in Tier 1, plus weekly writing practice sheets"))

# (character, reading, meaning in Korean, an example word): thirty days of characters.
HANJA = (
    ("學", "배울 학", "배우다", "학교"), ("校", "학교 교", "학교", "교실"), ("日", "날 일", "해, 날", "일요일"),
    ("月", "달 월", "달", "월요일"), ("火", "불 화", "불", "화산"), ("水", "물 수", "물", "수영"),
    ("木", "나무 목", "나무", "목요일"), ("金", "쇠 금", "쇠, 돈", "금요일"), ("土", "흙 토", "흙", "토지"),
    ("山", "메 산", "산", "등산"), ("川", "내 천", "시내", "하천"), ("人", "사람 인", "사람", "인간"),
    ("大", "큰 대", "크다", "대학"), ("小", "작을 소", "작다", "소설"), ("中", "가운데 중", "가운데", "중심"),
    ("上", "윗 상", "위", "상류"), ("下", "아래 하", "아래", "하류"), ("心", "마음 심", "마음", "심장"),
    ("手", "손 수", "손", "수첩"), ("口", "입 구", "입", "인구"), ("目", "눈 목", "눈", "목표"),
    ("耳", "귀 이", "귀", "이비인후과"), ("生", "날 생", "나다, 살다", "생일"), ("年", "해 년", "해", "연말"),
    ("天", "하늘 천", "하늘", "천국"), ("地", "땅 지", "땅", "지도"), ("花", "꽃 화", "꽃", "화분"),
    ("雨", "비 우", "비", "우산"), ("雪", "눈 설", "눈(雪)", "설경"), ("風", "바람 풍", "바람", "풍경"),
)

COOKING = (
    ("김치찌개 끓이는 법", "잘 익은 김치와 돼지고기로 끓이는 기본 김치찌개예요.\n\n"
     "1. 냄비에 돼지고기를 볶아요.\n2. 김치를 넣고 5분 더 볶아요.\n3. 물을 붓고 20분 끓여요."),
    ("된장찌개 기본", "애호박, 두부, 감자를 넣은 된장찌개예요.\n\n멸치 육수를 먼저 내면 훨씬 깊은 맛이 나요."),
    ("Weeknight bibimbap", "A bowl of rice with whatever vegetables you have, a fried egg and gochujang.\n\n"
     "Blanch spinach and bean sprouts, season each with sesame oil and salt, and top with the egg."),
    ("계란말이 예쁘게 말기", "약불에서 천천히 말면 예쁜 계란말이가 돼요.\n\n대파와 당근을 잘게 다져 넣어 보세요."),
    ("Kimchi fried rice", "Day-old rice, sour kimchi and a little butter make the best kimchi fried rice.\n\n"
     "Fry the kimchi first until it caramelises, then add the rice."),
)


@dataclass(frozen=True)
class DemoPost:
    title: str
    body: str
    days_ago: int
    tier_ids: tuple[str, ...] = ()  # the plan ids of the tiers it is open to; none: open to everyone
    prices: tuple[Money, ...] = ()  # sold alone


def hanja_posts() -> list[DemoPost]:
    """Every third post is free, the others for Tier 1 (or Tier 2 only, every fifth); day 12 is sold alone."""
    out = []
    for day, (character, reading, meaning, word) in enumerate(HANJA):
        title = f"오늘의 한자 {day + 1}: {character} ({reading})"
        body = (f"뜻: {meaning}\n소리: {reading.split()[-1]}\n예: {word}\n\n오늘은 이 글자를 다섯 번 써 보세요.\n\n"
                f"Today's character {character} means “{meaning}”; you meet it in {word}.")
        days_ago = len(HANJA) - day
        if day == 11:
            out.append(DemoPost(title, body, days_ago, prices=(Money(1000, "KRW"), Money(50, "XTR"))))
        elif day % 3 == 0:
            out.append(DemoPost(title, body, days_ago))
        elif day % 5 == 0:
            out.append(DemoPost(title, body, days_ago, tier_ids=("tier2",)))
        else:
            out.append(DemoPost(title, body, days_ago, tier_ids=("tier1", "tier2")))
    return out


def cooking_posts() -> list[DemoPost]:
    return [DemoPost(title, body, days_ago=2 * number + 1) for number, (title, body) in enumerate(COOKING)]

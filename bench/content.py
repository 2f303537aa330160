"""Content benchmark: the portal's pages and search over 1,000 creators and 200,000 posts.

    python bench/content.py                      # 200,000 posts; 3 runs, medians
    python bench/content.py --quick              # 20,000 posts; 3 short runs (well under a minute)
    python bench/content.py --postgres URL       # PostgreSQL too (or set JIGAP_TEST_DATABASE_URL)

The posts (Korean, English and mixed titles and bodies of a few hundred characters, ten categories, published
over the year before now, reads and popularity spread the way a few posts get most of them) are written in
bulk straight through storage, search index included; building them is not what is measured. A run times,
server side (the service call, database round trips included), the portal's home and pages 0-5 of the new,
popular and two boards' lists (`portal_page_p99_ms`, target 30), then searches of two- and three-syllable
Korean words and one and two English words (`search_p50_ms`, target 20, and per language). Each figure is
the median over the runs.

More parts measure the same built database: each is an `async def part(world: World) -> dict[str, float]`,
named in `PARTS` as "module:function".
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from bench.postgres_database import fresh_postgres  # noqa: E402
from bot.bootstrap import billing_for, content_for  # noqa: E402
from bot.config import load_config  # noqa: E402
from storage.content.search import index_new_posts  # noqa: E402
from storage.content.tables import content_creators, content_posts  # noqa: E402
from storage.engine import create_engine  # noqa: E402
from storage.envelope import Envelope, KeyRing, new_master_key  # noqa: E402
from storage.migrate import migrate  # noqa: E402
from storage.unit_of_work import UnitOfWorkFactory  # noqa: E402
from subscriptions.clock import FixedClock  # noqa: E402
from subscriptions.content import Content  # noqa: E402
from subscriptions.content.creators import CATEGORIES  # noqa: E402
from subscriptions.content.ranking import Signal, add_score, publication_score  # noqa: E402
from subscriptions.content.services.portal import Listing, home, listing  # noqa: E402

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
CREATORS = 1_000
FIRST_ORG = 5_000_000
FIRST_OWNER = 900_000_000
BATCH = 2_000
PAGES = range(6)
BOARDS = ("cooking", "travel")
# What people type: Korean words of two and three (or four) syllables, English words alone and in pairs.
KOREAN_QUERIES = ("김치", "여행", "요리", "주식", "비빔밥", "제주도", "된장찌개", "운동법")
ENGLISH_QUERIES = ("coffee", "budget", "recipe", "camera", "travel tips", "weekend recipe", "morning run",
                   "python code")
# Part of the run: "module:function" of an async function taking the built World and giving named figures.
PARTS = ("bench.content:portal_pages", "bench.content:search")

KOREAN = {
    "cooking": "김치 김치찌개 된장찌개 비빔밥 불고기 잡채 떡볶이 순두부 삼겹살 미역국 계란말이 감자조림 나물 "
               "양념 고추장 간장 참기름 두부 애호박 배추 요리 반찬 도시락 밑반찬 국물 레시피 냄비 프라이팬",
    "travel": "여행 제주도 부산 강릉 전주 경주 바다 해변 숙소 게스트하우스 기차 버스 항공권 일정 맛집 카페 "
              "산책 등산 올레길 야경 사진 배낭 캠핑 온천 시장 골목",
    "language": "한자 단어 문법 발음 회화 영어 일본어 중국어 표현 예문 받아쓰기 암기 시험 사전 어휘 문장",
    "study": "공부 시험 수능 노트 계획표 집중 독서 요약 복습 예습 도서관 강의 과제 발표 토론 자격증",
    "money": "주식 투자 저축 예금 적금 가계부 월급 연금 부동산 금리 환율 배당 절약 소비 세금 보험 대출",
    "tech": "개발 코딩 파이썬 서버 데이터 인공지능 앱 웹사이트 노트북 키보드 카메라 스마트폰 보안 클라우드",
    "art": "그림 수채화 드로잉 전시회 미술관 붓 물감 스케치 작품 색연필 캘리그라피 도자기 사진전",
    "music": "음악 피아노 기타 노래 작곡 악보 연주 공연 밴드 앨범 가사 화음 리듬 보컬 합창",
    "health": "운동 운동법 스트레칭 요가 달리기 필라테스 식단 수면 건강 근력 다이어트 명상 산책 체중",
    "life": "일상 주말 아침 저녁 집안일 청소 정리 육아 반려견 고양이 이사 선물 친구 가족 기록 하루",
}
ENGLISH = {
    "cooking": "kimchi stew recipe rice noodles soup bread dinner lunch breakfast sauce garlic onion tofu pan "
               "oven grill salad dessert cake coffee tea weekend weeknight meal",
    "travel": "travel trip tips beach island train flight hotel hostel itinerary map museum market night view "
              "hiking camping road budget backpack weekend",
    "language": "grammar vocabulary phrase pronunciation sentence dictionary idiom lesson exam writing "
                "reading listening speaking practice",
    "study": "study notes exam plan focus library lecture summary review schedule habit essay research",
    "money": "budget saving investing stocks dividend salary pension rent mortgage interest tax insurance "
             "spending index fund",
    "tech": "python code server data camera laptop keyboard phone cloud security database app design "
            "release bug fix api",
    "art": "drawing painting watercolor sketch gallery museum brush ink portrait landscape pottery",
    "music": "piano guitar song chord melody rhythm band album lyrics concert practice scales",
    "health": "running morning run stretching yoga sleep diet workout strength walking meditation habit",
    "life": "weekend morning evening family friends home cleaning moving gift diary cat dog coffee",
}
KOREAN_ENDINGS = ("를 만들었어요.", "이 정말 좋았어요.", "에 대해 정리해 봤어요.", "는 처음이라 조금 어려웠어요.",
                  " 이야기를 해 볼게요.", "을 추천합니다.", "는 다음에 또 하고 싶어요.", "에서 배운 점이 많아요.")
KOREAN_TITLES = ("{a} {b} 이야기", "{a} 초보를 위한 {b}", "오늘의 {a}", "{a}와 {b} 후기", "{a} {b} 정리",
                 "주말 {a} 기록")
ENGLISH_SENTENCES = ("I tried a new {a} this {b}.", "The {a} was better than the {b}.",
                     "Here is what I learned about {a} and {b}.", "My {a} notes, with a short {b} list.",
                     "Next time the {a} comes first, then the {b}.", "A simple {a} for a busy {b}.")
ENGLISH_TITLES = ("{A} and {b}", "A {a} guide for {b}", "My {a} {b}", "{A} notes: {b}", "Five {a} tips")


def _say(line: str) -> None:
    print(line, flush=True)  # noqa: T201 - a bench prints its figures


# --- the world -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    backend: str
    engine: AsyncEngine
    content: Content
    posts: int
    quick: bool


def _korean(rng: random.Random, words: list[str]) -> tuple[str, str]:
    a, b = rng.sample(words, 2)
    title = rng.choice(KOREAN_TITLES).format(a=a, b=b)
    sentences = [rng.choice(words) + rng.choice(KOREAN_ENDINGS) for _ in range(rng.randint(8, 16))]
    return title, " ".join(sentences)


def _english(rng: random.Random, words: list[str]) -> tuple[str, str]:
    a, b = rng.sample(words, 2)
    title = rng.choice(ENGLISH_TITLES).format(a=a, b=b, A=a.capitalize())
    sentences = [rng.choice(ENGLISH_SENTENCES).format(a=rng.choice(words), b=rng.choice(words))
                 for _ in range(rng.randint(6, 12))]
    return title, " ".join(sentences)


def _creators(rng: random.Random) -> list[dict[str, Any]]:
    return [{"org_id": FIRST_ORG + n, "handle": f"creator{n:04}", "name": f"크리에이터 {n}",
             "category": CATEGORIES[n % len(CATEGORIES)], "description": "", "photo_file_id": None,
             "owner_id": FIRST_OWNER + n, "status": "active", "followers": int(rng.paretovariate(1.2) * 10),
             "offer_id": None, "created_at": NOW - timedelta(days=400), "version": 1} for n in range(CREATORS)]


def _posts(rng: random.Random, count: int) -> Iterator[dict[str, Any]]:
    korean = {category: words.split() for category, words in KOREAN.items()}
    english = {category: words.split() for category, words in ENGLISH.items()}
    for n in range(count):
        org = rng.randrange(CREATORS)
        category = CATEGORIES[org % len(CATEGORIES)]
        language = rng.random()
        if language < 0.55:
            title, body = _korean(rng, korean[category])
        elif language < 0.9:
            title, body = _english(rng, english[category])
        else:  # a Korean post with English in it
            title, body = _korean(rng, korean[category])
            body += " " + _english(rng, english[category])[1]
        published = NOW - timedelta(seconds=rng.randrange(365 * 86400))
        reads = int(rng.paretovariate(1.1)) - 1
        hot = publication_score(published)
        if reads:
            hot = add_score(hot, Signal.READ, published + timedelta(hours=rng.randrange(1, 72)), reads)
        listed = rng.random() > 0.03  # a few drafts and posts taken down
        yield {"id": f"bench-post-{n:07}", "org_id": FIRST_ORG + org, "category": category, "title": title[:200],
               "body": body, "document": "{}", "access": "everyone", "status": "published" if listed else "draft",
               "taken_down": False, "publish_at": None, "published_at": published if listed else None,
               "edited_at": None, "created_at": published, "reads": reads, "unlocks": 0, "tips": 0, "hot": hot,
               "version": 1, "listed": listed}


async def build(engine: AsyncEngine, count: int) -> None:
    """1,000 creators and `count` posts in batches, each listed post in the search index as the repository
    would put it there."""
    rng = random.Random(20261125)
    await migrate(engine)
    async with engine.begin() as connection:
        await connection.execute(insert(content_creators), _creators(rng))
    batch: list[dict[str, Any]] = []
    for row in _posts(rng, count):
        batch.append(row)
        if len(batch) == BATCH:
            await _write(engine, batch)
            batch = []
    await _write(engine, batch)
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


async def _write(engine: AsyncEngine, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    async with engine.begin() as connection:
        await connection.execute(insert(content_posts), rows)
        await index_new_posts(connection, [(r["id"], r["title"], r["body"], r["published_at"])
                                             for r in rows if r["listed"]])


# --- the parts -----------------------------------------------------------------------------------------------


async def _timed(call: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await call()
    return (time.perf_counter() - started) * 1000


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]


async def portal_pages(world: World) -> dict[str, float]:
    """The home and pages 0-5 of each ranking and two boards, each asked five times."""
    content, times = world.content, []
    for _ in range(5):
        times.append(await _timed(lambda: home(content)))
        for page in PAGES:
            for kind, key in ((Listing.POPULAR, ""), (Listing.NEW, ""), *((Listing.BOARD, b) for b in BOARDS)):
                times.append(await _timed(lambda: listing(content, kind, page, key=key)))  # noqa: B023
    return {"portal_page_p99_ms": _p99(times), "portal_page_p50_ms": statistics.median(times)}


async def search(world: World) -> dict[str, float]:
    """Each query's first page and its second, five times."""
    content = world.content
    found: dict[str, list[float]] = {"korean": [], "english": []}
    for _ in range(5):
        for language, queries in (("korean", KOREAN_QUERIES), ("english", ENGLISH_QUERIES)):
            for words in queries:
                for page in (0, 1):
                    found[language].append(await _timed(  # noqa: B023
                        lambda: listing(content, Listing.SEARCH, page, key=words)))  # noqa: B023
    return {"search_p50_ms": statistics.median(found["korean"] + found["english"]),
            "search_p50_ms_korean": statistics.median(found["korean"]),
            "search_p50_ms_english": statistics.median(found["english"])}


def _part(name: str) -> Callable[[World], Awaitable[dict[str, float]]]:
    module, function = name.split(":")
    part: Callable[[World], Awaitable[dict[str, float]]] = getattr(importlib.import_module(module), function)
    return part


async def _check(content: Content) -> None:
    """The figures mean something only if the lists and searches find what they should."""
    for words in (*KOREAN_QUERIES, *ENGLISH_QUERIES):
        if not (await listing(content, Listing.SEARCH, 0, key=words)).items:
            raise AssertionError(f"search for {words!r} found nothing")
    if not (await listing(content, Listing.POPULAR, 5)).has_next:
        raise AssertionError("the popular list is shorter than six pages")


# --- running -------------------------------------------------------------------------------------------------


async def bench(backend: str, url: str, count: int, runs: int, quick: bool) -> dict[str, float]:
    engine = create_engine(url, pool_size=4)
    try:
        started = time.perf_counter()
        await build(engine, count)
        _say(f"{backend}: {CREATORS:,} creators and {count:,} posts built in {time.perf_counter() - started:.0f}s")
        config, clock = load_config(environ={}), FixedClock(NOW)
        units = UnitOfWorkFactory(engine, Envelope(KeyRing.single(new_master_key())), now=clock.now)
        world = World(backend, engine, content_for(config, units, clock, billing_for(config, units, clock)),
                      count, quick)
        await _check(world.content)
        figures: dict[str, list[float]] = {}
        for run in range(runs):
            for name in PARTS:
                for figure, value in (await _part(name)(world)).items():
                    figures.setdefault(figure, []).append(value)
            _say(f"{backend} run {run + 1}: " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in figures.items()))
        return {figure: statistics.median(values) for figure, values in figures.items()}
    finally:
        await engine.dispose()


async def on_backend(backend: str, base_url: str | None, count: int, runs: int, quick: bool) -> dict[str, float]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            return await bench(backend, f"sqlite+aiosqlite:///{Path(folder) / 'content.db'}", count, runs, quick)
    assert base_url is not None
    async with fresh_postgres(base_url) as url:
        return await bench(backend, url, count, runs, quick)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 posts (well under a minute)")
    parser.add_argument("--posts", type=int, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("JIGAP_TEST_DATABASE_URL"))
    args = parser.parse_args()
    count = args.posts or (20_000 if args.quick else 200_000)
    results = {"sqlite": asyncio.run(on_backend("sqlite", None, count, args.runs, args.quick))}
    if args.postgres:
        results["postgresql"] = asyncio.run(on_backend("postgresql", args.postgres, count, args.runs, args.quick))
    for backend, figures in results.items():
        for figure, value in figures.items():
            _say(f"{figure}_{backend}={value:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

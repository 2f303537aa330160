"""The portal's queries and search, one contract over each backend (SQLite always, PostgreSQL where configured):
what each list holds and in which order, and what search finds for Korean and English words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.content.search import Query, short_terms
from subscriptions.clock import FixedClock
from subscriptions.content import Content
from subscriptions.content.creators import CreatorStatus
from subscriptions.content.posts import Post, PostStatus
from subscriptions.content.ranking import Signal
from subscriptions.content.services import creators, moderation, posts
from subscriptions.content.services.creators import NewCreator
from subscriptions.content.services.posts import PostDraft

HANA, ALEX, JISOO, MINJI = 700_000_101, 700_000_102, 700_000_103, 700_000_104


def _clock(content: Content) -> FixedClock:
    clock = content.clock
    assert isinstance(clock, FixedClock)
    return clock


async def _creator(content: Content, owner: int, handle: str, category: str) -> int:
    return (await creators.create_creator(content, owner, NewCreator(handle.title(), handle, category, ""))).org_id


async def _publish(content: Content, owner: int, title: str, body: str = "") -> Post:
    """A post published a minute after the one before."""
    post = await posts.publish(content, owner, PostDraft(title, body or title))
    _clock(content).advance(timedelta(minutes=1))
    return post


async def _search(content: Content, words: str, *, offset: int = 0, limit: int = 50) -> list[str]:
    async with content.uow() as uow:
        return [item.title for item in await uow.portal.search(words, offset=offset, limit=limit)]


# --- lists ---------------------------------------------------------------------------------------------------


async def test_newest_pages_listed_posts_newest_first(content: Content) -> None:
    await _creator(content, HANA, "hanaskitchen", "cooking")
    for number in range(7):
        await _publish(content, HANA, f"Post {number}")
    draft_time = _clock(content).now() + timedelta(days=1)
    await posts.publish(content, HANA, PostDraft("Scheduled", "later"), at=draft_time)
    async with content.uow() as uow:
        first = await uow.portal.newest(offset=0, limit=3)
        rest = await uow.portal.newest(offset=3, limit=10)
    assert [item.title for item in first] == ["Post 6", "Post 5", "Post 4"]
    assert [item.title for item in rest] == ["Post 3", "Post 2", "Post 1", "Post 0"]
    assert first[0].creator_handle == "hanaskitchen" and first[0].published_at is not None


async def test_a_board_lists_its_category_only(content: Content) -> None:
    await _creator(content, HANA, "hanaskitchen", "cooking")
    await _creator(content, ALEX, "alexgoes", "travel")
    await _publish(content, HANA, "Kimchi")
    await _publish(content, ALEX, "Jeju")
    await _publish(content, HANA, "Bibimbap")
    async with content.uow() as uow:
        cooking = await uow.portal.in_category("cooking", offset=0, limit=10)
        travel = await uow.portal.in_category("travel", offset=0, limit=10)
        second_page = await uow.portal.in_category("cooking", offset=1, limit=10)
        empty = await uow.portal.in_category("music", offset=0, limit=10)
    assert [item.title for item in cooking] == ["Bibimbap", "Kimchi"]
    assert [item.title for item in travel] == ["Jeju"]
    assert [item.title for item in second_page] == ["Kimchi"]
    assert empty == []


async def test_popular_orders_by_fading_hot_score(content: Content) -> None:
    await _creator(content, HANA, "hanaskitchen", "cooking")
    old = await _publish(content, HANA, "Old but tipped")
    _clock(content).advance(timedelta(days=6))
    read = await _publish(content, HANA, "Read twice")
    fresh = await _publish(content, HANA, "Fresh")
    async with content.uow() as uow:
        now = _clock(content).now()
        await uow.posts.note_signal(old.id, Signal.TIP, now - timedelta(days=6))
        await uow.posts.note_signal(read.id, Signal.READ, now)
        await uow.posts.note_signal(read.id, Signal.READ, now)
        await uow.commit()
    async with content.uow() as uow:
        popular = await uow.portal.popular(offset=0, limit=10)
        scores = {post_id: (await uow.posts.get(post_id)).hot  # type: ignore[union-attr]
                  for post_id in (old.id, read.id, fresh.id)}
        second = await uow.portal.popular(offset=1, limit=1)
    # Six days are two half-lives: a tip then (five reads' weight) with the publication, 6 / 4, still outweighs
    # one publication now; two reads now lift a fresh post above both (3 against 1.5).
    assert [item.title for item in popular] == ["Read twice", "Old but tipped", "Fresh"]
    assert [item.id for item in popular] == sorted(scores, key=lambda post_id: -scores[post_id])
    assert [item.title for item in second] == ["Old but tipped"]


async def test_by_creator_and_by_ids_keep_their_orders_and_listed_posts_only(content: Content) -> None:
    hana = await _creator(content, HANA, "hanaskitchen", "cooking")
    await _creator(content, ALEX, "alexgoes", "travel")
    first = await _publish(content, HANA, "First")
    other = await _publish(content, ALEX, "Elsewhere")
    second = await _publish(content, HANA, "Second")
    hidden = await _publish(content, HANA, "Hidden")
    await posts.set_status(content, HANA, hidden.id, PostStatus.UNPUBLISHED)
    async with content.uow() as uow:
        mine = await uow.portal.by_creator(hana, offset=0, limit=10)
        shelf = await uow.portal.by_ids([second.id, hidden.id, other.id, "no-such-post", first.id])
        assert await uow.portal.by_ids([]) == []
    assert [item.title for item in mine] == ["Second", "First"]
    assert [item.title for item in shelf] == ["Second", "Elsewhere", "First"]


async def test_taken_down_unpublished_and_suspended_leave_every_list(content: Content) -> None:
    hana = await _creator(content, HANA, "hanaskitchen", "cooking")
    alex = await _creator(content, ALEX, "alexgoes", "travel")
    kept = await _publish(content, HANA, "김치 stays")
    taken = await _publish(content, HANA, "김치 taken down")
    unpublished = await _publish(content, HANA, "김치 unpublished")
    suspended = await _publish(content, ALEX, "김치 on a suspended page")
    await moderation.take_down(content, MINJI, taken.id)
    await posts.set_status(content, HANA, unpublished.id, PostStatus.UNPUBLISHED)
    assert await creators.set_status(content, MINJI, alex, CreatorStatus.SUSPENDED)
    async with content.uow() as uow:
        lists = [await uow.portal.newest(offset=0, limit=10), await uow.portal.popular(offset=0, limit=10),
                 await uow.portal.in_category("cooking", offset=0, limit=10),
                 await uow.portal.by_creator(hana, offset=0, limit=10),
                 await uow.portal.by_ids([kept.id, taken.id, unpublished.id, suspended.id]),
                 await uow.portal.search("김치", offset=0, limit=10)]
    assert [[item.title for item in found] for found in lists] == [["김치 stays"]] * 6
    await moderation.restore(content, MINJI, taken.id)
    assert sorted(await _search(content, "김치")) == ["김치 stays", "김치 taken down"]


# --- search --------------------------------------------------------------------------------------------------


async def test_search_puts_title_matches_first_then_relevance_then_newest(content: Content) -> None:
    await _creator(content, HANA, "hanaskitchen", "cooking")
    await _publish(content, HANA, "Sunday stew", "Slow braised beef. Leftover kimchi goes in at the end.")
    await _publish(content, HANA, "Kimchi pancake", "Crisp edges, soft middle.")
    await _publish(content, HANA, "Fridge clean-out",
                   "Kimchi fried rice, kimchi stew, kimchi toast: kimchi in everything this week.")
    await _publish(content, HANA, "Kimchi basics", "Salt the cabbage overnight.")
    await _publish(content, HANA, "Picnic", "Gimbap and fruit.")
    found = await _search(content, "kimchi")
    # The two titles first, then the body that says it four times, then the one saying it once.
    assert sorted(found[:2]) == ["Kimchi basics", "Kimchi pancake"]
    assert found[2:] == ["Fridge clean-out", "Sunday stew"]


async def test_search_pages_without_repeating_or_losing_a_post(content: Content) -> None:
    await _creator(content, HANA, "hanaskitchen", "cooking")
    for number in range(13):
        await _publish(content, HANA, f"Weeknight dinner {number:02}", "Quick and cheap.")
    await _publish(content, HANA, "Weekend brunch", "Not a weeknight thing.")
    pages = [await _search(content, "weeknight", offset=offset, limit=5) for offset in (0, 5, 10, 15)]
    assert [len(page) for page in pages] == [5, 5, 4, 0]
    everything = [title for page in pages for title in page]
    assert everything == [f"Weeknight dinner {n:02}" for n in range(12, -1, -1)] + ["Weekend brunch"]


async def test_korean_words_of_two_and_three_syllables_are_found_inside_longer_words(content: Content) -> None:
    await _creator(content, HANA, "hanaskitchen", "cooking")
    await _publish(content, HANA, "겨울 저녁", "오늘은 김치찌개를 끓였어요. 돼지고기를 넣으면 더 맛있어요.")
    await _publish(content, HANA, "된장찌개 끓이는 법", "두부와 애호박을 넣어요.")
    await _publish(content, HANA, "비빔밥", "고추장 한 숟가락과 김을 올려요.")
    await _publish(content, HANA, "요리 일기", "밥 먹자. 김 한 장.")
    assert await _search(content, "김치") == ["겨울 저녁"]
    assert await _search(content, "찌개") == ["된장찌개 끓이는 법", "겨울 저녁"]
    assert await _search(content, "김치찌개") == ["겨울 저녁"]
    assert await _search(content, "돼지고기") == ["겨울 저녁"]
    assert await _search(content, "끓이") == ["된장찌개 끓이는 법"]
    assert await _search(content, "요리") == ["요리 일기"]
    assert await _search(content, "김") == ["요리 일기"]  # one syllable: a word standing alone, not 김을
    assert await _search(content, "된장 두부") == ["된장찌개 끓이는 법"]
    assert await _search(content, "김치 두부") == []
    assert await _search(content, "치찌개를끓") == []


async def test_english_words_match_word_starts_whatever_their_case_and_short_ones_as_whole_words(
        content: Content) -> None:
    await _creator(content, ALEX, "alexgoes", "tech")
    await _publish(content, ALEX, "Weeknight AI tools", "Five assistants I use.")
    await _publish(content, ALEX, "What she said", "A story about again and again.")
    await _publish(content, ALEX, "CAFÉ notes", "Working from cafés in Seoul.")
    assert await _search(content, "WEEKNIGHT") == ["Weeknight AI tools"]
    assert await _search(content, "week tool") == ["Weeknight AI tools"]  # the start of a word
    assert await _search(content, "night") == []  # not the middle of one
    assert await _search(content, "ai") == ["Weeknight AI tools"]
    assert await _search(content, "Café") == ["CAFÉ notes"]
    assert await _search(content, "cafés seoul") == ["CAFÉ notes"]
    assert await _search(content, "assistants story") == []


async def test_mixed_korean_and_english_queries_need_every_word(content: Content) -> None:
    await _creator(content, HANA, "hanaskitchen", "cooking")
    await _publish(content, HANA, "Kimchi 레시피", "김치 담그는 recipe, step by step.")
    await _publish(content, HANA, "김치볶음밥", "Ten-minute dinner.")
    await _publish(content, HANA, "Recipe box", "Soup and bread.")
    assert await _search(content, "김치 recipe") == ["Kimchi 레시피"]
    assert await _search(content, "recipe 김치") == ["Kimchi 레시피"]
    assert await _search(content, "김치 dinner") == ["김치볶음밥"]
    assert await _search(content, "레시피 kimchi step") == ["Kimchi 레시피"]
    assert await _search(content, "recipe") == ["Recipe box", "Kimchi 레시피"]


@pytest.mark.parametrize("typed", ['"kimchi', "kimchi*", 'kimchi"*', "-kimchi", "(kimchi)", "kimchi:", "{kimchi}",
                                   "^kimchi", "kimchi +", "'kimchi'", "kimchi\\", "%kimchi_"])
async def test_query_syntax_typed_by_a_reader_is_only_text(content: Content, typed: str) -> None:
    await _creator(content, HANA, "hanaskitchen", "cooking")
    await _publish(content, HANA, "Kimchi basics", "Salt the cabbage.")
    await _publish(content, HANA, "Soup", "Nothing fermented.")
    assert await _search(content, typed) == ["Kimchi basics"]


async def test_operator_words_are_words_to_find(content: Content) -> None:
    await _creator(content, HANA, "hanaskitchen", "music")
    await _publish(content, HANA, "Rock OR roll", "A debate.")
    await _publish(content, HANA, "Rock", "Just rock.")
    await _publish(content, HANA, "Roll", "Just roll.")
    await _publish(content, HANA, "Near and far", "AND NOT what you think.")
    assert await _search(content, "rock OR roll") == ["Rock OR roll"]
    assert await _search(content, "rock roll") == ["Rock OR roll"]
    assert await _search(content, "NEAR") == ["Near and far"]
    assert await _search(content, "far NOT") == ["Near and far"]
    assert await _search(content, "rock AND") == []


@pytest.mark.parametrize("typed", ["", "   ", "*", '"', "--", "()", "!?", "\"\" OR \"\"", "'; DROP TABLE content_posts; --"])
async def test_empty_and_punctuation_only_queries_find_nothing(content: Content, typed: str) -> None:
    await _creator(content, HANA, "hanaskitchen", "cooking")
    await _publish(content, HANA, "Table drop recipe", "content_posts -- drop table")
    found = await _search(content, typed)
    expected = ["Table drop recipe"] if typed.startswith("'") else []
    assert found == expected
    async with content.uow() as uow:
        assert len(await uow.portal.newest(offset=0, limit=10)) == 1


async def test_an_edit_changes_what_search_finds_at_once(content: Content) -> None:
    await _creator(content, HANA, "hanaskitchen", "cooking")
    post = await _publish(content, HANA, "된장찌개", "두부를 넣어요.")
    assert await _search(content, "두부") == ["된장찌개"]
    await posts.edit(content, HANA, post.id, PostDraft("순두부찌개", "Spicy soft tofu, 바지락 넣고."))
    assert await _search(content, "두부") == ["순두부찌개"]
    assert await _search(content, "된장") == []
    assert await _search(content, "넣어요") == []
    assert await _search(content, "바지락 tofu") == ["순두부찌개"]
    await posts.set_status(content, HANA, post.id, PostStatus.UNPUBLISHED)
    assert await _search(content, "두부") == []
    await posts.set_status(content, HANA, post.id, PostStatus.PUBLISHED)
    assert await _search(content, "두부") == ["순두부찌개"]
    await moderation.take_down(content, MINJI, post.id)
    assert await _search(content, "순두부") == []


async def test_a_scheduled_post_is_found_once_published(content: Content) -> None:
    await _creator(content, HANA, "hanaskitchen", "cooking")
    later = _clock(content).now() + timedelta(hours=2)
    await posts.publish(content, HANA, PostDraft("김장 준비", "배추 열 포기."), at=later)
    assert await _search(content, "김장") == []
    _clock(content).advance(timedelta(hours=2))
    await posts.publish_due(content)
    assert await _search(content, "김장") == ["김장 준비"]


# --- how text becomes terms ----------------------------------------------------------------------------------


def test_hangul_words_give_their_pairs_and_latin_words_stay_whole() -> None:
    assert short_terms("김치찌개를 먹어요, AI랑 a 밥! Weeknight") == [
        "김치", "치찌", "찌개", "개를", "먹어", "어요", "ai", "랑", "a", "밥", "weeknight"]
    assert Query.parse('"김치" OR NEAR(weeknight*) -요리 김치') == Query((), ("김치", "or", "요리"), ("near", "weeknight"))
    assert Query.parse("김치찌개 tips") == Query(("김치찌개",), (), ("tips",))
    assert not Query.parse('"" * - ( ) ^ :')

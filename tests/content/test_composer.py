"""The composer's and the tier flow's steps on a real database of each backend: a refusal keeps the step and
what it had; a second tap of the last step makes nothing twice. And the publish times a creator types."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from subscriptions.content import Content, composer, onboarding
from subscriptions.content.errors import InvalidPost, InvalidSchedule, InvalidTier
from subscriptions.content.posts import BODY_LIMIT, Audience, Document
from subscriptions.content.publish_time import UnreadableTime, parse_publish_time
from subscriptions.content.services import creators, posts
from subscriptions.content.services.creators import NewCreator
from subscriptions.content.steps import NotANumber, WrongStep
from subscriptions.flows import Flow

HANA = 700_000_101
NOON_SEOUL = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


async def _at_media(content: Content) -> Flow:
    await creators.create_creator(content, HANA, NewCreator("Hana's Kitchen", "hanaskitchen", "cooking", ""))
    flow = await composer.begin_post(content, HANA, chat_id=HANA)
    flow = await composer.give_title(content, flow, "Kimchi")
    return await composer.give_body(content, flow, "Salt the cabbage.", [{"type": "bold", "offset": 0, "length": 4},
                                                                        {"type": "bot_command", "offset": 5,
                                                                         "length": 3}])


async def test_an_eleventh_photo_and_an_unsupported_file_are_refused_and_the_rest_stays(content: Content) -> None:
    flow = await _at_media(content)
    assert flow.state["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    for number in range(10):
        flow = await composer.add_photo(content, flow, f"photo-{number}")
    with pytest.raises(InvalidPost, match="photos"):
        await composer.add_photo(content, flow, "photo-10")
    with pytest.raises(InvalidPost, match="file_type"):
        await composer.add_document(content, flow, Document("doc", "setup.exe", "application/x-msdownload"))
    kept = await composer.find_post_flow(content, HANA, flow.id)
    assert (kept.step, len(composer.photos(kept)), composer.documents(kept)) == (composer.MEDIA, 10, ())


async def test_more_text_continues_the_body_with_its_entities_until_the_limit(content: Content) -> None:
    flow = await _at_media(content)
    flow = await composer.continue_body(content, flow, "Rinse it.", [{"type": "italic", "offset": 0, "length": 5}])
    assert flow.state["body"] == "Salt the cabbage.\n\nRinse it."
    assert flow.state["entities"][-1] == {"type": "italic", "offset": 19, "length": 5}
    with pytest.raises(InvalidPost, match="body"):
        await composer.continue_body(content, flow, "x" * BODY_LIMIT)
    assert (await composer.find_post_flow(content, HANA, flow.id)).state["body"] == flow.state["body"]


async def test_a_title_over_200_keeps_the_title_step(content: Content) -> None:
    await creators.create_creator(content, HANA, NewCreator("Hana's Kitchen", "hanaskitchen", "cooking", ""))
    flow = await composer.begin_post(content, HANA, chat_id=HANA)
    with pytest.raises(InvalidPost, match="title"):
        await composer.give_title(content, flow, "t" * 201)
    assert (await composer.give_title(content, flow, "<i>as typed</i>")).state["title"] == "<i>as typed</i>"


async def test_publish_twice_from_one_preview_makes_one_post_and_a_past_time_keeps_the_schedule(content: Content
                                                                                               ) -> None:
    flow = await _at_media(content)
    flow = await composer.media_done(content, flow)
    preview = await composer.choose_audience(content, flow, Audience.EVERYONE)
    schedule = await composer.ask_schedule(content, preview)
    with pytest.raises(InvalidSchedule):
        composer.schedule_time(content, "2026-11-25 11:59", "Asia/Seoul")
    at = composer.schedule_time(content, "12:30", "Asia/Seoul")
    assert at == datetime(2026, 11, 25, 3, 30, tzinfo=UTC)
    done = await composer.publish(content, schedule, at=at)
    with pytest.raises(WrongStep):
        await composer.publish(content, schedule, at=at)
    listed, _ = await posts.posts_of(content, HANA, page=0)
    assert [post.id for post in listed] == [done.post.id]


async def test_a_tier_refuses_a_stars_price_outside_its_range_and_a_yearly_price_not_cheaper(content: Content
                                                                                              ) -> None:
    await creators.create_creator(content, HANA, NewCreator("Hana's Kitchen", "hanaskitchen", "cooking", ""))
    flow = await onboarding.begin_tier(content, HANA, chat_id=HANA)
    flow = await onboarding.give_tier_name(content, flow, "Live class")
    stars = await onboarding.choose_currency(content, flow, "XTR")
    for typed in ("0", "10001"):
        with pytest.raises(InvalidTier):
            await onboarding.give_monthly(content, stars, typed)
    with pytest.raises(NotANumber):
        await onboarding.give_monthly(content, stars, "٣٠٠")
    benefits = await onboarding.give_monthly(content, stars, "300")
    assert benefits.step == onboarding.BENEFITS  # Stars: no yearly price
    confirm = await onboarding.give_benefits(content, benefits, None)
    assert confirm.step == onboarding.CONFIRM  # and no trial
    tier = await onboarding.confirm_tier(content, confirm)
    with pytest.raises(WrongStep):
        await onboarding.confirm_tier(content, confirm)
    assert [t.tier.id for t in await creators.tiers_with_prices(content, tier.org_id)] == [tier.id]


@pytest.mark.parametrize(("typed", "expected"), [
    ("07:00", datetime(2026, 11, 25, 22, 0, tzinfo=UTC)),  # 07:00 has passed in Seoul: tomorrow's
    ("13:15", datetime(2026, 11, 25, 4, 15, tzinfo=UTC)),  # still ahead today
    ("tomorrow 07:00", datetime(2026, 11, 25, 22, 0, tzinfo=UTC)),
    ("내일 7:00", datetime(2026, 11, 25, 22, 0, tzinfo=UTC)),
    ("Today 18:30", datetime(2026, 11, 25, 9, 30, tzinfo=UTC)),
    ("2026-12-03 07:00", datetime(2026, 12, 2, 22, 0, tzinfo=UTC)),
])
def test_a_typed_time_is_read_in_the_creators_zone(typed: str, expected: datetime) -> None:
    assert parse_publish_time(typed, "Asia/Seoul", NOON_SEOUL) == expected


def test_a_time_in_new_york_and_an_unknown_zone() -> None:
    assert parse_publish_time("tomorrow 07:00", "America/New_York", NOON_SEOUL) == datetime(
        2026, 11, 25, 12, 0, tzinfo=UTC)
    assert parse_publish_time("tomorrow 07:00", "Mars/Olympus", NOON_SEOUL) == datetime(
        2026, 11, 25, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize("typed", ["25:00", "07:61", "2026-02-30 07:00", "at dawn", "07:00 pm", "０７:００", ""])
def test_what_is_no_time_is_refused(typed: str) -> None:
    with pytest.raises(UnreadableTime):
        parse_publish_time(typed, "Asia/Seoul", NOON_SEOUL)

"""Demo data for the sandbox: the organisations of STORIES.md. Loading it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.runtime import Services
from subscriptions.accounts.members import TelegramProfile
from subscriptions.accounts.records import RoleGrant
from subscriptions.billing import services as billing
from subscriptions.billing.offers import Offer, RefundKind, RefundPolicy, new_plan
from subscriptions.billing_calendar import STARS_PERIOD, Interval, Unit
from subscriptions.ledger import CREATOR_SPLIT, SHOP_SPLIT
from subscriptions.money import Money
from wallet.services import issuers


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    kind: str


ORGANISATIONS = (
    DemoOrganisation("road-authority", "Road Traffic Authority", "issuer"),
    DemoOrganisation("hankuk-university", "Hankuk University", "issuer"),
    DemoOrganisation("certification-board", "National Certification Board", "issuer"),
    DemoOrganisation("cafe-onda", "Cafe Onda", "shop"),
    DemoOrganisation("daily-hanja", "Daily Hanja", "creator"),
    DemoOrganisation("bar-haneul", "Bar Haneul", "verifier"),
    DemoOrganisation("landlord-park", "Landlord Park", "verifier"),
    DemoOrganisation("homeline", "Homeline Rentals", "brand"),
    DemoOrganisation("sparkle-cleaning", "Sparkle Cleaning", "shop"),
)


async def load_demo_organisations(services: Services) -> int:
    """Create the demo organisations that are missing; returns how many were added."""
    added = 0
    now = services.clock.now()
    async with services.uow() as uow:
        for demo in ORGANISATIONS:
            if await uow.organisations.get_by_slug(demo.slug) is None:
                await uow.organisations.add(slug=demo.slug, name=demo.name, kind=demo.kind, now=now)
                added += 1
        await uow.commit()
    await load_demo_issuers(services)
    return added


async def load_demo_issuers(services: Services) -> None:
    """The issuing organisations get their signing keys and status lists (kept if they exist)."""
    async with services.uow() as uow:
        organisations = await uow.organisations.list(kind="issuer")
    for organisation in organisations:
        await issuers.ensure_issuer(services.wallet, organisation)


@dataclass(frozen=True)
class DemoPerson:
    first_name: str
    last_name: str | None
    username: str
    language_code: str
    role: str | None = None
    org_slug: str | None = None


# Created in this order in a fresh sandbox, so they get the same ids on every start.
PEOPLE = (
    DemoPerson("Minji", "Kim", "minji", "ko"),
    DemoPerson("Jisoo", "Park", "jisoo", "ko"),
    DemoPerson("Hana", "Lee", "hana", "ko"),
    DemoPerson("Alex", None, "alex", "en"),
    DemoPerson("Admin", "Choi", "admin", "en", "platform_admin", None),
    DemoPerson("Officer", "Jung", "road_officer", "ko", "issuer_admin", "road-authority"),
    DemoPerson("Registrar", "Han", "registrar", "ko", "issuer_admin", "hankuk-university"),
    DemoPerson("Sora", "Yoon", "cafe_onda", "ko", "shop_owner", "cafe-onda"),
    DemoPerson("Teacher", "Oh", "daily_hanja", "ko", "creator", "daily-hanja"),
    DemoPerson("Manager", "Seo", "homeline", "ko", "brand_manager", "homeline"),
)


async def load_demo_people(services: Services, ids: dict[str, int]) -> None:
    """Give the demo people (whose sandbox ids are in `ids`, by username) their rows and roles."""
    now = services.clock.now()
    for person in PEOPLE:
        profile = TelegramProfile(ids[person.username], person.username, person.first_name, person.last_name,
                                  person.language_code)
        await services.members.member_for(profile)
    async with services.uow() as uow:
        for person in PEOPLE:
            if person.role is None:
                continue
            org_id = 0
            if person.org_slug is not None:
                organisation = await uow.organisations.get_by_slug(person.org_slug)
                assert organisation is not None, person.org_slug
                org_id = organisation.id
            await uow.roles.grant(RoleGrant(ids[person.username], person.role, org_id), granted_by=None, now=now)
        await uow.commit()


def demo_offers(org_ids: dict[str, int], now: datetime) -> list[Offer]:
    """Cafe Onda's monthly pass, Daily Hanja's two Stars tiers and Sparkle Cleaning's weekly plan."""
    month, week = Interval(Unit.MONTH), Interval(Unit.WEEK)
    return [
        Offer(
            id="onda-pass", merchant_id=str(org_ids["cafe-onda"]), title="Cafe Onda monthly pass",
            plans=[
                new_plan("americano20", "americano20-v1", "20 Americanos", Money(45000, "KRW"), month, now),
                new_plan("americano40", "americano40-v1", "40 Americanos", Money(80000, "KRW"), month, now),
            ],
            split=SHOP_SPLIT, refund_policy=RefundPolicy(RefundKind.PRORATED),
        ),
        Offer(
            id="hanja-club", merchant_id=str(org_ids["daily-hanja"]), title="Daily Hanja membership",
            plans=[
                new_plan("tier1", "tier1-v1", "Tier 1", Money(150, "XTR"), STARS_PERIOD, now),
                new_plan("tier2", "tier2-v1", "Tier 2", Money(500, "XTR"), STARS_PERIOD, now),
            ],
            split=CREATOR_SPLIT, refund_policy=RefundPolicy(RefundKind.FULL_WITHIN_DAYS, 3),
        ),
        Offer(
            id="sparkle-weekly", merchant_id=str(org_ids["sparkle-cleaning"]), title="Sparkle weekly cleaning",
            plans=[new_plan("weekly", "weekly-v1", "Weekly cleaning", Money(39000, "KRW"), week, now)],
            split=SHOP_SPLIT, refund_policy=RefundPolicy(RefundKind.NONE),
        ),
    ]


async def load_demo_offers(services: Services) -> int:
    """Publish the demo offers that are missing (run after the organisations); returns how many were added."""
    org_ids: dict[str, int] = {}
    async with services.uow() as uow:
        for slug in ("cafe-onda", "daily-hanja", "sparkle-cleaning"):
            organisation = await uow.organisations.get_by_slug(slug)
            assert organisation is not None, slug
            org_ids[slug] = organisation.id
    added = 0
    for offer in demo_offers(org_ids, services.clock.now()):
        if await billing.offer(services.billing, offer.id) is None:
            await billing.publish_offer(services.billing, offer)
            added += 1
    return added

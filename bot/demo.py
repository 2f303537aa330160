"""Demo data for the sandbox: the organisations of STORIES.md. Loading it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from bot.bootstrap import Services
from subscriptions.accounts.access import Role
from subscriptions.accounts.members import TelegramProfile
from subscriptions.accounts.records import RoleGrant
from subscriptions.billing import services as billing
from subscriptions.billing.demo import demo_offers
from subscriptions.content.services.demo import load_demo_content
from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.services.demo import load_homeline
from subscriptions.rentals.services.demo_clean_home import load_clean_home
from subscriptions.rentals.visits import Technician
from subscriptions.shops.services.demo import load_cafe_onda
from subscriptions.shops.shops import Channel, Shop
from wallet.services import accreditation, issuers


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
    DemoOrganisation("clean-home", "Clean Home", "brand"),
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


# Each demo issuer issues its own card type only: the university cannot issue a driver's licence.
DEMO_ACCREDITATIONS = {
    "road-authority": ("driver_license",),
    "hankuk-university": ("student_id",),
    "certification-board": ("national_certificate",),
}


async def load_demo_issuers(services: Services) -> None:
    """The issuing organisations get their signing keys and status lists (kept if they exist), and the demo
    issuers their accreditations."""
    async with services.uow() as uow:
        organisations = await uow.organisations.list(kind="issuer")
    for organisation in organisations:
        await issuers.ensure_issuer(services.wallet, organisation)
        types = DEMO_ACCREDITATIONS.get(organisation.slug, ())
        if types and not await accreditation.is_accredited_for_all(services.wallet, organisation.id, types):
            await accreditation.accredit_system(services.wallet, organisation.slug, types)


@dataclass(frozen=True)
class DemoPerson:
    first_name: str
    last_name: str | None
    username: str
    language_code: str
    role: str | None = None
    org_slug: str | None = None


# Created in this order in a fresh sandbox, so they get the same ids on every start. People who write Korean
# have Korean names, written as Koreans usually fill in Telegram's first name: family name first, no space.
PEOPLE = (
    DemoPerson("김민지", None, "minji", "ko"),
    DemoPerson("박지수", None, "jisoo", "ko"),
    DemoPerson("이하나", None, "hana", "ko"),
    DemoPerson("Alex", None, "alex", "en"),
    DemoPerson("Admin", "Choi", "admin", "en", "platform_admin", None),
    DemoPerson("정도윤", None, "road_officer", "ko", "issuer_admin", "road-authority"),
    DemoPerson("한서연", None, "registrar", "ko", "issuer_admin", "hankuk-university"),
    DemoPerson("윤소라", None, "cafe_onda", "ko", "shop_owner", "cafe-onda"),
    DemoPerson("오지훈", None, "daily_hanja", "ko", "creator", "daily-hanja"),
    DemoPerson("서준호", None, "homeline", "ko", "brand_manager", "homeline"),
    DemoPerson("최유진", None, "jipbap", "ko"),  # makes the home cooking creator page of the demo portal
    DemoPerson("Barista", None, "barista", "ko", "shop_staff", "cafe-onda"),  # works Cafe Onda's counter
    DemoPerson("김태호", None, "tech_kim", "ko"),  # Homeline's technician in Seoul (made one with the rentals)
    DemoPerson("박성민", None, "tech_park", "ko"),  # Clean Home's technician in Seoul
    DemoPerson("한지민", None, "cleanhome", "ko", "brand_manager", "clean-home"),
)
# The demo brands' technicians: (username, brand, the name customers are told, region, visits a day).
TECHNICIANS = (
    ("tech_kim", "homeline", LocalText("김", "Kim"), "seoul", 6),
    ("tech_park", "clean-home", LocalText("박", "Park"), "seoul", 6),
)
# Cafe Onda's regulars: with Alex and three demo people, its 20 followers (Jisoo, Hana and Minji follow in the story).
REGULARS = tuple(DemoPerson(name, None, f"regular{index:02d}", "ko") for index, name in enumerate((
    "김도현", "이서윤", "박하준", "최지우", "정민서", "강예준", "조하은", "윤시우", "장서연", "임지호",
    "한유나", "오건우", "서다은", "신우진", "권나윤", "황준서"), start=1))
ONDA_FOLLOWERS = ("alex", "road_officer", "registrar", "daily_hanja", *(person.username for person in REGULARS))


async def load_demo_people(services: Services, ids: dict[str, int]) -> None:
    """Give the demo people (whose sandbox ids are in `ids`, by username) their rows and roles."""
    now = services.clock.now()
    for person in (*PEOPLE, *REGULARS):
        if person.username not in ids:
            continue
        profile = TelegramProfile(ids[person.username], person.username, person.first_name, person.last_name,
                                  person.language_code)
        await services.members.member_for(profile)
    async with services.uow() as uow:
        for person in PEOPLE:
            if person.role is None or person.username not in ids:
                continue
            org_id = 0
            if person.org_slug is not None:
                organisation = await uow.organisations.get_by_slug(person.org_slug)
                assert organisation is not None, person.org_slug
                org_id = organisation.id
            await uow.roles.grant(RoleGrant(ids[person.username], person.role, org_id), granted_by=None, now=now)
        await uow.commit()


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


async def load_demo_portal(services: Services, ids: dict[str, int]) -> int:
    """Daily Hanja's and the home cooking creator's posts, and Jisoo's shelf when she is among `ids` (after the
    people and the offers); returns how many posts were added."""
    async with services.uow() as uow:
        hanja = await uow.organisations.get_by_slug("daily-hanja")
    assert hanja is not None
    return await load_demo_content(services.content, hanja_org_id=hanja.id, hanja_owner=ids["daily_hanja"],
                                   cooking_owner=ids["jipbap"], curator=ids.get("jisoo"))


async def load_demo_shop(services: Services, ids: dict[str, int], channel: Channel | None = None) -> Shop:
    """Cafe Onda's page, passes, followers (those of `ids` among its regulars) and channel, after the people and
    the offers."""
    async with services.uow() as uow:
        onda = await uow.organisations.get_by_slug("cafe-onda")
    assert onda is not None
    followers = [ids[name] for name in ONDA_FOLLOWERS if name in ids]
    return await load_cafe_onda(services.shops, org_id=onda.id, owner_id=ids["cafe_onda"], followers=followers,
                                channel=channel)


async def load_demo_rentals(services: Services, ids: dict[str, int] | None = None) -> int:
    """Homeline Rentals' products, plans, units in Seoul and Busan and a week of installation slots, and Clean
    Home's weekly cleaning (after the organisations); with the demo people's `ids`, the brands' technicians too.
    Returns how many products they list."""
    async with services.uow() as uow:
        homeline = await uow.organisations.get_by_slug("homeline")
        clean_home = await uow.organisations.get_by_slug("clean-home")
    assert homeline is not None and clean_home is not None
    listed = len(await load_homeline(services.rentals, brand_id=homeline.id))
    await load_clean_home(services.rentals, brand_id=clean_home.id)
    if ids is not None:
        await load_demo_technicians(services, ids)
    return listed + 1


async def load_demo_technicians(services: Services, ids: dict[str, int]) -> None:
    """Kim at Homeline and Park at Clean Home, each with the technician role at their brand."""
    now = services.clock.now()
    async with services.uow() as uow:
        for username, slug, name, region, capacity in TECHNICIANS:
            brand = await uow.organisations.get_by_slug(slug)
            if brand is None or username not in ids:
                continue
            technician = Technician(f"{slug}-{username}", brand.id, ids[username], name, region, capacity)
            await uow.rental_technicians.add(technician, now)
            await uow.roles.grant(RoleGrant(ids[username], Role.TECHNICIAN.value, brand.id), granted_by=None, now=now)
        await uow.commit()

"""A shop's page and its people: open a shop, edit it, staff by one-time links, link its channel, suspend its
broadcasts."""

from __future__ import annotations

from dataclasses import dataclass, replace

from subscriptions.accounts.access import Role
from subscriptions.accounts.records import RoleGrant
from subscriptions.shops import Shops
from subscriptions.shops.errors import (
    AlreadyStaff,
    ChannelNotUsable,
    NotYourShop,
    ShopNotFound,
    StaffLinkExpired,
    StaffLinkUsed,
)
from subscriptions.shops.events import StaffJoined
from subscriptions.shops.ports import ShopsUnitOfWork
from subscriptions.shops.shops import (
    ADDRESS_LIMIT,
    NAME_LIMIT,
    STAFF_LINK_LIFETIME,
    Channel,
    Shop,
    StaffInvite,
    check_category,
    clean_field,
    clean_phone,
    parse_hours,
)


@dataclass(frozen=True)
class NewShop:
    name: str
    category: str
    address: str
    hours: str
    phone: str
    photo_file_id: str | None = None


async def create_shop(shops: Shops, owner_id: int, new: NewShop, *, timezone: str | None = None) -> Shop:
    """A shop organisation with its owner as `shop_owner`, at once (anyone may open a shop)."""
    name = clean_field(new.name, NAME_LIMIT, field="name")
    shop_fields = dict(category=check_category(new.category),
                       address=clean_field(new.address, ADDRESS_LIMIT, field="address"),
                       hours=parse_hours(new.hours), phone=clean_phone(new.phone))
    now = shops.clock.now()
    async with shops.uow() as uow:
        organisation = await uow.organisations.add(slug=f"shop-{shops.ids.token(6).lower()}", name=name, kind="shop",
                                                   now=now)
        shop = Shop(org_id=organisation.id, name=name, owner_id=owner_id, timezone=timezone or shops.settings.timezone,
                    created_at=now, photo_file_id=new.photo_file_id, **shop_fields)  # type: ignore[arg-type]
        await uow.shops.add(shop)
        await uow.roles.grant(RoleGrant(owner_id, Role.SHOP_OWNER.value, organisation.id), granted_by=None, now=now)
        await uow.audit.record(actor_id=owner_id, action="shop.create", outcome="ok", org_id=organisation.id,
                               target=name, now=now)
        await uow.commit()
    return shop


async def load_shop(uow: ShopsUnitOfWork, org_id: int) -> Shop:
    shop = await uow.shops.get(org_id)
    if shop is None:
        raise ShopNotFound(str(org_id))
    return shop


async def owned_shop(uow: ShopsUnitOfWork, owner_id: int, org_id: int) -> Shop:
    """The shop, if `owner_id` is its owner."""
    shop = await load_shop(uow, org_id)
    if not await uow.roles.has(RoleGrant(owner_id, Role.SHOP_OWNER.value, org_id)):
        raise NotYourShop(str(org_id))
    return shop


async def staffed_shop(uow: ShopsUnitOfWork, user_id: int, org_id: int) -> Shop:
    """The shop, if `user_id` works there (its owner or staff)."""
    shop = await load_shop(uow, org_id)
    for role in (Role.SHOP_OWNER, Role.SHOP_STAFF):
        if await uow.roles.has(RoleGrant(user_id, role.value, org_id)):
            return shop
    raise NotYourShop(str(org_id))


async def shop_by_id(shops: Shops, org_id: int) -> Shop:
    async with shops.uow() as uow:
        return await load_shop(uow, org_id)


async def shops_of(shops: Shops, org_ids: list[int]) -> list[Shop]:
    async with shops.uow() as uow:
        found = await uow.shops.many(org_ids)
    return [found[org_id] for org_id in org_ids if org_id in found]


async def listed_shops(shops: Shops, *, limit: int = 10, offset: int = 0) -> list[Shop]:
    async with shops.uow() as uow:
        return await uow.shops.listed(limit=limit, offset=offset)


async def edit_shop(shops: Shops, owner_id: int, org_id: int, **changes: str | None) -> Shop:
    """A new name, address, hours, phone, category or photo (the owner's own shop)."""
    async with shops.uow() as uow:
        shop = await owned_shop(uow, owner_id, org_id)
        changed = _changed(shop, changes)
        if not await uow.shops.save(changed, expected_version=shop.version):
            raise ShopNotFound(str(org_id))
        await uow.commit()
    return changed


def _changed(shop: Shop, changes: dict[str, str | None]) -> Shop:
    value = {key: text for key, text in changes.items() if text is not None}
    return replace(
        shop,
        name=clean_field(value["name"], NAME_LIMIT, field="name") if "name" in value else shop.name,
        address=clean_field(value["address"], ADDRESS_LIMIT, field="address") if "address" in value else shop.address,
        hours=parse_hours(value["hours"]) if "hours" in value else shop.hours,
        phone=clean_phone(value["phone"]) if "phone" in value else shop.phone,
        category=check_category(value["category"]) if "category" in value else shop.category,
        photo_file_id=value.get("photo_file_id", shop.photo_file_id),
        version=shop.version + 1)


# --- staff -------------------------------------------------------------------------------------------------------

async def invite_staff(shops: Shops, owner_id: int, org_id: int) -> StaffInvite:
    """A one-time link (`staff_<code>`) that makes whoever opens it first staff, for 24 hours."""
    now = shops.clock.now()
    async with shops.uow() as uow:
        await owned_shop(uow, owner_id, org_id)
        invite = StaffInvite(shops.ids.token(12), org_id, owner_id, now + STAFF_LINK_LIFETIME)
        await uow.staff_invites.add(invite)
        await uow.audit.record(actor_id=owner_id, action="shop.staff_invite", outcome="ok", org_id=org_id,
                               now=now)
        await uow.commit()
    return invite


async def join_as_staff(shops: Shops, user_id: int, code: str) -> Shop:
    now = shops.clock.now()
    async with shops.uow() as uow:
        invite = await uow.staff_invites.get(code[:40])
        if invite is None:
            raise StaffLinkExpired(code[:12])
        if invite.used_by is not None:
            raise StaffLinkUsed(code[:12])
        if invite.expires_at <= now:
            raise StaffLinkExpired(code[:12])
        shop = await load_shop(uow, invite.org_id)
        for role in (Role.SHOP_OWNER, Role.SHOP_STAFF):
            if await uow.roles.has(RoleGrant(user_id, role.value, shop.org_id)):
                raise AlreadyStaff(str(shop.org_id))
        if not await uow.staff_invites.use(invite.code, user_id, now):
            raise StaffLinkUsed(code[:12])  # someone else opened it a moment ago
        await uow.roles.grant(RoleGrant(user_id, Role.SHOP_STAFF.value, shop.org_id), granted_by=invite.created_by,
                              now=now)
        await uow.audit.record(actor_id=user_id, action="shop.staff_join", outcome="ok", org_id=shop.org_id,
                               target=str(user_id), now=now)
        await uow.events.add([StaffJoined(shop.org_id, user_id, invite.created_by, now)])
        await uow.commit()
    return shop


async def staff_of(shops: Shops, owner_id: int, org_id: int) -> list[int]:
    async with shops.uow() as uow:
        await owned_shop(uow, owner_id, org_id)
        return await uow.roles.holders(Role.SHOP_STAFF.value, org_id)


async def counter_people(shops: Shops, org_id: int) -> list[int]:
    """Who works the counter: the owner and the staff."""
    async with shops.uow() as uow:
        owners = await uow.roles.holders(Role.SHOP_OWNER.value, org_id)
        staff = await uow.roles.holders(Role.SHOP_STAFF.value, org_id)
    return list(dict.fromkeys([*owners, *staff]))


async def remove_staff(shops: Shops, owner_id: int, org_id: int, staff_id: int) -> bool:
    now = shops.clock.now()
    async with shops.uow() as uow:
        await owned_shop(uow, owner_id, org_id)
        removed = await uow.roles.revoke(RoleGrant(staff_id, Role.SHOP_STAFF.value, org_id))
        if removed:
            await uow.audit.record(actor_id=owner_id, action="shop.staff_remove", outcome="ok", org_id=org_id,
                                   target=str(staff_id), now=now)
        await uow.commit()
    return removed


# --- the channel ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChannelCheck:
    """What Telegram said about the chat the owner chose (getChat and getChatMember)."""

    chat_id: int
    title: str
    username: str | None
    is_channel: bool
    bot_status: str  # "administrator", "member", "left", ...
    bot_can_post: bool
    owner_status: str


def channel_refusal(check: ChannelCheck) -> str | None:
    if not check.is_channel:
        return "not_channel"
    if check.bot_status != "administrator":
        return "bot_not_admin"
    if not check.bot_can_post:
        return "bot_cannot_post"
    if check.owner_status not in ("creator", "administrator"):
        return "owner_not_admin"
    return None


async def link_channel(shops: Shops, owner_id: int, org_id: int, check: ChannelCheck) -> Shop:
    """The shop's channel, when the bot may post there and the owner administers it."""
    reason = channel_refusal(check)
    if reason is not None:
        raise ChannelNotUsable(reason)
    now = shops.clock.now()
    async with shops.uow() as uow:
        shop = await owned_shop(uow, owner_id, org_id)
        changed = replace(shop, channel=Channel(check.chat_id, check.title, check.username), version=shop.version + 1)
        if not await uow.shops.save(changed, expected_version=shop.version):
            raise ShopNotFound(str(org_id))
        await uow.audit.record(actor_id=owner_id, action="shop.link_channel", outcome="ok", org_id=org_id,
                               target=str(check.chat_id), now=now)
        await uow.commit()
    return changed


async def set_broadcasts_suspended(shops: Shops, admin_id: int, org_id: int, suspended: bool) -> Shop:
    """A platform admin stops (or allows again) a shop's broadcasts; the caller checked the admin."""
    now = shops.clock.now()
    async with shops.uow() as uow:
        shop = await load_shop(uow, org_id)
        changed = replace(shop, broadcasts_suspended=suspended, version=shop.version + 1)
        if not await uow.shops.save(changed, expected_version=shop.version):
            raise ShopNotFound(str(org_id))
        await uow.audit.record(actor_id=admin_id, action="shop.suspend_broadcasts" if suspended
                               else "shop.restore_broadcasts", outcome="ok", org_id=org_id, now=now)
        await uow.commit()
    return changed


async def my_shops(shops: Shops, user_id: int, org_ids: list[int]) -> list[Shop]:
    """The shops among `org_ids` (the person's shop roles), in that order."""
    return await shops_of(shops, org_ids)

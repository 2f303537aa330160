"""Who may do what: roles, permissions and the one check every privileged handler goes through."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from subscriptions.accounts.records import RoleGrant, UserRecord
from subscriptions.flows import Flow

PLATFORM = 0  # the org_id of platform-wide roles


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    ISSUER_ADMIN = "issuer_admin"
    SHOP_OWNER = "shop_owner"
    SHOP_STAFF = "shop_staff"
    CREATOR = "creator"
    BRAND_MANAGER = "brand_manager"
    TECHNICIAN = "technician"  # a brand's field staff: visits, pickups and inspections


# Which organisation kinds each organisation role belongs to.
ROLE_ORG_KINDS: dict[Role, frozenset[str]] = {
    Role.ISSUER_ADMIN: frozenset({"issuer"}),
    Role.SHOP_OWNER: frozenset({"shop"}),
    Role.SHOP_STAFF: frozenset({"shop"}),
    Role.CREATOR: frozenset({"creator"}),
    Role.BRAND_MANAGER: frozenset({"brand"}),
    Role.TECHNICIAN: frozenset({"brand"}),
}


class Permission(StrEnum):
    ADMIN_MENU = "admin.menu"
    ADMIN_GRANT = "admin.grant"
    ADMIN_WHOIS = "admin.whois"
    ADMIN_AUDIT = "admin.audit"
    ADMIN_BROADCAST = "admin.broadcast"
    ADMIN_REFUNDS = "admin.refunds"  # refund any payment, with a reason
    ADMIN_USERS = "admin.users"  # the console's users: search, profiles, bans
    ADMIN_ORGS = "admin.orgs"  # the console's organisations: create, verify as issuers, suspend, restore
    ADMIN_STATS = "admin.stats"  # the console's charts and the daily digest
    ISSUE_CREDENTIAL = "wallet.issue"
    REVOKE_CREDENTIAL = "wallet.revoke"
    MANAGE_OFFERS = "offers.manage"
    VIEW_EARNINGS = "earnings.view"
    BROADCAST = "shop.broadcast"
    REDEEM_PASS = "shop.redeem"
    MANAGE_SHOP = "shop.manage"  # a shop's page, staff, passes, channel, dashboard
    MODERATE_SHOPS = "shop.moderate"  # suspending a shop's broadcasts
    MANAGE_RENTALS = "rentals.manage"
    WORK_VISITS = "rentals.visits"  # a technician's own visits, pickups and inspections
    MODERATE_CONTENT = "content.moderate"  # reports, take-downs, suspending creators
    PUBLISH = "content.publish"  # a creator's tiers and posts
    REFUND_CARD_PAYMENTS = "billing.refunds"  # see and mark done the card refunds a merchant must make


# Organisation-scoped permissions need the role in that organisation; platform ones need platform_admin.
POLICY: dict[Permission, frozenset[Role]] = {
    Permission.ADMIN_MENU: frozenset({Role.PLATFORM_ADMIN}),
    Permission.ADMIN_GRANT: frozenset({Role.PLATFORM_ADMIN}),
    Permission.ADMIN_WHOIS: frozenset({Role.PLATFORM_ADMIN}),
    Permission.ADMIN_AUDIT: frozenset({Role.PLATFORM_ADMIN}),
    Permission.ADMIN_BROADCAST: frozenset({Role.PLATFORM_ADMIN}),
    Permission.ADMIN_REFUNDS: frozenset({Role.PLATFORM_ADMIN}),
    Permission.ADMIN_USERS: frozenset({Role.PLATFORM_ADMIN}),
    Permission.ADMIN_ORGS: frozenset({Role.PLATFORM_ADMIN}),
    Permission.ADMIN_STATS: frozenset({Role.PLATFORM_ADMIN}),
    Permission.ISSUE_CREDENTIAL: frozenset({Role.ISSUER_ADMIN}),
    Permission.REVOKE_CREDENTIAL: frozenset({Role.ISSUER_ADMIN}),
    Permission.MANAGE_OFFERS: frozenset({Role.SHOP_OWNER, Role.CREATOR, Role.BRAND_MANAGER}),
    Permission.VIEW_EARNINGS: frozenset({Role.SHOP_OWNER, Role.CREATOR, Role.BRAND_MANAGER}),
    Permission.BROADCAST: frozenset({Role.SHOP_OWNER}),
    Permission.REDEEM_PASS: frozenset({Role.SHOP_OWNER, Role.SHOP_STAFF}),
    Permission.MANAGE_SHOP: frozenset({Role.SHOP_OWNER}),
    Permission.MODERATE_SHOPS: frozenset({Role.PLATFORM_ADMIN}),
    Permission.MANAGE_RENTALS: frozenset({Role.BRAND_MANAGER}),
    Permission.WORK_VISITS: frozenset({Role.TECHNICIAN, Role.BRAND_MANAGER}),
    Permission.MODERATE_CONTENT: frozenset({Role.PLATFORM_ADMIN}),
    Permission.PUBLISH: frozenset({Role.CREATOR}),
    Permission.REFUND_CARD_PAYMENTS: frozenset({Role.SHOP_OWNER, Role.CREATOR, Role.BRAND_MANAGER,
                                                Role.PLATFORM_ADMIN}),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    permission: Permission
    org_id: int | None


def decide(grants: Iterable[RoleGrant], permission: Permission, org_id: int | None = None) -> Decision:
    """Allowed when the user holds a role the policy names, in the organisation asked about.

    With org_id None, an organisation role in any organisation counts (for menus that then list the
    user's own organisations); each action on an organisation asks again with its id. A role in a suspended
    organisation grants nothing: this is where suspension takes effect, for every permission at once.
    """
    wanted = POLICY[permission]
    for grant in grants:
        if grant.role not in wanted or grant.suspended:
            continue
        if grant.role == Role.PLATFORM_ADMIN or org_id is None or grant.org_id == org_id:
            return Decision(True, permission, org_id)
    return Decision(False, permission, org_id)


def orgs_with(grants: Iterable[RoleGrant], permission: Permission) -> list[int]:
    """The organisations in which the user holds a role that grants `permission`."""
    wanted = POLICY[permission]
    return sorted({grant.org_id for grant in grants
                   if grant.role in wanted and grant.org_id != PLATFORM and not grant.suspended})


@dataclass(frozen=True)
class Member:
    """The user behind an update, with their roles and the flow they are in (if any): what every handler
    starts from, read in one statement."""

    user: UserRecord
    grants: tuple[RoleGrant, ...]
    open_flow: Flow | None = None

    @property
    def id(self) -> int:
        return self.user.id

    def may(self, permission: Permission, org_id: int | None = None) -> bool:
        return decide(self.grants, permission, org_id).allowed

    @property
    def is_platform_admin(self) -> bool:
        return any(grant.role == Role.PLATFORM_ADMIN for grant in self.grants)

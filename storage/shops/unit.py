"""Shops' part of the unit of work: the repositories `subscriptions.shops.ports.ShopsUnitOfWork` names.

Built on first use: most units of work never touch a shop.
"""

from __future__ import annotations

from storage.core.unit import UnitPart
from storage.shops.gift_cards import SqlGiftCards, SqlSpendRequests
from storage.shops.passes import SqlCounterCodes, SqlPasses, SqlRedemptions, SqlTransfers
from storage.shops.reports import SqlShopAudiences, SqlShopBroadcasts, SqlShopFigures
from storage.shops.repositories import SqlPassProducts, SqlShopFollows, SqlShops, SqlStaffInvites


class ShopsPart(UnitPart):
    @property
    def shops(self) -> SqlShops:
        return SqlShops(self.connection)

    @property
    def staff_invites(self) -> SqlStaffInvites:
        return SqlStaffInvites(self.connection)

    @property
    def shop_follows(self) -> SqlShopFollows:
        return SqlShopFollows(self.connection)

    @property
    def pass_products(self) -> SqlPassProducts:
        return SqlPassProducts(self.connection)

    @property
    def passes(self) -> SqlPasses:
        return SqlPasses(self.connection)

    @property
    def counter_codes(self) -> SqlCounterCodes:
        return SqlCounterCodes(self.connection)

    @property
    def redemptions(self) -> SqlRedemptions:
        return SqlRedemptions(self.connection)

    @property
    def transfers(self) -> SqlTransfers:
        return SqlTransfers(self.connection)

    @property
    def gift_cards(self) -> SqlGiftCards:
        return SqlGiftCards(self.connection)

    @property
    def spend_requests(self) -> SqlSpendRequests:
        return SqlSpendRequests(self.connection)

    @property
    def shop_broadcasts(self) -> SqlShopBroadcasts:
        return SqlShopBroadcasts(self.connection)

    @property
    def shop_audiences(self) -> SqlShopAudiences:
        return SqlShopAudiences(self.connection)

    @property
    def shop_figures(self) -> SqlShopFigures:
        return SqlShopFigures(self.connection)

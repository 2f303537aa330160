"""Content's part of the unit of work: the repositories `subscriptions.content.ports.ContentUnitOfWork` names.

Built on first use: most units of work (every chat update's) never touch content.
"""

from __future__ import annotations

from storage.content.channels import SqlChannelMembers
from storage.content.fanout import SqlFanout
from storage.content.moderation import SqlBlocks, SqlReports
from storage.content.portal import SqlPortal
from storage.content.repositories import SqlCreators, SqlFollows, SqlPosts, SqlTiers
from storage.content.shelves import SqlAttribution, SqlShelves
from storage.core.unit import UnitPart


class ContentPart(UnitPart):
    @property
    def creators(self) -> SqlCreators:
        return SqlCreators(self.connection)

    @property
    def tiers(self) -> SqlTiers:
        return SqlTiers(self.connection)

    @property
    def posts(self) -> SqlPosts:
        return SqlPosts(self.connection)

    @property
    def portal(self) -> SqlPortal:
        return SqlPortal(self.connection)

    @property
    def follows(self) -> SqlFollows:
        return SqlFollows(self.connection)

    @property
    def reports(self) -> SqlReports:
        return SqlReports(self.connection)

    @property
    def blocks(self) -> SqlBlocks:
        return SqlBlocks(self.connection)

    @property
    def channel_members(self) -> SqlChannelMembers:
        return SqlChannelMembers(self.connection)

    @property
    def shelves(self) -> SqlShelves:
        return SqlShelves(self.connection)

    @property
    def attribution(self) -> SqlAttribution:
        return SqlAttribution(self.connection)

    @property
    def fanouts(self) -> SqlFanout:
        return SqlFanout(self.connection)

"""Named refusals of accounts; handlers map each to a sentence in the user's language."""

from __future__ import annotations

from datetime import datetime

from subscriptions.errors import SubscriptionsError


class AccountsError(SubscriptionsError):
    """Base of the refusals below."""

    code = "accounts_error"


class UnknownUser(AccountsError):
    """No user with that id or @username has talked to the bot."""

    code = "unknown_user"


class UnknownOrganisation(AccountsError):
    """No organisation has that slug."""

    code = "unknown_organisation"


class UnknownRole(AccountsError):
    """Not one of the roles in `subscriptions.accounts.access.Role`."""

    code = "unknown_role"


class RoleNeedsOrganisation(AccountsError):
    """An organisation role was asked for without an organisation, or for one of another kind."""

    code = "role_needs_organisation"


class ActionGone(AccountsError):
    """The confirmation expired, was already used, or belongs to someone else."""

    code = "action_gone"


class PreferenceError(AccountsError):
    """A setting that cannot be stored."""

    code = "preference_error"


class UnknownTimezone(PreferenceError):
    """Not an IANA time zone name."""

    code = "unknown_timezone"


class UnknownQuietHours(PreferenceError):
    """Not one of the quiet-hours choices offered."""

    code = "unknown_quiet_hours"


class StaleUsername(AccountsError):
    """A @username last seen on an account long ago: it may have moved to someone else, so it is not acted on.
    `user_id`, `display_name` and `last_seen_at` say whose it was, for the one asking to choose by id."""

    code = "stale_username"

    def __init__(self, who: str, user_id: int, display_name: str, last_seen_at: datetime) -> None:
        super().__init__(who)
        self.who = who
        self.user_id = user_id
        self.display_name = display_name
        self.last_seen_at = last_seen_at


class CannotBanYourself(AccountsError):
    """An admin asked to ban their own account."""

    code = "cannot_ban_yourself"


class LastPlatformAdmin(AccountsError):
    """Banning this person would leave the platform with no platform admin who can act."""

    code = "last_platform_admin"


class OrganisationError(AccountsError):
    """An organisation that cannot be created as asked."""

    code = "organisation_error"


class UnknownOrganisationKind(OrganisationError):
    """Not one of the kinds of organisation the platform has."""

    code = "unknown_organisation_kind"


class MalformedSlug(OrganisationError):
    """A slug must be 3-40 lower-case letters, digits and dashes, starting with a letter."""

    code = "malformed_slug"


class MalformedOrganisationName(OrganisationError):
    """A name is 2-80 characters of printable text."""

    code = "malformed_organisation_name"


class SlugTaken(OrganisationError):
    """Another organisation has this slug."""

    code = "slug_taken"


class AuditQueryError(AccountsError):
    """An audit search line that cannot be read; `str(error)` is the part at fault."""

    code = "audit_query_error"


class UnknownAuditField(AuditQueryError):
    """A word of the search that is not `field:value` with a known field."""

    code = "unknown_audit_field"


class MalformedAuditDate(AuditQueryError):
    """A date that is not YYYY-MM-DD (or a range YYYY-MM-DD..YYYY-MM-DD), or no such day."""

    code = "malformed_audit_date"


class AuditDatesReversed(AuditQueryError):
    """The range ends before it starts."""

    code = "audit_dates_reversed"

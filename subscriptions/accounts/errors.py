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

"""The typed context every handler receives: the services, the member behind the update, their language."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

if TYPE_CHECKING:
    from bot.bootstrap import Services
    from bot.i18n import Translator
    from subscriptions.accounts.access import Member


# The translator of the update being handled. python-telegram-bot gives the error handler a context of its
# own, made after the failure; it runs in the same task as the handler, so it finds the person's language here.
SPEAKING: ContextVar[Translator | None] = ContextVar("jigap_speaking", default=None)


class JigapContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Set up per update by the member middleware (handlers.core.members) before any feature handler runs."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], chat_id: int | None = None,
                 user_id: int | None = None) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self._member: Member | None = None
        self._translator: Translator | None = None

    @property
    def services(self) -> Services:
        services = self.application.bot_data["services"]
        return services  # type: ignore[no-any-return]

    @property
    def member(self) -> Member:
        if self._member is None:
            raise LookupError("the member middleware has not run for this update")
        return self._member

    @property
    def has_member(self) -> bool:
        return self._member is not None

    @property
    def tr(self) -> Translator:
        if self._translator is None:
            return SPEAKING.get() or self.services.translations.get(self.services.translations.default)
        return self._translator

    def bind_member(self, member: Member, translator: Translator) -> None:
        self._member = member
        self._translator = translator
        SPEAKING.set(translator)

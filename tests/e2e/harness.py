"""The end-to-end harness: jigap running against a sandbox, and a client to act as its users."""

from __future__ import annotations

from dataclasses import dataclass

from bot.app import JigapApplication
from bot.bootstrap import Services
from sandbox.client import BotMessage, CallbackAnswer, SandboxClient, SandboxUser
from sandbox.server import SandboxServer
from subscriptions.accounts.roles import bootstrap_platform_admins

BOT_TOKEN = "7100000001:e2eTestTokenForJigapItself"


@dataclass
class Jigap:
    """jigap running against a sandbox, and a client to act as its users."""

    server: SandboxServer
    client: SandboxClient
    application: JigapApplication
    database_url: str

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services

    async def user(self, first_name: str, language_code: str = "ko", username: str | None = None) -> SandboxUser:
        return await self.client.user(first_name, language_code, username=username or first_name.lower())

    async def make_platform_admin(self, user: SandboxUser) -> None:
        await bootstrap_platform_admins(self.services.accounts, [user.id])

    async def forge_press(self, user: SandboxUser, message: BotMessage, callback_data: str) -> CallbackAnswer | None:
        """Send callback data that is not on the message's buttons, as a modified client can."""
        return await user.press(callback_data, message, forge=True)

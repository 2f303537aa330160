"""A local stand-in for Telegram's Bot API server.

Bots talk to :class:`sandbox.server.SandboxServer` exactly as to Telegram (``/bot<token>/<method>``);
people act as users through the web chat and tests through :class:`sandbox.client.SandboxClient`.
This package imports nothing from the rest of the project so it could ship on its own.
"""

from sandbox.client import BotMessage, CallbackAnswer, NoReply, PaymentResult, SandboxClient, SandboxUser
from sandbox.faults import FaultPlan
from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer

__all__ = ["BotMessage", "CallbackAnswer", "FaultPlan", "FloodLimits", "NoReply", "PaymentResult",
           "SandboxClient", "SandboxServer", "SandboxUser"]

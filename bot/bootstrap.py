"""The bootstrap: engine, migrations, keys and every service, built once from the configuration."""

from __future__ import annotations

import atexit
import dataclasses
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.alerts import Alerts
from bot.config import Config
from bot.delivery.service import DeliveryService
from bot.delivery.shop_broadcasts import ShopBroadcaster
from bot.events import DispatchSettings, EventDispatcher
from bot.gateways.contracts import ContractFontMissing, ContractFonts, ContractRenderer, HolderKeySigner
from bot.gateways.credit_bureau import HttpCreditBureau
from bot.gateways.telegram_payments import TelegramPayments
from bot.gateways.wallet_identity import WalletIdentity
from bot.i18n import Translations
from bot.inbox import UpdateInbox
from bot.master_keys import MasterKeyError, load_key_ring
from bot.metrics import Metrics
from handlers.core.charts import Charts
from handlers.core.posters import Posters
from handlers.core.qr import QrCodes
from handlers.core.routing import Routes
from handlers.rentals.plan_table import PlanTables
from storage.core.tables import key_check
from storage.engine import create_engine
from storage.envelope import Envelope, EnvelopeError, KeyRing
from storage.migrate import migrate
from storage.unit_of_work import UnitOfWorkFactory
from subscriptions.accounts import Accounts
from subscriptions.accounts.members import Members
from subscriptions.accounts.roles import bootstrap_platform_admins
from subscriptions.billing.payments import CardProvider, StarsProvider
from subscriptions.billing.services import Billing, BillingSettings
from subscriptions.billing.subscription import DunningPolicy
from subscriptions.clock import Clock, SystemClock
from subscriptions.content import Content, ContentSettings
from subscriptions.ids import TimeOrderedIds
from subscriptions.rentals import Rentals, RentalSettings
from subscriptions.rentals.credit import CreditBureau
from subscriptions.rentals.identity import IdentityPolicy
from subscriptions.shops import Shops, ShopSettings
from subscriptions.stats.service import Stats
from wallet.errors import PhotoTooLarge
from wallet.images.fonts import hangul_font_path
from wallet.images.qr import qr_png
from wallet.qr_reader import read_qr
from wallet.services import Wallet, issuers

log = logging.getLogger(__name__)
KEY_CHECK_PURPOSE = "key.check"
KEY_CHECK_TEXT = b"jigap"


@dataclass
class Services:
    """What handlers reach through `context.services`."""

    config: Config
    clock: Clock
    engine: AsyncEngine
    envelope: Envelope
    uow: UnitOfWorkFactory
    translations: Translations
    routes: Routes
    accounts: Accounts
    members: Members
    wallet: Wallet
    delivery: DeliveryService
    billing: Billing
    content: Content
    shops: Shops
    rentals: Rentals
    payments: TelegramPayments
    events: EventDispatcher
    inbox: UpdateInbox
    charts: Charts
    qr: QrCodes
    posters: Posters
    credit_bureau: HttpCreditBureau
    plan_tables: PlanTables
    contracts: ContractRenderer | None  # None on a machine without a font with Hangul
    contract_signer: HolderKeySigner
    wallet_identity: WalletIdentity  # a brand's request for the applicant's identity, and the keypads it needs
    metrics: Metrics  # this bot's own registry (bot.metrics), served at /metrics
    shop_broadcasts: ShopBroadcaster = dataclasses.field(init=False)
    alerts: Alerts = dataclasses.field(init=False)
    stats: Stats = dataclasses.field(init=False)  # the admin's charts, the daily digest, who was active when

    def __post_init__(self) -> None:
        self.shop_broadcasts = ShopBroadcaster(self)
        self.alerts = Alerts(self)
        self.stats = Stats(self.uow, self.clock, self.config.i18n.default_timezone)


async def check_key_ring(engine: AsyncEngine, envelope: Envelope) -> None:
    """Seal a probe on first start; on later starts make sure the key ring still opens it."""
    async with engine.begin() as connection:
        row = (await connection.execute(select(key_check.c.sealed_probe).where(key_check.c.id == 1))).first()
        if row is None:
            probe = envelope.seal(KEY_CHECK_TEXT, purpose=KEY_CHECK_PURPOSE)
            await connection.execute(key_check.insert().values(id=1, sealed_probe=probe))
            return
    try:
        envelope.open(row.sealed_probe, purpose=KEY_CHECK_PURPOSE)
    except EnvelopeError as error:
        raise MasterKeyError(f"the master key does not open the data in this database ({error})") from None


def ready_for_traffic(services: Services) -> None:
    """What a running bot does once it is up: load what its first replies would load (matplotlib for charts), then
    freeze everything start-up made (`freeze_startup_objects`)."""
    services.charts.warm_up()
    freeze_startup_objects()


def freeze_startup_objects() -> None:
    """Take what start-up built out of the garbage collector's sight, once the bot is running.

    Modules, the application, its handlers and caches live as long as the process, yet every full
    collection walks them again: with about 130,000 of them a full collection took some 70 ms, and a
    renewal sweep, whose batches keep thousands of rows alive for a transaction, set one off about every
    thousand renewals. Frozen (`gc.freeze`), they are skipped, and a full collection walks only what
    the bot made since.
    """
    gc.collect()
    gc.freeze()
    # At exit the frozen objects must be collectable again, or extension modules (zxing-cpp's nanobind)
    # report them as leaked.
    atexit.unregister(gc.unfreeze)
    atexit.register(gc.unfreeze)


def hangul_fonts() -> list[str]:
    """The wallet's font files with Hangul (regular, then bold), those the machine has."""
    return [path for path in dict.fromkeys((hangul_font_path(), hangul_font_path(bold=True))) if path]


def charts_with_hangul() -> Charts:
    """Charts in the font the wallet's cards use (regular and bold faces with Hangul), when the machine has one;
    otherwise matplotlib's own font, and Korean shows as boxes."""
    fonts = hangul_fonts()
    if not fonts:
        log.warning("no font with Hangul found (install fonts-nanum): Korean in charts will show as boxes")
    return Charts(fonts)


def read_qr_or_none(image: bytes) -> str | None:
    """A photo's QR text; None as well for a picture too large to decode (the wallet refuses those)."""
    try:
        return read_qr(image)
    except PhotoTooLarge:
        return None


def billing_settings(config: Config) -> BillingSettings:
    days = config.billing.dunning_days
    return BillingSettings(
        renewal_lead=timedelta(days=config.billing.renewal_notice_days),
        dunning=DunningPolicy(tuple(days), max(DunningPolicy().cancel_after_days, days[-1] if days else 0)),
    )


def billing_for(config: Config, units: UnitOfWorkFactory, clock: Clock) -> Billing:
    """Billing as the bot wires it: its units of work, the clock, time-ordered ids and both providers."""
    return Billing(uow=units, clock=clock, ids=TimeOrderedIds(),
                   providers={"card": CardProvider(), "stars": StarsProvider()}, settings=billing_settings(config))


def content_for(config: Config, units: UnitOfWorkFactory, clock: Clock, billing: Billing) -> Content:
    settings = ContentSettings(attribution_window=timedelta(days=config.content.attribution_days),
                               fanout_batch_size=config.content.fanout_batch_size)
    return Content(uow=units, clock=clock, ids=TimeOrderedIds(), billing=billing, settings=settings)


def shops_for(config: Config, units: UnitOfWorkFactory, clock: Clock, billing: Billing) -> Shops:
    settings = ShopSettings(broadcasts_per_day=config.shops.broadcasts_per_day,
                            approval_threshold=config.shops.approval_threshold,
                            timezone=config.i18n.default_timezone)
    return Shops(uow=units, clock=clock, ids=TimeOrderedIds(), billing=billing, settings=settings,
                 reader=units.reader)


def contract_renderer() -> ContractRenderer | None:
    """The contract printer, in the fonts the wallet's cards use; without a font with Hangul no contract can be
    printed (a rental's checkout says so and stops before signing)."""
    try:
        return ContractRenderer(ContractFonts.from_machine())
    except ContractFontMissing as missing:
        log.warning("rental contracts cannot be printed: %s", missing)
        return None


def rentals_for(config: Config, units: UnitOfWorkFactory, clock: Clock, bureau: CreditBureau) -> Rentals:
    """Rentals over the credit bureau; a brand relies on the identity cards of issuers the platform accredited
    for the card's type (the checkout passes on what the wallet's verification found)."""
    return Rentals(uow=units, clock=clock, ids=TimeOrderedIds(), bureau=bureau,
                   identity_policy=IdentityPolicy(frozenset(), trust_accredited=True),
                   settings=RentalSettings(timezone=config.i18n.default_timezone), reader=units.reader)


def dispatch_settings(config: Config) -> DispatchSettings:
    """Events are retried as outbox rows are: the delivery engine's attempts, lease and backoff."""
    delivery = config.delivery
    return DispatchSettings(batch_size=delivery.batch_size, max_attempts=delivery.max_attempts,
                            lease=timedelta(seconds=delivery.lease_seconds),
                            backoff_max=float(delivery.backoff_max_seconds))


@asynccontextmanager
async def open_runtime(
    config: Config,
    *,
    ring: KeyRing | None = None,
    create_key: bool = False,
    clock: Clock | None = None,
) -> AsyncIterator[Services]:
    """Connect, migrate if configured, load keys and build the services; dispose of the engine on exit."""
    if ring is None:
        ring, source = load_key_ring(Path(config.wallet.master_key_file), create=create_key)
        log.info("master key ring from %s (active key %s)", source, ring.active)
    engine = create_engine(config.database.url, busy_timeout=config.database.busy_timeout,
                           pool_size=config.database.pool_size)
    try:
        envelope = Envelope(ring)
        if config.database.migrate_on_start:
            await migrate(engine, envelope)
        await check_key_ring(engine, envelope)
        clock = clock or SystemClock()
        uow = UnitOfWorkFactory(engine, envelope, now=clock.now)
        translations = Translations(config.i18n.languages, default=config.bot.default_language)
        metrics = Metrics(lambda: services.delivery.pump.stats if services.delivery.pump is not None else None)
        services = Services(
            config=config,
            clock=clock,
            engine=engine,
            envelope=envelope,
            uow=uow,
            translations=translations,
            routes=(routes := Routes()),
            accounts=(accounts := Accounts(uow, clock, TimeOrderedIds(), config.i18n.default_timezone,
                                           config.i18n.quiet_start, config.i18n.quiet_end)),
            # Noting who a member is happens beside a handler's effect, so it does not count as handling.
            members=Members(dataclasses.replace(accounts, uow=uow.bookkeeping())),
            wallet=(wallet := Wallet.create(uow, clock, config.wallet_settings(), reader=uow.one_read)),
            delivery=DeliveryService(config, engine, uow, clock, translations, observe_call=metrics.bot_api_call),
            billing=(billing := billing_for(config, uow, clock)),
            content=content_for(config, uow, clock, billing),
            shops=shops_for(config, uow, clock, billing),
            rentals=rentals_for(config, uow, clock, (bureau := HttpCreditBureau(
                config.rentals.bureau_url, timeout=config.rentals.bureau_timeout_seconds))),
            payments=TelegramPayments.from_config(config),
            events=EventDispatcher(uow.background(), clock, routes.events, dispatch_settings(config),
                                   on_queued=lambda: services.delivery.wake()),
            inbox=UpdateInbox(uow, clock, lease=timedelta(seconds=config.bot.inbox_lease_seconds),
                              single_process=engine.dialect.name == "sqlite"),
            charts=charts_with_hangul(),
            qr=QrCodes(draw=qr_png, read=read_qr_or_none),
            posters=Posters(hangul_fonts()),
            credit_bureau=bureau,
            plan_tables=PlanTables(hangul_fonts()),
            contracts=contract_renderer(),
            contract_signer=HolderKeySigner(wallet),
            wallet_identity=WalletIdentity(wallet),
            metrics=metrics,
        )
        await bootstrap_platform_admins(services.accounts, config.admin.platform_admins)
        await issuers.follow_public_url(services.wallet)  # the web port or public URL may have changed
        try:
            yield services
        finally:
            await services.inbox.stop()
            await services.stats.active_noted()
            await services.events.stop()
            await services.delivery.stop()
            await services.credit_bureau.close()
    finally:
        await engine.dispose()

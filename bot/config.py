"""Configuration: documented defaults in config.toml, overridden by JIGAP_<SECTION>__<KEY> variables.

Every key is typed and checked at start-up. A mistake stops the process with one line that names the
key and where it came from (exit code 2), never a traceback. Secrets are never read from the file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_CONFIG_FILE = Path("config.toml")
ENV_PREFIX = "JIGAP_"
SECRET_KEYS = {("bot", "token"), ("wallet", "master_key")}


class ConfigError(Exception):
    """A configuration value is missing, unknown, of the wrong type or out of range."""


@dataclass(frozen=True)
class BotConfig:
    api_url: str = "https://api.telegram.org/bot"
    file_url: str = "https://api.telegram.org/file/bot"
    token_file: str = ""
    concurrent_updates: int = 64
    poll_timeout: int = 10
    web_host: str = "127.0.0.1"
    web_port: int = 8081
    default_language: str = "ko"
    username: str = ""
    inbox_lease_seconds: int = 60
    user_burst: int = 100
    user_per_minute: int = 120
    # Never read from the file: filled from JIGAP_BOT__TOKEN or token_file.
    token: str = field(default="", repr=False)


@dataclass(frozen=True)
class DatabaseConfig:
    url: str = "sqlite+aiosqlite:///var/jigap.db"
    busy_timeout: int = 5
    pool_size: int = 10
    migrate_on_start: bool = True


@dataclass(frozen=True)
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    bot_username: str = "jigap_bot"
    demo_data: bool = True


@dataclass(frozen=True)
class WalletConfig:
    master_key_file: str = "var/master.key"
    signing_alg: str = "EdDSA"
    qr_lifetime: int = 30
    qr_session: int = 180
    pin_max_attempts: int = 5
    pin_lock_seconds: int = 900
    offer_lifetime: int = 86400
    leeway: int = 60
    # Where verifiers reach the bot's web server; empty: the bot's own web server ([bot] web_host:web_port).
    public_url: str = ""
    pin_time_cost: int = 3
    pin_memory_kib: int = 65536


@dataclass(frozen=True)
class BillingConfig:
    renewal_notice_days: int = 3
    dunning_days: list[int] = field(default_factory=lambda: [1, 3, 7])
    provider_token_env: str = "JIGAP_PAYMENTS__PROVIDER_TOKEN"
    pre_checkout_timeout: int = 8
    stars_reconcile_seconds: int = 3600
    stars_reconcile_first_seconds: int = 30
    stars_reconcile_days: int = 30


@dataclass(frozen=True)
class ContentConfig:
    attribution_days: int = 7
    fanout_batch_size: int = 10000


@dataclass(frozen=True)
class ShopsConfig:
    broadcasts_per_day: int = 3
    approval_threshold: int = 1000


@dataclass(frozen=True)
class RentalsConfig:
    # The credit bureau's API (POST <bureau_url>/inquiries); empty: `jigap sandbox` uses the sandbox's bureau.
    bureau_url: str = ""
    bureau_timeout_seconds: int = 5


@dataclass(frozen=True)
class SchedulerConfig:
    tick_seconds: int = 5
    batch_size: int = 1000
    stale_after_hours: int = 48
    sweep_seconds: int = 60


@dataclass(frozen=True)
class DeliveryConfig:
    bot_rate: int = 30
    chat_rate: int = 1
    chat_burst: int = 3
    group_per_minute: int = 20
    batch_size: int = 100
    max_attempts: int = 8
    progress_interval: int = 3
    bot_burst: int = 1
    lease_seconds: int = 30
    send_timeout: int = 10
    backoff_first_ms: int = 1000
    backoff_max_seconds: int = 300
    connections: int = 64
    leader_check_seconds: int = 2
    sender_process: bool = False
    outbox_retention_days: int = 30
    reminder_retention_days: int = 30
    event_retention_days: int = 30
    inbox_retention_days: int = 2
    cleanup_interval_seconds: int = 3600
    cleanup_batch_size: int = 1000


@dataclass(frozen=True)
class I18nConfig:
    languages: list[str] = field(default_factory=lambda: ["ko", "en"])
    default_timezone: str = "Asia/Seoul"
    quiet_start: str = "22:00"
    quiet_end: str = "08:00"


@dataclass(frozen=True)
class AdminConfig:
    platform_admins: list[int] = field(default_factory=list)
    alert_lag_minutes: int = 10
    alert_429_minutes: int = 5
    alert_every_minutes: int = 30


LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class LoggingConfig:
    format: str = "text"


@dataclass(frozen=True)
class StatsConfig:
    rollup_seconds: int = 300
    digest_hour: int = 9


@dataclass(frozen=True)
class Config:
    bot: BotConfig = field(default_factory=BotConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)
    wallet: WalletConfig = field(default_factory=WalletConfig)
    billing: BillingConfig = field(default_factory=BillingConfig)
    content: ContentConfig = field(default_factory=ContentConfig)
    shops: ShopsConfig = field(default_factory=ShopsConfig)
    rentals: RentalsConfig = field(default_factory=RentalsConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    i18n: I18nConfig = field(default_factory=I18nConfig)
    admin: AdminConfig = field(default_factory=AdminConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    stats: StatsConfig = field(default_factory=StatsConfig)
    source: str = "defaults"

    def replace(self, **sections: Any) -> Config:
        return dataclasses.replace(self, **sections)

    @property
    def public_url(self) -> str:
        """Where verifiers reach the issuers' keys and status lists: [wallet] public_url when it is set,
        otherwise the bot's own web server, so a changed web_port moves the issuers' URLs with it."""
        if self.wallet.public_url:
            return self.wallet.public_url.rstrip("/")
        host = self.bot.web_host
        if host in ("0.0.0.0", "::", ""):  # listening everywhere: this machine answers on its loopback
            host = "127.0.0.1"
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.bot.web_port}"

    def with_default_bureau(self, bureau_url: str) -> Config:
        """This configuration with [rentals] bureau_url set to `bureau_url` where the file left it empty
        (`jigap sandbox` passes its own bureau)."""
        if self.rentals.bureau_url:
            return self
        return self.replace(rentals=dataclasses.replace(self.rentals, bureau_url=bureau_url))

    def wallet_settings(self) -> WalletConfig:
        """[wallet] with the public URL it follows filled in, for the wallet's services."""
        return dataclasses.replace(self.wallet, public_url=self.public_url)


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the file (config.toml by default, if present), apply environment overrides, check every value."""
    environ = os.environ if environ is None else environ
    file_path = path if path is not None else DEFAULT_CONFIG_FILE
    raw: dict[str, Any] = {}
    source = str(file_path)
    if file_path.exists():
        raw = _read_toml(file_path)
    elif path is not None:
        raise ConfigError(f"{file_path}: no such configuration file")
    else:
        source = "defaults"
    _refuse_secrets_in_file(raw, source)
    sections: dict[str, Any] = {}
    for section_field in dataclasses.fields(Config):
        if section_field.name == "source":
            continue
        section_type = _section_type(section_field.name)
        values = raw.pop(section_field.name, {})
        if not isinstance(values, dict):
            raise ConfigError(f"{source}: [{section_field.name}] must be a table")
        sections[section_field.name] = _build_section(section_field.name, section_type, values, source)
    if raw:
        unknown = sorted(raw)[0]
        raise ConfigError(f"{source}: unknown section [{unknown}]")
    config = Config(**sections, source=source)
    config = _apply_environment(config, environ)
    _check_values(config)
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from error


def _refuse_secrets_in_file(raw: Mapping[str, Any], source: str) -> None:
    for section, key in SECRET_KEYS:
        table = raw.get(section)
        if isinstance(table, dict) and key in table:
            env = f"{ENV_PREFIX}{section.upper()}__{key.upper()}"
            raise ConfigError(
                f"{source}: [{section}] {key} must not be written in a configuration file, where it would be "
                f"copied, committed and logged; set {env} in the environment or use a key file instead"
            )


def _section_type(name: str) -> type[Any]:
    hints = typing.get_type_hints(Config)
    section_type = hints[name]
    assert isinstance(section_type, type)
    return section_type


def _build_section(name: str, section_type: type[Any], values: dict[str, Any], source: str) -> Any:
    hints = typing.get_type_hints(section_type)
    known = {f.name for f in dataclasses.fields(section_type) if (name, f.name) not in SECRET_KEYS}
    checked: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{source}: unknown key {name}.{key}")
        checked[key] = _check_type(f"{name}.{key}", hints[key], value, source)
    return section_type(**checked)


def _check_type(key: str, expected: Any, value: Any, source: str) -> Any:
    origin = typing.get_origin(expected)
    if origin is list:
        (item_type,) = typing.get_args(expected)
        if not isinstance(value, list):
            raise ConfigError(f"{source}: {key} must be a list, got {value!r}")
        return [_check_type(key, item_type, item, source) for item in value]
    if origin in (types.UnionType, typing.Union):
        raise ConfigError(f"{source}: {key} has an unsupported type")
    if expected is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{source}: {key} must be true or false, got {value!r}")
        return value
    if expected is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{source}: {key} must be a whole number, got {value!r}")
        return value
    if expected is str:
        if not isinstance(value, str):
            raise ConfigError(f"{source}: {key} must be a string, got {value!r}")
        return value
    raise ConfigError(f"{source}: {key} has an unsupported type")


def _apply_environment(config: Config, environ: Mapping[str, str]) -> Config:
    updated = config
    for name, text in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].partition("__")
        section, key = section.lower(), key.lower()
        if section in ("payments",):
            continue  # read where needed (provider tokens), never part of Config
        if not hasattr(updated, section) or section == "source":
            raise ConfigError(f"environment: {name} names an unknown section [{section}]")
        section_value = getattr(updated, section)
        hints = typing.get_type_hints(type(section_value))
        if key not in hints:
            raise ConfigError(f"environment: {name} names an unknown key {section}.{key}")
        value = _parse_env_value(name, hints[key], text)
        checked = _check_type(f"{section}.{key}", hints[key], value, f"environment {name}")
        updated = dataclasses.replace(
            updated, **{section: dataclasses.replace(section_value, **{key: checked})}
        )
    return updated


def _parse_env_value(name: str, expected: Any, text: str) -> Any:
    if expected is str:
        return text
    if expected is bool:
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"environment: {name} must be true or false, got {text!r}")
    if expected is int:
        try:
            return int(text)
        except ValueError:
            raise ConfigError(f"environment: {name} must be a whole number, got {text!r}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise ConfigError(f"environment: {name} must be a JSON list, got {text!r}") from None


def _check_values(config: Config) -> None:
    src = config.source
    positive = {
        "bot.concurrent_updates": config.bot.concurrent_updates,
        "database.busy_timeout": config.database.busy_timeout,
        "database.pool_size": config.database.pool_size,
        "wallet.qr_lifetime": config.wallet.qr_lifetime,
        "wallet.qr_session": config.wallet.qr_session,
        "wallet.pin_max_attempts": config.wallet.pin_max_attempts,
        "wallet.pin_time_cost": config.wallet.pin_time_cost,
        "wallet.pin_memory_kib": config.wallet.pin_memory_kib,
        "scheduler.tick_seconds": config.scheduler.tick_seconds,
        "scheduler.batch_size": config.scheduler.batch_size,
        "delivery.bot_rate": config.delivery.bot_rate,
        "delivery.chat_rate": config.delivery.chat_rate,
        "delivery.batch_size": config.delivery.batch_size,
        "delivery.max_attempts": config.delivery.max_attempts,
        "delivery.progress_interval": config.delivery.progress_interval,
        "delivery.bot_burst": config.delivery.bot_burst,
        "delivery.chat_burst": config.delivery.chat_burst,
        "delivery.group_per_minute": config.delivery.group_per_minute,
        "delivery.lease_seconds": config.delivery.lease_seconds,
        "delivery.send_timeout": config.delivery.send_timeout,
        "delivery.backoff_first_ms": config.delivery.backoff_first_ms,
        "delivery.backoff_max_seconds": config.delivery.backoff_max_seconds,
        "delivery.connections": config.delivery.connections,
        "delivery.leader_check_seconds": config.delivery.leader_check_seconds,
        "scheduler.sweep_seconds": config.scheduler.sweep_seconds,
        "delivery.outbox_retention_days": config.delivery.outbox_retention_days,
        "delivery.reminder_retention_days": config.delivery.reminder_retention_days,
        "delivery.event_retention_days": config.delivery.event_retention_days,
        "delivery.inbox_retention_days": config.delivery.inbox_retention_days,
        "bot.inbox_lease_seconds": config.bot.inbox_lease_seconds,
        "bot.user_burst": config.bot.user_burst,
        "billing.stars_reconcile_seconds": config.billing.stars_reconcile_seconds,
        "billing.stars_reconcile_first_seconds": config.billing.stars_reconcile_first_seconds,
        "billing.stars_reconcile_days": config.billing.stars_reconcile_days,
        "bot.user_per_minute": config.bot.user_per_minute,
        "delivery.cleanup_interval_seconds": config.delivery.cleanup_interval_seconds,
        "delivery.cleanup_batch_size": config.delivery.cleanup_batch_size,
        "admin.alert_lag_minutes": config.admin.alert_lag_minutes,
        "admin.alert_429_minutes": config.admin.alert_429_minutes,
        "admin.alert_every_minutes": config.admin.alert_every_minutes,
    }
    for key, value in positive.items():
        if value < 1:
            raise ConfigError(f"{src}: {key} must be at least 1, got {value}")
    for key, port in (("bot.web_port", config.bot.web_port), ("sandbox.port", config.sandbox.port)):
        if not 0 <= port <= 65535:
            raise ConfigError(f"{src}: {key} must be a port number (0-65535), got {port}")
    url = config.database.url
    if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ConfigError(
            f"{src}: database.url must start with sqlite+aiosqlite:// or postgresql+asyncpg://, got {url!r}"
        )
    if config.wallet.public_url and not config.wallet.public_url.startswith(("http://", "https://")):
        raise ConfigError(f"{src}: wallet.public_url must start with http:// or https://, got "
                          f"{config.wallet.public_url!r} (leave it empty to follow bot.web_port)")
    if config.wallet.signing_alg not in ("EdDSA", "ES256"):
        raise ConfigError(f"{src}: wallet.signing_alg must be EdDSA or ES256, got {config.wallet.signing_alg!r}")
    for language in config.i18n.languages:
        if language not in ("ko", "en"):
            raise ConfigError(f"{src}: i18n.languages has {language!r}; catalogs exist for ko and en")
    if config.bot.default_language not in config.i18n.languages:
        raise ConfigError(f"{src}: bot.default_language must be one of i18n.languages")
    try:
        ZoneInfo(config.i18n.default_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{src}: i18n.default_timezone {config.i18n.default_timezone!r} is not a time zone") from None
    for key, text in (("i18n.quiet_start", config.i18n.quiet_start), ("i18n.quiet_end", config.i18n.quiet_end)):
        if not _is_clock_time(text):
            raise ConfigError(f"{src}: {key} must be a time like 22:00, got {text!r}")
    if any(day < 1 for day in config.billing.dunning_days) or config.billing.dunning_days != sorted(
        set(config.billing.dunning_days)
    ):
        raise ConfigError(f"{src}: billing.dunning_days must be increasing whole days, got {config.billing.dunning_days}")
    if config.delivery.reminder_retention_days * 24 <= config.scheduler.stale_after_hours:
        # A reminder row is what stops a second send; once it is gone, only staleness does (bot.delivery.retention).
        raise ConfigError(f"{src}: delivery.reminder_retention_days must be longer than scheduler.stale_after_hours")
    if config.rentals.bureau_url and not config.rentals.bureau_url.startswith(("http://", "https://")):
        raise ConfigError(f"{src}: rentals.bureau_url must start with http:// or https://, got "
                          f"{config.rentals.bureau_url!r} (leave it empty for the sandbox's bureau)")
    if not 1 <= config.rentals.bureau_timeout_seconds <= 60:
        raise ConfigError(f"{src}: rentals.bureau_timeout_seconds must be 1-60 seconds, got "
                          f"{config.rentals.bureau_timeout_seconds}")
    if config.logging.format not in LOG_FORMATS:
        raise ConfigError(f"{src}: logging.format must be text or json, got {config.logging.format!r}")
    if not 1 <= config.billing.pre_checkout_timeout < 10:
        raise ConfigError(f"{src}: billing.pre_checkout_timeout must be 1-9 seconds (Telegram waits 10)")


def _is_clock_time(text: str) -> bool:
    hours, sep, minutes = text.partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit()) or len(minutes) != 2:
        return False
    return 0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59


def read_bot_token(config: Config, environ: Mapping[str, str] | None = None) -> str:
    """The bot token from JIGAP_BOT__TOKEN or the token file; empty when neither is set."""
    environ = os.environ if environ is None else environ
    token = environ.get(f"{ENV_PREFIX}BOT__TOKEN", "").strip()
    if token:
        return token
    if config.bot.token_file:
        path = Path(config.bot.token_file)
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(f"{config.source}: bot.token_file {path} cannot be read ({error.strerror})") from None
    return ""

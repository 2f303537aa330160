"""Configuration: defaults, environment overrides, and one clear line for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, read_bot_token

PROJECT = Path(__file__).resolve().parents[2]


def test_the_shipped_file_matches_the_built_in_defaults() -> None:
    from_file = load_config(PROJECT / "config.toml", environ={})
    assert from_file.database.url == "sqlite+aiosqlite:///var/jigap.db"
    assert from_file.delivery.bot_rate == 30 and from_file.billing.dunning_days == [1, 3, 7]
    assert from_file.i18n.default_timezone == "Asia/Seoul"


def test_environment_overrides_any_key(tmp_path: Path) -> None:
    env = {
        "JIGAP_DATABASE__URL": "postgresql+asyncpg://jigap@db/jigap",
        "JIGAP_DELIVERY__BOT_RATE": "25",
        "JIGAP_DATABASE__MIGRATE_ON_START": "false",
        "JIGAP_ADMIN__PLATFORM_ADMINS": "[11, 12]",
    }
    config = load_config(PROJECT / "config.toml", environ=env)
    assert config.database.url == "postgresql+asyncpg://jigap@db/jigap"
    assert config.delivery.bot_rate == 25
    assert config.database.migrate_on_start is False
    assert config.admin.platform_admins == [11, 12]


@pytest.mark.parametrize(
    ("toml", "env", "expected"),
    [
        ("[database]\nurll = 'x'\n", {}, "unknown key database.urll"),
        ("[databse]\n", {}, "unknown section [databse]"),
        ("[delivery]\nbot_rate = 'fast'\n", {}, "delivery.bot_rate must be a whole number"),
        ("[delivery]\nbot_rate = 0\n", {}, "delivery.bot_rate must be at least 1"),
        ("[database]\nurl = 'mysql://x'\n", {}, "database.url must start with"),
        ("[i18n]\ndefault_timezone = 'Mars/Olympus'\n", {}, "is not a time zone"),
        ("", {"JIGAP_DELIVERY__BOT_RATE": "many"}, "JIGAP_DELIVERY__BOT_RATE must be a whole number"),
        ("", {"JIGAP_NOPE__KEY": "1"}, "JIGAP_NOPE__KEY names an unknown section"),
        ("this is not toml", {}, "not valid TOML"),
    ],
)
def test_a_mistake_names_the_key_and_the_file(tmp_path: Path, toml: str, env: dict[str, str], expected: str) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=env)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message
    assert str(path) in message or "environment" in message


def test_a_token_in_the_config_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[bot]\ntoken = '123:abc'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="JIGAP_BOT__TOKEN"):
        load_config(path, environ={})


def test_the_token_comes_from_the_environment_or_a_token_file(tmp_path: Path) -> None:
    config = load_config(PROJECT / "config.toml", environ={})
    assert read_bot_token(config, environ={}) == ""
    assert read_bot_token(config, environ={"JIGAP_BOT__TOKEN": " 1:x "}) == "1:x"
    token_file = tmp_path / "token"
    token_file.write_text("2:y\n", encoding="utf-8")
    with_file = load_config(PROJECT / "config.toml", environ={"JIGAP_BOT__TOKEN_FILE": str(token_file)})
    assert read_bot_token(with_file, environ={}) == "2:y"


def test_the_issuers_address_follows_the_web_port_unless_public_url_is_set(tmp_path: Path) -> None:
    assert load_config(environ={}).public_url == "http://127.0.0.1:8081"
    moved = load_config(environ={"JIGAP_BOT__WEB_PORT": "9090"})
    assert moved.public_url == "http://127.0.0.1:9090" and moved.wallet_settings().public_url == moved.public_url
    everywhere = load_config(environ={"JIGAP_BOT__WEB_HOST": "0.0.0.0", "JIGAP_BOT__WEB_PORT": "9091"})
    assert everywhere.public_url == "http://127.0.0.1:9091"
    fixed = load_config(environ={"JIGAP_BOT__WEB_PORT": "9090", "JIGAP_WALLET__PUBLIC_URL": "https://id.example/"})
    assert fixed.public_url == "https://id.example"
    with pytest.raises(ConfigError, match="wallet.public_url must start with http"):
        load_config(environ={"JIGAP_WALLET__PUBLIC_URL": "id.example"})

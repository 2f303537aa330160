"""The jigap command as an operator meets it: help, migrate, keys, and run without a token.

Each case calls the command's `main` in this process, with the environment and working folder it would
have; one smoke test starts the real command line in a subprocess, to prove the entry point itself."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from storage.migrate import head_revision

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(autouse=True)
def logging_as_it_was() -> Iterator[None]:
    """The command configures the root logger for its process; give the test runner's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def jigap(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Finished:
    """`jigap ARGS` in `cwd` with no JIGAP_ settings but `env`, as an operator's shell would run it."""
    assert Path.cwd() == cwd
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({key: value for key, value in saved.items() if not key.startswith("JIGAP_")} | (env or {}))
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as stopped:  # argparse's --help and usage errors
                code = int(stopped.code or 0)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return Finished(code, out.getvalue(), err.getvalue())


def test_the_installed_command_line_starts_prints_its_version_and_exits_0(in_tmp_cwd: Path) -> None:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("JIGAP_")}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "version"], cwd=in_tmp_cwd,
                          env={**clean, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("jigap ") and done.stderr == ""


def test_help_lists_every_command_and_the_exit_codes(in_tmp_cwd: Path) -> None:
    result = jigap("--help", cwd=in_tmp_cwd)
    assert result.returncode == 0
    for command in ("run", "sandbox", "migrate", "keys", "version"):
        assert command in result.stdout
    assert "0 ok, 1 failure, 2 usage or configuration error" in result.stdout
    for command in ("run", "sandbox", "migrate", "keys", "version"):
        assert jigap(command, "--help", cwd=in_tmp_cwd).returncode == 0


def test_no_command_prints_help_and_exits_2(in_tmp_cwd: Path) -> None:
    result = jigap(cwd=in_tmp_cwd)
    assert result.returncode == 2 and "usage: jigap" in result.stdout


def test_migrate_creates_a_new_sqlite_file_and_is_idempotent(in_tmp_cwd: Path) -> None:
    database = in_tmp_cwd / "data" / "fresh.db"
    env = {"JIGAP_DATABASE__URL": f"sqlite+aiosqlite:///{database}"}
    first = jigap("migrate", cwd=in_tmp_cwd, env=env)
    assert first.returncode == 0, first.stderr
    assert f"migrated database from empty to revision {head_revision()}" in first.stdout
    second = jigap("migrate", cwd=in_tmp_cwd, env=env)
    assert second.returncode == 0 and "up to date" in second.stdout
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
    assert {"users", "roles", "audit_log", "organisations", "alembic_version"} <= tables
    assert journal == "wal"


def test_run_without_a_token_names_the_variable_and_points_to_the_sandbox(in_tmp_cwd: Path) -> None:
    result = jigap("run", cwd=in_tmp_cwd)
    assert result.returncode == 2
    assert "JIGAP_BOT__TOKEN" in result.stderr and "jigap sandbox" in result.stderr


def test_a_bad_configuration_stops_with_one_line_and_exit_2(in_tmp_cwd: Path) -> None:
    (in_tmp_cwd / "config.toml").write_text("[delivery]\nbot_rate = 'lots'\n", encoding="utf-8")
    result = jigap("migrate", cwd=in_tmp_cwd)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "delivery.bot_rate" in result.stderr and "config.toml" in result.stderr


def test_a_token_in_the_config_file_is_refused(in_tmp_cwd: Path) -> None:
    (in_tmp_cwd / "config.toml").write_text("[bot]\ntoken = '123:secret'\n", encoding="utf-8")
    result = jigap("run", cwd=in_tmp_cwd)
    assert result.returncode == 2 and "must not be written in a configuration file" in result.stderr
    assert "123:secret" not in result.stderr


@pytest.mark.parametrize("command", [["version"]])
def test_version_prints_the_package_version(in_tmp_cwd: Path, command: list[str]) -> None:
    result = jigap(*command, cwd=in_tmp_cwd)
    assert result.returncode == 0 and result.stdout.startswith("jigap ")


def test_keys_init_makes_an_owner_only_file_and_rotate_reencrypts(in_tmp_cwd: Path) -> None:
    env = {"JIGAP_DATABASE__URL": f"sqlite+aiosqlite:///{in_tmp_cwd / 'k.db'}"}
    created = jigap("keys", "init", cwd=in_tmp_cwd, env=env)
    assert created.returncode == 0, created.stderr
    key_file = in_tmp_cwd / "var" / "master.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    status = jigap("keys", "status", cwd=in_tmp_cwd, env=env)
    assert status.returncode == 0 and "(active)" in status.stdout
    rotated = jigap("keys", "rotate", cwd=in_tmp_cwd, env=env)
    assert rotated.returncode == 0, rotated.stderr
    assert "new active key" in rotated.stdout and "re-encrypted" in rotated.stdout
    key_file.chmod(0o644)
    loose = jigap("keys", "status", cwd=in_tmp_cwd, env=env)
    assert loose.returncode == 2 and "chmod 600" in loose.stderr

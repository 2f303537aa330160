"""Where the master key ring comes from: JIGAP_MASTER_KEY, or a key file (mode 0600), never config.toml.

JIGAP_MASTER_KEY holds one base64 key, or several as `kid=base64,kid=base64` with the active one first.
The key file is JSON: {"active": kid, "keys": {kid: base64}}.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from storage.envelope import KEY_BYTES, EnvelopeError, KeyRing, key_id_for, new_master_key

ENV_NAME = "JIGAP_MASTER_KEY"


class MasterKeyError(Exception):
    """The master key is missing, malformed, or its file is readable by others."""


def _decode(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise MasterKeyError(f"{where}: the master key is not base64") from None
    if len(key) != KEY_BYTES:
        raise MasterKeyError(f"{where}: the master key must be {KEY_BYTES} bytes, got {len(key)}")
    return key


def ring_from_env(value: str) -> KeyRing:
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    if not entries:
        raise MasterKeyError(f"{ENV_NAME} is empty")
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for entry in entries:
        kid, sep, encoded = entry.partition("=")
        if sep and len(kid) <= 32 and not kid.endswith("="):
            key = _decode(encoded, ENV_NAME)
        else:
            key = _decode(entry, ENV_NAME)
            kid = key_id_for(key)
        keys[kid] = key
        order.append(kid)
    return KeyRing(active=order[0], keys=keys)


def read_key_file(path: Path) -> KeyRing:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise MasterKeyError(f"{path}: the key file must be readable by its owner only (chmod 600)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = {kid: _decode(encoded, str(path)) for kid, encoded in data["keys"].items()}
        return KeyRing(active=data["active"], keys=keys)
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError, EnvelopeError):
        raise MasterKeyError(f"{path}: not a jigap key file") from None


def write_key_file(path: Path, ring: KeyRing) -> None:
    """Write atomically, readable by the owner only (a folder made for it too: it is var/, beside the database)."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.chmod(0o700)
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"active": ring.active, "keys": ring.encoded_keys()}, handle, indent=2)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def load_key_ring(
    key_file: Path, *, create: bool = False, environ: Mapping[str, str] | None = None
) -> tuple[KeyRing, str]:
    """The key ring and where it came from. `create` makes a new key file when there is none (sandbox)."""
    environ = os.environ if environ is None else environ
    if environ.get(ENV_NAME):
        return ring_from_env(environ[ENV_NAME]), ENV_NAME
    if key_file.exists():
        return read_key_file(key_file), str(key_file)
    if create:
        ring = KeyRing.single(new_master_key())
        write_key_file(key_file, ring)
        return ring, str(key_file)
    raise MasterKeyError(
        f"no master key: set {ENV_NAME} (base64 of {KEY_BYTES} random bytes) or create {key_file} with "
        "`jigap keys init`"
    )

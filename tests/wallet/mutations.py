"""Malformed and mutated presentations for the verifier's fuzz tests and `bench/fuzz_verifier.py`.

Two kinds of input, both meant to be refused:
- mutations: a valid presentation with characters replaced, inserted or deleted, segments
  dropped, doubled or swapped, a base64url part re-spelt with non-canonical trailing bits,
  whitespace around it, or its `JG1:` QR form changed or extended;
- odd claims: presentations signed with real keys whose claims no careful issuer would write
  (a `true` exp, an empty iss, a status index of 2^64, a lone surrogate, a 5,000-deep array...),
  so the verifier gets past the signature to the check under test.

A mutation is chosen by numbers (`Mutation`), so hypothesis can shrink it and a seeded
`random.Random` can replay a fixed corpus.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.wallet.forge import AUD, DROP, ISS, NONCE, NOW, Forge, disclosure, disclosure_text
from wallet.qr_payload import encode_qr_payload
from wallet.verifier import UNEXPECTED, VerificationResult, verify_presentation

KINDS = (
    "replace",
    "insert",
    "delete",
    "truncate",
    "drop_segment",
    "double_segment",
    "swap_segments",
    "swap_jws_parts",
    "non_canonical_tail",
    "whitespace",
    "qr_replace",
    "qr_append",
)
# Base64url letters (the likeliest to slip through), separators, padding, whitespace, controls,
# Latin-1, Hangul, an emoji and a lone surrogate.
CHARACTERS = "AQgw_-09~.=+/ \n\t\r\x00\x7f\xe9\ud55c\U0001f600\ud800"
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Mutation:
    kind: str
    at: int  # a position, taken modulo what it indexes
    char: str
    other: int = 0  # a second position (for swaps) or a count

    def apply(self, presentation: str) -> str:
        """The mutated text; it always differs from `presentation`."""
        mutated = _MUTATORS[self.kind](presentation, self)
        if mutated == presentation:  # e.g. a character replaced by itself
            mutated = presentation + self.char
        return mutated


def _replace(text: str, m: Mutation) -> str:
    i = m.at % len(text)
    return text[:i] + m.char + text[i + 1 :]


def _insert(text: str, m: Mutation) -> str:
    i = m.at % (len(text) + 1)
    return text[:i] + m.char * (1 + m.other % 3) + text[i:]


def _delete(text: str, m: Mutation) -> str:
    i = m.at % len(text)
    return text[:i] + text[i + 1 + m.other % 4 :]


def _truncate(text: str, m: Mutation) -> str:
    return text[: m.at % len(text)] or text[0]


def _segments(text: str) -> list[str]:
    return text.split("~")


def _drop_segment(text: str, m: Mutation) -> str:
    parts = _segments(text)
    del parts[m.at % len(parts)]
    return "~".join(parts)


def _double_segment(text: str, m: Mutation) -> str:
    parts = _segments(text)
    i = m.at % len(parts)
    return "~".join(parts[: i + 1] + parts[i:])


def _swap_segments(text: str, m: Mutation) -> str:
    parts = _segments(text)
    i, j = m.at % len(parts), m.other % len(parts)
    parts[i], parts[j] = parts[j], parts[i]
    return "~".join(parts)


def _swap_jws_parts(text: str, m: Mutation) -> str:
    parts = _segments(text)
    k = (len(parts) - 1) if m.at % 2 else 0  # the KB-JWT or the issuer-signed JWT
    pieces = parts[k].split(".")
    if len(pieces) == 3:
        i, j = m.other % 3, (m.other + 1) % 3
        pieces[i], pieces[j] = pieces[j], pieces[i]
        parts[k] = ".".join(pieces)
    return "~".join(parts)


def _non_canonical_tail(text: str, m: Mutation) -> str:
    """Re-spell one base64url piece so it decodes to the same bytes with nonzero unused bits."""
    pieces = [p for part in _segments(text) for p in part.split(".") if len(p) % 4 in (2, 3)]
    if not pieces:
        return text
    piece = pieces[m.at % len(pieces)]
    unused = 0b1111 if len(piece) % 4 == 2 else 0b11
    last = _ALPHABET.index(piece[-1])
    respelt = piece[:-1] + _ALPHABET[(last & ~unused) | (1 + m.other % unused)]
    assert b64url_decode_lenient(respelt) == b64url_decode_lenient(piece)
    return text.replace(piece, respelt, 1)


def b64url_decode_lenient(text: str) -> bytes:
    """What a lax decoder (Python's own) makes of a piece: the same bytes for both spellings."""
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _whitespace(text: str, m: Mutation) -> str:
    pad = " \n\t\r"[m.other % 4]
    return (pad + text) if m.at % 2 else (text + pad)


def _qr_replace(text: str, m: Mutation) -> str:
    qr = encode_qr_payload(text)
    i = 4 + m.at % (len(qr) - 4)
    letters = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".replace(qr[i], "")
    return qr[:i] + letters[m.other % len(letters)] + qr[i + 1 :]


def _qr_append(text: str, m: Mutation) -> str:
    return encode_qr_payload(text) + "0A" * (1 + m.other % 3)


_MUTATORS: dict[str, Callable[[str, Mutation], str]] = {
    "replace": _replace,
    "insert": _insert,
    "delete": _delete,
    "truncate": _truncate,
    "drop_segment": _drop_segment,
    "double_segment": _double_segment,
    "swap_segments": _swap_segments,
    "swap_jws_parts": _swap_jws_parts,
    "non_canonical_tail": _non_canonical_tail,
    "whitespace": _whitespace,
    "qr_replace": _qr_replace,
    "qr_append": _qr_append,
}


def random_mutation(rng: random.Random) -> Mutation:
    return Mutation(rng.choice(KINDS), rng.randrange(1 << 16), rng.choice(CHARACTERS), rng.randrange(1 << 16))


# --- presentations signed with odd claims ---------------------------------------------------------------

_NOW = int(NOW.timestamp())
_STATUS_URI = "https://rta.example.kr/status/1"
OddCase = Callable[[Forge], str]


def _credential_claim(name: str, raw: str) -> OddCase:
    return lambda forge: forge.present(forge.credential({name: DROP}, raw={name: raw}))


def _kb_claim(name: str, raw: str) -> OddCase:
    return lambda forge: forge.present(forge.credential(), {name: DROP}, raw={name: raw})


def _credential_header(header: Mapping[str, Any]) -> OddCase:
    return lambda forge: forge.present(forge.credential(header={"typ": "dc+sd-jwt", "alg": forge.issuer.alg, **header}))


def _disclosed(json_text: str) -> OddCase:
    return lambda forge: forge.present(forge.credential(disclosures=[disclosure_text(json_text)]))


def _status(idx: Any) -> OddCase:
    claim = {"status_list": {"idx": idx, "uri": _STATUS_URI}}
    return lambda forge: forge.present(forge.credential({"status": claim}))


_ODD_VALUES = ("true", "false", "null", '""', f'"{_NOW}"', "[]", "{}", f"[{_NOW}]", "1e308", "1e999",
               "-1e999", "-1", "18446744073709551616", "9" * 400, "9" * 5000, '"\\ud800"')
_ODD_TEXTS = ('""', "7", "true", "null", "[]", '["https://rta.example.kr"]', "{}", '"rta\\ud800"', '"\\udfff"')


def odd_cases() -> dict[str, OddCase]:
    """Signed presentations, by name, that a verifier must refuse."""
    cases: dict[str, OddCase] = {}
    for value in _ODD_VALUES:
        for name in ("iat", "exp", "nbf"):
            cases[f"credential {name}={value[:24]}"] = _credential_claim(name, value)
        cases[f"kb iat={value[:24]}"] = _kb_claim("iat", value)
    for value in _ODD_TEXTS:
        for name in ("iss", "vct"):
            cases[f"credential {name}={value}"] = _credential_claim(name, value)
        for name in ("aud", "nonce", "sd_hash"):
            cases[f"kb {name}={value}"] = _kb_claim(name, value)
        cases[f"cnf={value}"] = _credential_claim("cnf", value)
        cases[f"_sd={value}"] = _credential_claim("_sd", value)
        cases[f"_sd_alg={value}"] = _credential_claim("_sd_alg", value)
        cases[f"status={value}"] = _credential_claim("status", value)
    odd_indexes: tuple[Any, ...] = (2**64, 2**63, -1, 2**27, True, 1.5, "3", None, [], 2**200)
    for idx in odd_indexes:
        cases[f"status idx={idx!r}"[:60]] = _status(idx)
    odd_kids: tuple[Any, ...] = (7, "", None, True, [], {}, "\ud800x")
    for kid in odd_kids:
        cases[f"header kid={kid!r}"] = _credential_header({"kid": kid})
    for typ in ("", 7, None, "DC+SD-JWT", "dc+sd-jwt "):
        cases[f"header typ={typ!r}"] = _credential_header({"typ": typ})
    cases["header crit"] = _credential_header({"crit": ["exp"]})
    cases["header alg none"] = _credential_header({"alg": "none"})
    deep = "[" * 5000 + "]" * 5000
    for label, text in {
        "deep disclosure value": f'["c2FsdA","deep",{deep}]',
        "900-deep disclosure value": '["c2FsdA","deep",' + "[" * 900 + "]" * 900 + "]",
        "33-deep disclosure value": '["c2FsdA","deep",' + "[" * 32 + "]" * 32 + "]",
        "huge number disclosure": f'["c2FsdA","n",{"9" * 5000}]',
        "infinite disclosure": '["c2FsdA","n",1e999]',
        "surrogate claim name": '["c2FsdA","\\udc00",1]',
        "surrogate claim value": '["c2FsdA","name","\\ud800"]',
        "NaN disclosure": '["c2FsdA","n",NaN]',
        "one-element disclosure": '["c2FsdA"]',
        "number salt": '[7,"name","x"]',
        "reserved name": '["c2FsdA","_sd",[]]',
        "duplicate members": '{"a":1,"a":2}',
        "object disclosure": '{"salt":"c2FsdA"}',
        "not json": "[[[",
    }.items():
        cases[label] = _disclosed(text)
    cases["array disclosure in _sd"] = lambda forge: forge.present(
        forge.credential(disclosures=[disclosure("c2FsdA", True)])
    )
    cases["deep signed payload"] = _credential_claim("nested", deep)
    cases["kb without typ"] = lambda forge: forge.present(forge.credential(), header={"alg": forge.holder.alg})
    cases["kb for another aud"] = lambda forge: forge.present(forge.credential(), {"aud": AUD + "x"})
    cases["kb for another nonce"] = lambda forge: forge.present(forge.credential(), {"nonce": NONCE + "x"})
    cases["kb an hour old"] = lambda forge: forge.present(forge.credential(), {"iat": _NOW - 3600})
    cases["expired credential"] = lambda forge: forge.present(forge.credential({"exp": _NOW - 86400}))
    return cases


# --- what counts as a crash -----------------------------------------------------------------------------


def verify(presentation: str, forge: Forge) -> VerificationResult:
    return verify_presentation(presentation, issuers=forge.trusted, now=NOW, expected_aud=AUD, expected_nonce=NONCE)


def crash_of(presentation: str, forge: Forge) -> str | None:
    """Why this input crashed the verifier, or None: an exception escaping `verify_presentation`,
    a verdict from its last line of defence, or a verdict that cannot be written as UTF-8 JSON."""
    import json

    try:
        result = verify(presentation, forge)
    except Exception as exc:
        return f"raised {type(exc).__name__}: {exc}"
    if str(result.reason_params.get("detail", "")).startswith(UNEXPECTED):
        return f"last line of defence: {result.reason_params['detail']}"
    try:
        json.dumps(result.to_json(), ensure_ascii=False).encode("utf-8")
    except Exception as exc:
        return f"verdict cannot be written: {type(exc).__name__}"
    return None


# --- `jigap verify` as a subprocess ---------------------------------------------------------------------


@dataclass(frozen=True)
class CliRun:
    code: int
    stdout: str
    stderr: str

    def crash(self) -> str | None:
        """Why this run counts as a crash: an exit status other than 0/1, a traceback, or no JSON verdict."""
        import json

        if self.code not in (0, 1):
            return f"exit {self.code}: {self.stderr.strip()[-200:]}"
        if "Traceback" in self.stderr:
            return f"traceback: {self.stderr.strip()[-200:]}"
        try:
            verdict = json.loads(self.stdout)
        except ValueError:
            return "stdout is not a JSON verdict"
        if verdict.get("verdict") != ("valid" if self.code == 0 else "invalid"):
            return f"exit {self.code} with verdict {verdict.get('verdict')!r}"
        return None


def trust_list_for(forge: Forge) -> dict[str, Any]:
    """A trust list naming the forge's issuer, as `jigap verify --trust-list` reads it."""
    issuer = forge.trusted(ISS)
    assert issuer is not None
    return {"issuers": [issuer.metadata()]}


def run_jigap_verify(presentation: str, trust_list: Path, *options: str, timeout: float = 120) -> CliRun:
    """`jigap verify` in a child process, checking as of the forge's NOW for its audience and nonce.

    Text a command line cannot carry (a NUL, a leading `-`, a lone surrogate) goes through stdin,
    as bytes: a lone surrogate arrives as bytes that are not UTF-8.
    """
    by_stdin = "\x00" in presentation or presentation.startswith("-") or not _argv_safe(presentation)
    # The command's own module: the same `run` as `jigap verify`, without loading the whole bot first.
    command = [sys.executable, "-m", "bot.commands.verify", "-" if by_stdin else presentation,
               "--trust-list", str(trust_list), "--aud", AUD, "--nonce", NONCE, "--at", NOW.isoformat(), *options]
    stdin = presentation.encode("utf-8", "surrogatepass") if by_stdin else b""
    done = subprocess.run(command, input=stdin, capture_output=True, timeout=timeout, cwd=ROOT, check=False)
    return CliRun(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))


def _argv_safe(text: str) -> bool:
    try:
        text.encode(sys.getfilesystemencoding(), "surrogateescape")
    except UnicodeEncodeError:
        return False
    return True


def cli_presentation(mutation: Mutation, presentation: str) -> str:
    """The mutated text for a command-line run. `jigap verify` strips the whitespace a shell or
    a file adds, so a mutation that only adds whitespace around the text is no mutation there."""
    mutated = mutation.apply(presentation)
    if mutated.strip() == presentation or not mutated.strip():
        mutated = presentation[:-1] + ("A" if presentation[-1] != "A" else "B")
    return mutated

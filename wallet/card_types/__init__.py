"""Card types are data: each `*.toml` file here declares one type of card.

A type lists its claims (type, always or selectively disclosed, required, label in English
and Korean), claims derived at issuance (`age_over_19` from the birth date), disclosure
presets and the card layout. `load_card_type` reads one from text, so a new type needs no
code; `builtin_card_types` returns the shipped ones. A type with age claims also has an age
proof (`age_proof_type`), issued with each of its cards and shown when only age is asked.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from wallet.errors import CardTypeInvalid, UnknownCardType, UnknownPreset

ClaimKind = Literal["string", "date", "integer", "boolean", "enum", "image_digest"]
Disclosure = Literal["always", "selective"]
_CLAIM_KINDS = frozenset({"string", "date", "integer", "boolean", "enum", "image_digest"})
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
ALL_CLAIMS = "*"

# The age proof issued alongside every card with age claims: only those claims, so showing "over 19" makes a
# small QR (the whole card's digests and key stay out of it). Its `vct` names the card type it comes from, so
# a verifier can tell whether the issuer may vouch for it.
AGE_PROOF_SUFFIX = ".age"


@dataclass(frozen=True)
class Label:
    """A text in English and Korean."""

    en: str
    ko: str

    def text(self, language: str) -> str:
        return self.ko if language.startswith("ko") else self.en


AGE_PROOF_NAME = Label("Age proof", "연령 증명")  # what a verifier's result card calls an age proof


@dataclass(frozen=True)
class ClaimSpec:
    name: str
    kind: ClaimKind
    disclosure: Disclosure
    required: bool
    label: Label
    max_length: int | None = None
    pattern: str | None = None
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: Any = None

    @property
    def selective(self) -> bool:
        return self.disclosure == "selective"


@dataclass(frozen=True)
class DerivedClaim:
    """A claim computed at issuance: `age_over` is true when `source` is `years` ago or more."""

    name: str
    rule: Literal["age_over"]
    source: str
    years: int
    label: Label
    disclosure: Disclosure = "selective"


@dataclass(frozen=True)
class Preset:
    id: str
    claims: tuple[str, ...]
    label: Label


@dataclass(frozen=True)
class CardLayout:
    background: str
    background_end: str
    text: str
    accent: str
    front_fields: tuple[str, ...]
    mask_keep_start: int = 4
    mask_keep_end: int = 2


@dataclass(frozen=True)
class CardType:
    id: str
    vct: str
    name: Label
    claims: tuple[ClaimSpec, ...]
    derived: tuple[DerivedClaim, ...]
    presets: tuple[Preset, ...]
    layout: CardLayout
    name_claim: str
    number_claim: str | None = None
    photo_claim: str | None = None
    birth_date_claim: str | None = None
    validity_days: int = 365
    decoys: int = 0
    proof_of: str | None = None  # for an age proof: the id of the card type it is issued with

    @property
    def claim_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.claims) + tuple(d.name for d in self.derived)

    @property
    def selective_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.claims if c.selective) + tuple(
            d.name for d in self.derived if d.disclosure == "selective"
        )

    def claim(self, name: str) -> ClaimSpec | None:
        return next((c for c in self.claims if c.name == name), None)

    def label(self, claim_name: str, language: str) -> str:
        spec = self.claim(claim_name)
        derived = next((d for d in self.derived if d.name == claim_name), None)
        found = spec.label if spec else derived.label if derived else None
        return found.text(language) if found else claim_name

    def preset(self, preset_id: str) -> Preset:
        for preset in self.presets:
            if preset.id == preset_id:
                return preset
        raise UnknownPreset(f"{self.id} has no preset {preset_id!r}")

    @property
    def age_claims(self) -> tuple[DerivedClaim, ...]:
        """The derived `age_over` claims: what this card's age proof carries."""
        return tuple(d for d in self.derived if d.rule == "age_over")

    def shows_only_age(self, claims: Iterable[str]) -> bool:
        """Whether these claims are all age claims (then the age proof can show them instead of the card)."""
        wanted = set(claims)
        return bool(wanted) and wanted <= {d.name for d in self.age_claims}

    def preset_claims(self, preset_id: str) -> tuple[str, ...]:
        """Claim names a preset discloses; `*` means every selectively disclosable claim."""
        claims = self.preset(preset_id).claims
        return self.selective_names if claims == (ALL_CLAIMS,) else claims


def _label(raw: Any, where: str) -> Label:
    if (
        not isinstance(raw, Mapping)
        or not isinstance(raw.get("en"), str)
        or not isinstance(raw.get("ko"), str)
    ):
        raise CardTypeInvalid(f"{where}: a label needs 'en' and 'ko' texts")
    return Label(raw["en"], raw["ko"])


def _claim(raw: Mapping[str, Any]) -> ClaimSpec:
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise CardTypeInvalid("a claim needs a name")
    kind = raw.get("type")
    if kind not in _CLAIM_KINDS:
        raise CardTypeInvalid(f"claim {name}: unknown type {kind!r}")
    disclosure = raw.get("disclosure", "selective")
    if disclosure not in ("always", "selective"):
        raise CardTypeInvalid(f"claim {name}: disclosure is 'always' or 'selective'")
    pattern = raw.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CardTypeInvalid(f"claim {name}: bad pattern") from exc
    choices = tuple(raw.get("choices", ()))
    if kind == "enum" and not choices:
        raise CardTypeInvalid(f"claim {name}: an enum needs choices")
    return ClaimSpec(
        name=name,
        kind=kind,
        disclosure=disclosure,
        required=bool(raw.get("required", False)),
        label=_label(raw.get("label"), f"claim {name}"),
        max_length=raw.get("max_length"),
        pattern=pattern,
        choices=choices,
        minimum=raw.get("minimum"),
        maximum=raw.get("maximum"),
        default=raw.get("default"),
    )


def _derived(raw: Mapping[str, Any], claims: Mapping[str, ClaimSpec]) -> DerivedClaim:
    name, source, years = raw.get("name"), raw.get("source"), raw.get("years")
    if not isinstance(source, str):
        raise CardTypeInvalid(f"derived claim {name}: needs a source claim")
    if raw.get("rule") != "age_over":
        raise CardTypeInvalid(f"derived claim {name}: the only rule is 'age_over'")
    if source not in claims or claims[source].kind != "date":
        raise CardTypeInvalid(f"derived claim {name}: source must be a date claim")
    if not isinstance(name, str) or not isinstance(years, int) or years < 0:
        raise CardTypeInvalid(f"derived claim {name}: needs a name and whole years")
    disclosure = raw.get("disclosure", "selective")
    return DerivedClaim(
        name, "age_over", source, years, _label(raw.get("label"), f"claim {name}"), disclosure
    )


def _preset(raw: Mapping[str, Any], known: frozenset[str]) -> Preset:
    preset_id = raw.get("id")
    claims = raw.get("claims")
    if claims == ALL_CLAIMS:
        names: tuple[str, ...] = (ALL_CLAIMS,)
    elif isinstance(claims, list) and all(isinstance(c, str) for c in claims):
        names = tuple(claims)
    else:
        raise CardTypeInvalid(f"preset {preset_id}: claims is a list of names or '*'")
    unknown = set(names) - known - {ALL_CLAIMS}
    if unknown:
        raise CardTypeInvalid(f"preset {preset_id}: unknown claims {sorted(unknown)}")
    return Preset(str(preset_id), names, _label(raw.get("label"), f"preset {preset_id}"))


def _layout(raw: Any, known: frozenset[str]) -> CardLayout:
    if not isinstance(raw, Mapping):
        raise CardTypeInvalid("a card type needs a [layout] table")
    colours = {k: raw.get(k) for k in ("background", "background_end", "text", "accent")}
    for key, value in colours.items():
        if not isinstance(value, str) or _COLOUR.fullmatch(value) is None:
            raise CardTypeInvalid(f"layout.{key} must be a #RRGGBB colour")
    fields = tuple(raw.get("front_fields", ()))
    if set(fields) - known:
        raise CardTypeInvalid(f"layout.front_fields names unknown claims {sorted(set(fields) - known)}")
    return CardLayout(
        front_fields=fields,
        mask_keep_start=int(raw.get("mask_keep_start", 4)),
        mask_keep_end=int(raw.get("mask_keep_end", 2)),
        **colours,  # type: ignore[arg-type]
    )


def load_card_type(source: str | Mapping[str, Any]) -> CardType:
    """Build a card type from TOML text or an already parsed mapping; raises CardTypeInvalid."""
    try:
        raw = tomllib.loads(source) if isinstance(source, str) else dict(source)
    except tomllib.TOMLDecodeError as exc:
        raise CardTypeInvalid(f"not TOML: {exc}") from exc
    claims = tuple(_claim(c) for c in raw.get("claims", ()))
    by_name = {c.name: c for c in claims}
    if len(by_name) != len(claims):
        raise CardTypeInvalid("claim names must be unique")
    derived = tuple(_derived(d, by_name) for d in raw.get("derived", ()))
    known = frozenset(by_name) | {d.name for d in derived}
    for role in ("name_claim", "number_claim", "photo_claim", "birth_date_claim"):
        if raw.get(role) is not None and raw[role] not in by_name:
            raise CardTypeInvalid(f"{role} names an unknown claim")
    if raw.get("name_claim") is None:
        raise CardTypeInvalid("a card type needs a name_claim")
    for key in ("id", "vct"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise CardTypeInvalid(f"a card type needs {key}")
    return CardType(
        id=raw["id"],
        vct=raw["vct"],
        name=_label(raw.get("name"), "card type name"),
        claims=claims,
        derived=derived,
        presets=tuple(_preset(p, known) for p in raw.get("presets", ())),
        layout=_layout(raw.get("layout"), known),
        name_claim=raw["name_claim"],
        number_claim=raw.get("number_claim"),
        photo_claim=raw.get("photo_claim"),
        birth_date_claim=raw.get("birth_date_claim"),
        validity_days=int(raw.get("validity_days", 365)),
        decoys=int(raw.get("decoys", 0)),
    )


@cache
def builtin_card_types() -> Mapping[str, CardType]:
    """The card types shipped with jigap, by id."""
    folder = resources.files(__package__)
    loaded = (
        load_card_type(entry.read_text("utf-8")) for entry in folder.iterdir() if entry.name.endswith(".toml")
    )
    return {card.id: card for card in sorted(loaded, key=lambda c: c.id)}


def age_proof_vct(card_type: CardType) -> str:
    return f"urn:jigap:age:{card_type.id}:1"


def age_proof_type(card_type: CardType) -> CardType | None:
    """The age proof of a card type as a card type of its own (None without age claims): the age claims as
    selectively disclosed booleans and the presets that show only them. It is issued with a card, never alone."""
    if not card_type.age_claims:
        return None
    claims = tuple(ClaimSpec(d.name, "boolean", "selective", True, d.label) for d in card_type.age_claims)
    presets = tuple(p for p in card_type.presets if p.claims != (ALL_CLAIMS,) and card_type.shows_only_age(p.claims))
    return CardType(
        id=card_type.id + AGE_PROOF_SUFFIX, vct=age_proof_vct(card_type), name=AGE_PROOF_NAME, claims=claims,
        derived=(), presets=presets, layout=card_type.layout, name_claim=claims[0].name, proof_of=card_type.id,
        validity_days=card_type.validity_days,
    )


class CardTypeRegistry:
    """Card types by id and by `vct`; starts from the built-in ones unless told otherwise. Age proofs are found
    by `vct` and id but are not among `all()`: nobody issues one on its own."""

    def __init__(self, types: Iterable[CardType] | None = None) -> None:
        chosen = builtin_card_types().values() if types is None else types
        self._by_id: dict[str, CardType] = {}
        self._proofs: dict[str, CardType] = {}
        for card_type in chosen:
            self.add(card_type)

    def add(self, card_type: CardType) -> None:
        self._by_id[card_type.id] = card_type
        proof = age_proof_type(card_type)
        if proof is not None:
            self._proofs[proof.id] = proof

    def age_proof(self, card_type: CardType) -> CardType | None:
        return self._proofs.get(card_type.id + AGE_PROOF_SUFFIX)

    def get(self, card_type_id: str) -> CardType:
        try:
            return self._by_id.get(card_type_id) or self._proofs[card_type_id]
        except KeyError as exc:
            raise UnknownCardType(card_type_id) from exc

    def by_vct(self, vct: str) -> CardType | None:
        known = (*self._by_id.values(), *self._proofs.values())
        return next((t for t in known if t.vct == vct), None)

    def all(self) -> tuple[CardType, ...]:
        return tuple(self._by_id.values())

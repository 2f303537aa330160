"""Translations: gettext catalogs for Korean and English, picked per user.

Catalogs are compiled to .mo at install (`make` runs pybabel compile); when a .mo is missing or older than
its .po (a checkout edited by hand), the .po is compiled in memory so the text shown is never stale.
Strings are marked with `tr("...")` and `tr.plural("...", "...", n)`; extraction uses those keywords.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "jigap"
LANGUAGES = ("ko", "en")


class Translator:
    """One language's catalog; call it with an English message id and named parameters."""

    def __init__(self, language: str, catalog: gettext.NullTranslations) -> None:
        self.language = language
        self._catalog = catalog

    def __call__(self, message: str, /, **params: object) -> str:
        text = self._catalog.gettext(message)
        return text.format(**params) if params else text

    def plural(self, singular: str, plural: str, count: int, /, **params: object) -> str:
        text = self._catalog.ngettext(singular, plural, count)
        return text.format(count=count, **params)


def _load_catalog(language: str) -> gettext.NullTranslations:
    directory = LOCALE_DIR / language / "LC_MESSAGES"
    po_path, mo_path = directory / f"{DOMAIN}.po", directory / f"{DOMAIN}.mo"
    if mo_path.exists() and (not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translations:
    """All translators, loaded once at start-up."""

    def __init__(self, languages: Iterable[str] = LANGUAGES, default: str = "ko") -> None:
        self.default = default
        self._translators = {language: Translator(language, _load_catalog(language)) for language in languages}

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._translators)

    def pick(self, chosen: str | None, telegram_language: str | None = None) -> str:
        """The user's choice, else their Telegram language (ko-KR -> ko), else the default."""
        for candidate in (chosen, telegram_language):
            if candidate:
                base = candidate.split("-")[0].split("_")[0].lower()
                if base in self._translators:
                    return base
        return self.default

    def get(self, language: str) -> Translator:
        return self._translators.get(language) or self._translators[self.default]

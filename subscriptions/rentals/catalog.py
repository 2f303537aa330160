"""A brand's catalog: products in categories, named and described in Korean and English, with ordered
specifications and photos. A brand is an organisation whose members hold `brand_manager`; a product is either
goods handed over as units (a purifier, a car) or a service done by technicians (cleaning)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from subscriptions.rentals.errors import InvalidProduct


class Category(StrEnum):
    WATER_PURIFIERS = "water_purifiers"
    AIR_PURIFIERS = "air_purifiers"
    MATTRESSES = "mattresses"
    SOFAS = "sofas"
    CARS = "cars"
    CLEANING = "cleaning"


SERVICE_CATEGORIES = frozenset({Category.CLEANING})


class ProductStatus(StrEnum):
    LISTED = "listed"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class LocalText:
    """The same words in both languages the chat speaks."""

    ko: str
    en: str

    def in_language(self, language: str) -> str:
        return self.ko if language.startswith("ko") else self.en


@dataclass(frozen=True, slots=True)
class Spec:
    """One line of a specification ("filter" -> "4-stage RO"); a product keeps them in the brand's order."""

    key: LocalText
    value: LocalText


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    brand_id: int
    category: Category
    name: LocalText
    description: LocalText
    specs: tuple[Spec, ...]
    photos: tuple[str, ...]  # opaque references (a Telegram file id, a path the bot knows)
    is_service: bool
    created_at: datetime
    status: ProductStatus = ProductStatus.LISTED

    @property
    def is_listed(self) -> bool:
        return self.status is ProductStatus.LISTED


@dataclass(frozen=True, slots=True)
class BrandDetails:
    """The brand as a business, as its contracts name it: who the customer contracts with and how to reach them."""

    legal_name: LocalText
    registration_number: str  # 사업자등록번호
    representative: LocalText
    address: LocalText
    phone: str


NAME_MAX = 64
DESCRIPTION_MAX = 1000


def check_product(product: Product) -> Product:
    """The product as given, or `InvalidProduct` saying what is wrong with it."""
    for text, limit in ((product.name, NAME_MAX), (product.description, DESCRIPTION_MAX)):
        if not text.ko.strip() or not text.en.strip() or len(text.ko) > limit or len(text.en) > limit:
            raise InvalidProduct("names and descriptions need both languages, within their length")
    if any(not spec.key.ko.strip() or not spec.key.en.strip() for spec in product.specs):
        raise InvalidProduct("a specification line needs a key in both languages")
    if product.is_service != (product.category in SERVICE_CATEGORIES):
        raise InvalidProduct("services are the service categories' products and only those")
    return product

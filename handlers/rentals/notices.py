"""What rentals' events tell people, through the delivery outbox: the applicant when a brand manager decided
their referral or when their application expired, the brand's managers when an application waits for them."""

from __future__ import annotations

from handlers.core.notices import Notice, NoticeContext
from handlers.core.outbound import OutboundMessage
from handlers.rentals import text as rental_text
from handlers.rentals.buttons import Checkout, CheckoutStep
from subscriptions.accounts.access import Permission
from subscriptions.accounts.roles import organisation, people_with
from subscriptions.rentals.applications import BRAND_DECLINED, ApplicationStatus
from subscriptions.rentals.errors import RentalError
from subscriptions.rentals.events import (
    ApplicationApproved,
    ApplicationDeclined,
    ApplicationEnded,
    ApplicationReferred,
)
from subscriptions.rentals.services import applications, catalog


async def _names(notices: NoticeContext, brand_id: int, product_id: str, language: str) -> tuple[str, str]:
    brand = await organisation(notices.services.accounts, brand_id)
    try:
        product = (await catalog.product_of(notices.services.rentals, product_id)).name.in_language(language)
    except RentalError:
        product = product_id
    return (brand.name if brand is not None else str(brand_id)), product


async def approved(event: ApplicationApproved, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.applicant_id)
    tr = reader.tr
    application = await applications.application_of(notices.services.rentals, event.applicant_id,
                                                     event.application_id)
    brand, product = await _names(notices, event.brand_id, application.product_id, tr.language)
    text = tr("Good news: {brand} approved your application for {product}. Next: where to install it.",
              brand=brand, product=product)
    button = Checkout(CheckoutStep.ADDRESS, event.application_id).outbound(tr("Give the address"))
    return [Notice(reader.chat_id, OutboundMessage(text, ((button,),)).payload())]


async def declined(event: ApplicationDeclined, notices: NoticeContext) -> list[Notice]:
    """A manager's decline (the bureau's was told in the chat as it came)."""
    if event.reason != BRAND_DECLINED:
        return []
    reader = await notices.reader(event.applicant_id)
    tr = reader.tr
    application = await applications.application_of(notices.services.rentals, event.applicant_id,
                                                     event.application_id)
    brand, product = await _names(notices, event.brand_id, application.product_id, tr.language)
    text = tr("We are sorry: {brand} cannot rent {product} to you now, because {reason}. Nothing was charged.",
              brand=brand, product=product, reason=rental_text.decline_reason(event.reason, tr))
    return [Notice(reader.chat_id, OutboundMessage(text).payload())]


async def ended(event: ApplicationEnded, notices: NoticeContext) -> list[Notice]:
    """An application that expired (a cancel was answered in the chat)."""
    if event.status != ApplicationStatus.EXPIRED.value:
        return []
    reader = await notices.reader(event.applicant_id)
    tr = reader.tr
    application = await applications.application_of(notices.services.rentals, event.applicant_id,
                                                     event.application_id)
    brand, product = await _names(notices, application.brand_id, application.product_id, tr.language)
    text = tr("Your application to rent {product} from {brand} expired, and what it held was let go. Nothing was "
              "charged. Start again any time with /rent.", product=product, brand=brand)
    return [Notice(reader.chat_id, OutboundMessage(text).payload())]


async def referred(event: ApplicationReferred, notices: NoticeContext) -> list[Notice]:
    found: list[Notice] = []
    for manager_id in await people_with(notices.services.accounts, Permission.MANAGE_RENTALS, event.brand_id):
        reader = await notices.reader(manager_id)
        text = reader.tr("An application waits for your decision: see /applications.")
        found.append(Notice(reader.chat_id, OutboundMessage(text).payload()))
    return found

"""/applications for a brand's managers: the applications the credit bureau referred, oldest first, each with
Approve and Decline. Whoever else asks is refused and the refusal audited (the route's permission); each press
asks again whether the presser manages that application's brand."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from handlers.core.context import JigapContext
from handlers.core.guard import allowed, member_orgs
from handlers.rentals import text as rental_text
from handlers.rentals.buttons import ReviewReferral
from handlers.rentals.replies import answer, refuse, say
from subscriptions.accounts.access import Permission
from subscriptions.rentals.applications import Application
from subscriptions.rentals.errors import RentalError
from subscriptions.rentals.services import applications, catalog


async def applications_command(update: Update, context: JigapContext) -> None:
    """The referred queue of every brand the member manages."""
    tr = context.tr
    rentals = context.services.rentals
    shown = 0
    for brand_id in member_orgs(context, Permission.MANAGE_RENTALS):
        if not await allowed(update, context, Permission.MANAGE_RENTALS, org_id=brand_id, target=str(brand_id)):
            continue
        for application in await applications.referred_queue(rentals, context.member.id, brand_id):
            await say(update, context, await _line(context, application), InlineKeyboardMarkup([[
                ReviewReferral(application.id, 1).button(tr("Approve")),
                ReviewReferral(application.id, 0).button(tr("Decline"))]]))
            shown += 1
    if not shown:
        await say(update, context, tr("No application waits for a decision."))


async def _line(context: JigapContext, application: Application) -> str:
    tr = context.tr
    product = await catalog.product_of(context.services.rentals, application.product_id)
    identity, credit = application.identity, application.credit
    lines = [tr("Referred by the credit bureau: {product}, {fee} a month.",
                product=product.name.in_language(tr.language), fee=rental_text.money(application.monthly_fee, tr)),
             tr("Applicant: {name}", name=identity.name if identity is not None else "?")]
    if credit is not None and credit.score is not None:
        lines.append(tr("Score: {score}", score=credit.score))
    if credit is not None and credit.reason is not None:
        lines.append(tr("The bureau's note: {reason}", reason=rental_text.decline_reason(credit.reason.value, tr)))
    return "\n".join(lines)


async def review_button(update: Update, context: JigapContext, data: ReviewReferral) -> None:
    """Approve or Decline: the domain checks the presser manages the brand and the application still waits."""
    tr = context.tr
    try:
        reviewed = await applications.review_referral(context.services.rentals, context.member.id,
                                                      data.application_id, bool(data.approve))
    except RentalError as error:
        await refuse(update, context, error)
        return
    await answer(update)
    name = reviewed.identity.name if reviewed.identity is not None else "?"
    done = tr("Approved: {name}. They are told now.", name=name) if data.approve else \
        tr("Declined: {name}. They are told now.", name=name)
    await say(update, context, done, edit=True)
    context.services.events.wake()

"""Browsing rentals: the categories, the products of one, a product's page (its photo where it has a real one,
its specifications, its plans compared in a table image) and Rent this per plan."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, InputFile, Update

from handlers.core.context import JigapContext
from handlers.rentals import checkout
from handlers.rentals import text as rental_text
from handlers.rentals.buttons import RentCategories, RentProduct, RentThis
from handlers.rentals.plan_table import PlanRow, PlanTableLabels
from handlers.rentals.replies import answer, refuse, say
from subscriptions.money import Money
from subscriptions.rentals.catalog import Category
from subscriptions.rentals.errors import RentalError
from subscriptions.rentals.plans import COMPARED_MONTHS, PlanComparison
from subscriptions.rentals.services import applications, catalog

DEMO_PHOTO = "demo:"  # a demo product's photo reference names no picture the bot can send


async def rent_command(update: Update, context: JigapContext) -> None:
    """/rent and the main menu's Rentals: the categories with something to rent."""
    await show_categories(update, context)


async def show_categories(update: Update, context: JigapContext, *, edit: bool = False) -> None:
    tr = context.tr
    listed = {product.category for product in await catalog.products_in(context.services.rentals)}
    rows = [[RentCategories(value.value).button(rental_text.category(value, tr))] for value in Category
            if value in listed]
    if not rows:
        await say(update, context, tr("Nothing is offered for rent yet."), edit=edit)
        return
    await say(update, context, tr("What would you like to rent?"), InlineKeyboardMarkup(rows), edit=edit)


async def categories_button(update: Update, context: JigapContext, data: RentCategories) -> None:
    await answer(update)
    if not data.category:
        await show_categories(update, context, edit=True)
        return
    try:
        chosen = Category(data.category)
    except ValueError:
        await show_categories(update, context, edit=True)
        return
    tr = context.tr
    products = await catalog.products_in(context.services.rentals, chosen)
    rows = [[RentProduct(product.id).button(product.name.in_language(tr.language))] for product in products]
    rows.append([RentCategories().button(tr("Back"))])
    await say(update, context, rental_text.category(chosen, tr), InlineKeyboardMarkup(rows), edit=True)


async def product_button(update: Update, context: JigapContext, data: RentProduct) -> None:
    await answer(update)
    await show_product(update, context, data.product_id)


async def show_product(update: Update, context: JigapContext, product_id: str) -> None:
    """The product's photo (if real), its text, the plan table image and a Rent this per plan."""
    assert update.effective_chat is not None
    tr = context.tr
    try:
        page = await catalog.product_page(context.services.rentals, product_id)
    except RentalError as error:
        await refuse(update, context, error)
        return
    chat_id = update.effective_chat.id
    photo = next((ref for ref in page.product.photos if not ref.startswith(DEMO_PHOTO)), None)
    if photo is not None:
        await context.bot.send_photo(chat_id, photo)
    if page.plans:
        table = await context.services.plan_tables.render(
            page.product.name.in_language(tr.language), _labels(context), [_row(plan, context) for plan in page.plans])
        await context.bot.send_photo(chat_id, InputFile(table, filename="plans.png"))
    rows = [[RentThis(plan.plan_id, plan.version_id, plan.monthly_fee.amount_minor).button(
        tr("Rent this: {plan}", plan=_plan_name(plan, context)))] for plan in page.plans if page.regions]
    rows.append([RentCategories(page.product.category.value).button(tr("Back"))])
    body = rental_text.product_text(page.product, page.plans, tr)
    if not page.regions:
        body += "\n\n" + tr("None is available to rent right now.")
    await context.bot.send_message(chat_id, body, reply_markup=InlineKeyboardMarkup(rows))


def _plan_name(plan: PlanComparison, context: JigapContext) -> str:
    return context.tr("{term} plan", term=rental_text.months(plan.term_months, context.tr))


def _labels(context: JigapContext) -> PlanTableLabels:
    tr = context.tr
    checkpoints = tuple(tr("Ending after {term}", term=rental_text.months(month, tr)) for month in COMPARED_MONTHS)
    return PlanTableLabels(tr("Plan"), tr("Monthly fee"), tr("Total over the term"), tr("Mandatory period"),
                           tr("What ending early costs"), checkpoints, tr("Lowest total"))


def _row(plan: PlanComparison, context: JigapContext) -> PlanRow:
    tr = context.tr
    early = tuple(rental_text.money(cost, tr) if cost is not None else tr("after the term")
                  for _, cost in plan.early_costs)
    return PlanRow(_plan_name(plan, context), rental_text.months(plan.term_months, tr),
                   rental_text.money(plan.monthly_fee, tr), rental_text.money(plan.total, tr),
                   rental_text.months(plan.mandatory_months, tr), early, plan.total.amount_minor)


async def rent_button(update: Update, context: JigapContext, data: RentThis) -> None:
    """Rent this: the application starts at the plan's version and price shown, or the press is refused."""
    assert update.effective_chat is not None
    rentals = context.services.rentals
    try:
        plan = await catalog.plan_of(rentals, data.plan_id)
        application = await applications.start_application(
            rentals, context.member.id, data.plan_id, data.version_id, Money(data.fee, plan.terms.currency),
            chat_id=update.effective_chat.id)
    except RentalError as error:
        await refuse(update, context, error)
        if error.code in ("rental_plan_version_stale", "rental_plan_price_changed"):
            await _show_again(update, context, data.plan_id)
        return
    await answer(update)
    await checkout.ask_identity(update, context, application)


async def _show_again(update: Update, context: JigapContext, plan_id: str) -> None:
    try:
        plan = await catalog.plan_of(context.services.rentals, plan_id)
    except RentalError:
        return
    await show_product(update, context, plan.product_id)

"""/rental_report for a brand's managers: the closed months as pictures (revenue by kind with the fleet's book
value, and last month's overdue aging), the month's figures in words, the CSVs, and a button that closes last
month when it is over and not closed yet. Each press asks again whether the presser manages the brand."""

from __future__ import annotations

import io

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, InputMediaPhoto, Update

from handlers.core.charts import Series
from handlers.core.context import JigapContext
from handlers.core.guard import allowed, member_orgs
from handlers.rentals import text as rental_text
from handlers.rentals.buttons import RentalReport, ReportAction
from handlers.rentals.replies import answer, refuse, say
from subscriptions.accounts.access import Permission
from subscriptions.money import Money
from subscriptions.rentals import report
from subscriptions.rentals.close import CloseKind, CloseSummary
from subscriptions.rentals.errors import RentalError
from subscriptions.rentals.services import close
from subscriptions.rentals.services.close import BrandReport


async def report_command(update: Update, context: JigapContext) -> None:
    """The report of every brand the member manages."""
    shown = 0
    for brand_id in member_orgs(context, Permission.MANAGE_RENTALS):
        if await allowed(update, context, Permission.MANAGE_RENTALS, org_id=brand_id, target=str(brand_id)):
            await show(update, context, brand_id)
            shown += 1
    if not shown:
        await say(update, context, context.tr("Sorry, only a brand's own people can do this."))


async def show(update: Update, context: JigapContext, brand_id: int) -> None:
    tr = context.tr
    try:
        found = await close.brand_report(context.services.rentals, context.member.id, brand_id)
    except RentalError as error:
        await refuse(update, context, error)
        return
    if not found.months:
        text = tr("No month is closed yet. Last month closes by itself at 03:00 on the 1st, or now with the button.")
        await say(update, context, text, _buttons(found, context))
        return
    chat = update.effective_chat
    assert chat is not None
    pictures = await _charts(found, context)
    last = found.months[-1]
    assert last.summary is not None
    await context.bot.send_media_group(chat.id, [InputMediaPhoto(pictures[0], caption=month_text(
        last.month, last.summary, context)[:1024]), InputMediaPhoto(pictures[1])])
    await say(update, context, tr("Download the details:"), _buttons(found, context))


def _buttons(found: BrandReport, context: JigapContext) -> InlineKeyboardMarkup:
    tr = context.tr
    rows: list[list[InlineKeyboardButton]] = []
    if found.months:
        last = found.months[-1].month
        rows.append([RentalReport(found.brand_id, ReportAction.LINES, last).button(
            tr("The lines of {month} (CSV)", month=last))])
        rows.append([RentalReport(found.brand_id, ReportAction.MONTHS).button(tr("Every month's figures (CSV)"))])
    if found.closable is not None:
        rows.append([RentalReport(found.brand_id, ReportAction.CLOSE, found.closable).button(
            tr("Close {month} now", month=found.closable))])
    return InlineKeyboardMarkup(rows)


async def _charts(found: BrandReport, context: JigapContext) -> list[bytes]:
    tr = context.tr
    charts = context.services.charts
    labels = [one.month for one in found.months]
    summaries = [one.summary for one in found.months if one.summary is not None]
    currency = summaries[-1].currency
    kinds = ((CloseKind.RENT, tr("Rent")), (CloseKind.REGISTRATION, tr("Registration fees")),
             (CloseKind.INTEREST, tr("Late interest")))
    series = [Series(name, [_major(one.booked.get(kind.value, 0), currency) for one in summaries])
              for kind, name in kinds]
    book_value = Series(tr("Book value of the fleet"), [_major(one.book_value, currency) for one in summaries])
    revenue = await charts.render(charts.stacked_bars, tr("Revenue by month"), labels, series,
                                  unit=tr("Amount ({currency})", currency=currency), no_data=tr("Nothing yet"),
                                  line=book_value, line_label=tr("Book value ({currency})", currency=currency))
    last = summaries[-1]
    aging = await charts.render(charts.bars, tr("Overdue rent at the end of {month}", month=labels[-1]),
                                [tr("{days} days", days=label) for label in report.aging_labels()],
                                [_major(amount, currency) for amount in last.aging_amounts],
                                unit=tr("Amount ({currency})", currency=currency), no_data=tr("Nothing overdue"))
    return [revenue, aging]


def _major(minor: int, currency: str) -> float:
    return float(Money(minor, currency).to_decimal())


def month_text(month: str, summary: CloseSummary, context: JigapContext) -> str:
    tr = context.tr

    def money(minor: int) -> str:
        return rental_text.money(Money(minor, summary.currency), tr)

    booked = summary.booked
    return "\n".join([
        tr("{month}, closed", month=month),
        tr("Revenue: {amount}", amount=money(summary.revenue)),
        tr("Depreciation: {amount}", amount=money(booked.get(CloseKind.DEPRECIATION.value, 0))),
        tr("Commissions amortised: {amount}", amount=money(booked.get(CloseKind.AMORTISATION.value, 0))),
        tr("Visit credits: {amount}", amount=money(booked.get(CloseKind.VISIT_CREDIT.value, 0))),
        tr("Book value of the fleet: {amount}", amount=money(summary.book_value)),
        tr("Utilisation: {percent}% ({installed} of {units} units installed)",
           percent=round(summary.utilisation * 100), installed=summary.installed, units=summary.units),
        tr.plural("{count} early termination", "{count} early terminations", summary.early_terminations),
        tr("Overdue: {amount}", amount=money(sum(summary.aging_amounts))),
    ])


async def report_button(update: Update, context: JigapContext, data: RentalReport) -> None:
    rentals = context.services.rentals
    tr = context.tr
    try:
        if data.action is ReportAction.CLOSE:
            result = await close.close_month_by(rentals, context.member.id, data.brand_id, data.month)
            await answer(update)
            words = tr("{month} was closed already; nothing changed.", month=data.month) if result.already_closed \
                else tr("{month} is closed: {lines} lines booked.", month=data.month, lines=result.closed.lines)
            await say(update, context, words, edit=True)
            await show(update, context, data.brand_id)
            return
        if data.action is ReportAction.LINES:
            text = report.lines_csv(data.month, await close.lines_for(rentals, context.member.id, data.brand_id,
                                                                       data.month))
            name = f"close-{data.month}.csv"
        else:
            found = await close.brand_report(rentals, context.member.id, data.brand_id)
            text, name = report.months_csv(found.months), "months.csv"
    except RentalError as error:
        await refuse(update, context, error)
        return
    await answer(update)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(chat.id, InputFile(io.BytesIO(text.encode()), filename=name))

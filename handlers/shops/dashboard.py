"""/shop stats: redemptions per day over 30 days, the busiest hours and followers over time as chart images, the
active passes and the month's revenue by product; and the CSVs of redemptions and sales."""

from __future__ import annotations

import io

from telegram import InlineKeyboardMarkup, InputFile, InputMediaPhoto, Update

from handlers.billing import text as billing_text
from handlers.core.charts import Series
from handlers.core.context import JigapContext
from handlers.shops.buttons import Owner, OwnerAction
from handlers.shops.replies import refuse, say
from subscriptions.shops import reports
from subscriptions.shops.errors import ShopError
from subscriptions.shops.services import stats
from subscriptions.shops.services.stats import GIFT_CARDS, OTHER, Dashboard


def summary(board: Dashboard, context: JigapContext) -> str:
    tr = context.tr
    lines = [tr("{shop}: the last 30 days", shop=board.shop.name),
             tr.plural("{count} use redeemed", "{count} uses redeemed", board.redemptions),
             tr.plural("{count} active pass", "{count} active passes", board.active_passes),
             tr.plural("{count} follower", "{count} followers", board.shop.followers),
             tr("Revenue this month: {amount}", amount=billing_text.money(board.month_revenue, tr))]
    if board.busiest_hours:
        lines.append(tr("Busiest hours: {hours}", hours=", ".join(f"{hour:02d}:00" for hour in board.busiest_hours)))
    if board.revenue:
        lines += ["", tr("Revenue by product (30 days):")]
        names = {**board.product_names, GIFT_CARDS: tr("Gift cards"), OTHER: tr("Other")}
        for key, amount in sorted(board.revenue.items(), key=lambda item: -item[1].amount_minor):
            lines.append(f"• {names.get(key, key)}: {billing_text.money(amount, tr)}")
    return "\n".join(lines)


async def show(update: Update, context: JigapContext, org_id: int) -> None:
    tr = context.tr
    try:
        board = await stats.dashboard(context.services.shops, context.member.id, org_id)
    except ShopError as error:
        await refuse(update, context, error)
        return
    charts = context.services.charts
    days = [f"{day.month}/{day.day}" for day in board.days]
    no_data = tr("Nothing yet")
    per_day = await charts.render(charts.bars, tr("Uses redeemed per day"), days, board.redemptions_per_day,
                                  unit=tr("Uses"), no_data=no_data)
    hours = await charts.render(charts.bars, tr("Uses by hour of the day"), [f"{hour:02d}" for hour in range(24)],
                                board.redemptions_by_hour, unit=tr("Uses"), no_data=no_data)
    followers = await charts.render(charts.time_series, tr("Followers"), days,
                                    [Series(tr("Followers"), board.followers_per_day)], unit=tr("Followers"),
                                    no_data=no_data)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_media_group(chat.id, [InputMediaPhoto(per_day, caption=summary(board, context)[:1024]),
                                                 InputMediaPhoto(hours), InputMediaPhoto(followers)])
    await say(update, context, tr("Download the details:"), InlineKeyboardMarkup(
        [[Owner(org_id, OwnerAction.CSV).button(tr("Redemptions and sales (CSV)"))]]))


async def send_csv(update: Update, context: JigapContext, org_id: int) -> None:
    try:
        lines = await stats.redemption_lines(context.services.shops, context.member.id, org_id)
        sales = await stats.sale_lines(context.services.shops, context.member.id, org_id)
    except ShopError as error:
        await refuse(update, context, error)
        return
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(chat.id, InputFile(io.BytesIO(reports.report_csv(lines, sales).encode()),
                                                       filename="shop-report.csv"))


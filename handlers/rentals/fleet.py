"""/units for a brand's managers: the fleet by product, region and status with its cost and book value today,
`/units SERIAL` for one unit with its history, and `/units import` (or the button) then a CSV file: a live
progress message while the rows go in, and a result file with every row. Whoever else asks is refused and the
refusal audited (the route's permission); each brand is asked again with its id."""

from __future__ import annotations

import io
import logging
import time
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest

from bot.i18n import moment_text
from handlers.core.context import JigapContext
from handlers.core.guard import allowed, member_orgs
from handlers.rentals import fleet_text
from handlers.rentals import text as rental_text
from handlers.rentals.fleet_buttons import OnUnits, UnitsAction
from handlers.rentals.replies import answer, refuse, say
from subscriptions.accounts.access import Permission
from subscriptions.errors import SubscriptionsError
from subscriptions.flows import Flow
from subscriptions.rentals.errors import UnitsFileInvalid
from subscriptions.rentals.services import fleet
from subscriptions.rentals.services.fleet import FleetOverview, ImportReport, UnitCard
from subscriptions.rentals.unit_import import result_csv

log = logging.getLogger(__name__)
MAX_CSV_BYTES = 2 * 1024 * 1024
PROGRESS_EVERY = 1.0  # seconds between edits of the progress message (Telegram's pace for one chat)


async def units_command(update: Update, context: JigapContext) -> None:
    """/units: the overview of each brand the member manages; /units SERIAL finds a unit; /units import."""
    args = context.args or []
    brands = member_orgs(context, Permission.MANAGE_RENTALS)
    if args and args[0].lower() == "import":
        await _ask_for_file(update, context, brands)
        return
    for brand_id in brands:
        if not await allowed(update, context, Permission.MANAGE_RENTALS, org_id=brand_id, target=str(brand_id)):
            continue
        try:
            if args:
                for card in await fleet.find_unit(context.services.rentals, context.member.id, brand_id, args[0]):
                    await say(update, context, unit_text(card, context))
            else:
                overview = await fleet.fleet_overview(context.services.rentals, context.member.id, brand_id)
                await say(update, context, overview_text(overview, context), InlineKeyboardMarkup([[
                    OnUnits(brand_id, UnitsAction.IMPORT).button(context.tr("Import units (CSV)"))]]))
        except SubscriptionsError as error:
            await say(update, context, fleet_text.refusal(error, context.tr))


def overview_text(overview: FleetOverview, context: JigapContext) -> str:
    tr = context.tr
    lines = [tr("Your fleet: {count} units. Cost {cost}, book value today {value}.", count=overview.units,
                cost=rental_text.money(overview.cost, tr), value=rental_text.money(overview.book_value, tr))]
    current = ""
    for row in overview.counts:
        name = row.product.in_language(tr.language)
        if name != current:
            lines.append(f"\n{name}")
            current = name
        lines.append(f"  {_region(row.region, context)}: {fleet_text.status(row.status, tr)} {row.count}")
    lines.append("\n" + tr("Find a unit: /units SERIAL"))
    return "\n".join(lines)


def _region(code: str, context: JigapContext) -> str:
    """The region's name in the reader's language (its code, for one no longer served)."""
    for region in context.services.rentals.settings.regions:
        if region.code == code:
            return region.name.in_language(context.tr.language)
    return code


def unit_text(card: UnitCard, context: JigapContext) -> str:
    tr, unit = context.tr, card.unit
    timezone = context.services.rentals.settings.timezone
    now = context.services.clock.now()
    lines = [tr("Unit {serial}: {product}", serial=unit.serial, product=card.product.in_language(tr.language)),
             tr("Status: {status}, {region}", status=fleet_text.status(unit.status, tr),
                region=_region(unit.region, context))]
    if unit.acquisition_cost is not None and unit.acquired_on is not None:
        lines.append(tr("Bought {date} for {cost}, written off over {months}; book value today {value}.",
                        date=unit.acquired_on.isoformat(), cost=rental_text.money(unit.acquisition_cost, tr),
                        months=rental_text.months(unit.useful_life_months, tr),
                        value=rental_text.money(card.book_value, tr)))
    else:
        lines.append(tr("No acquisition cost on record: it depreciates nothing."))
    if unit.contract_id:
        lines.append(tr("Contract: {number}", number=unit.contract_id))
    lines.append(tr("History:"))
    for move in card.history:
        where = f" ({move.contract_id})" if move.contract_id else ""
        lines.append(f"  {moment_text(move.at, tr.language, timezone, now=now)} "
                     f"{fleet_text.status(move.status, tr)}, {_region(move.region, context)}{where}")
    return "\n".join(lines)


async def _ask_for_file(update: Update, context: JigapContext, brands: list[int]) -> None:
    if len(brands) == 1:
        await _start_import(update, context, brands[0])
        return
    rows = [[OnUnits(brand_id, UnitsAction.IMPORT).button(str(brand_id))] for brand_id in brands]
    await say(update, context, context.tr("Import units for which brand?"), InlineKeyboardMarkup(rows))


async def _start_import(update: Update, context: JigapContext, brand_id: int) -> None:
    chat = update.effective_chat
    assert chat is not None
    if not await allowed(update, context, Permission.MANAGE_RENTALS, org_id=brand_id, target=str(brand_id)):
        return
    try:
        await fleet.start_units_import(context.services.rentals, context.member.id, brand_id, chat.id)
    except SubscriptionsError as error:
        await refuse(update, context, error)
        return
    await answer(update)
    await context.bot.send_message(chat.id, context.tr(
        "Send the units as a CSV file (UTF-8, 2 MB at most) with the columns serial, product, cost, acquired_on, "
        "region; useful_life_months and residual may be added. Cost in won, dates as 2026-11-01."))


async def units_button(update: Update, context: JigapContext, data: OnUnits) -> None:
    """Import units (CSV): asked again for the brand on the button."""
    await _start_import(update, context, data.brand_id)


def waits_for_units(context: JigapContext) -> Flow | None:
    flow = context.member.open_flow if context.has_member else None
    if flow is None or flow.kind != fleet.IMPORT_FLOW or not flow.is_open(context.services.clock.now()):
        return None
    return flow


async def units_file(update: Update, context: JigapContext, flow: Flow) -> None:
    """The file /units import waits for: checked, imported with a live progress message, and the result file."""
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    tr = context.tr
    brand_id = fleet.import_brand(flow)
    if not await allowed(update, context, Permission.MANAGE_RENTALS, org_id=brand_id, target=str(brand_id)):
        return
    document = message.document
    if document is None:
        await message.reply_text(tr("I am waiting for the units file: send it as a CSV document."))
        return
    if (document.file_size or 0) > MAX_CSV_BYTES:
        await message.reply_text(tr("This file is too large (2 MB at most)."))
        return
    raw = bytes(await (await document.get_file()).download_as_bytearray())
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        await message.reply_text(tr("This is not a CSV file in UTF-8."))
        return
    progress = await message.reply_text(tr("Importing the units file…"))
    try:
        report = await fleet.import_units(context.services.rentals, context.member.id, brand_id, text,
                                          progress=_progress_editor(progress, context))
    except UnitsFileInvalid as error:
        await _edit(progress, tr("This file cannot be imported: {reason}. Nothing was added.", reason=str(error)))
        return
    except SubscriptionsError as error:
        await _edit(progress, fleet_text.refusal(error, tr))
        return
    await _finish(context, flow)
    await _edit(progress, tr("Done: {imported} units imported, {refused} rows refused, for {cost}. The result of "
                             "every row is in the file below.", imported=report.imported, refused=report.refused,
                             cost=rental_text.money(report.cost, tr)))
    await context.bot.send_document(update.effective_chat.id, InputFile(io.BytesIO(result_file(report, context)),
                                                                         filename="units-import-result.csv"))


def _progress_editor(progress: Any, context: JigapContext) -> fleet.Progress:
    last = [time.monotonic()]

    async def report(done: int, total: int) -> None:
        if done < total and time.monotonic() - last[0] < PROGRESS_EVERY:
            return
        last[0] = time.monotonic()
        await _edit(progress, context.tr("Importing units: {done} of {total} rows", done=done, total=total))

    return report


async def _edit(message: Any, text: str) -> None:
    try:
        await message.edit_text(text)
    except BadRequest as error:
        log.debug("progress unchanged: %s", error)


async def _finish(context: JigapContext, flow: Flow) -> None:
    await fleet.close_flow(context.services.rentals, flow)


def result_file(report: ImportReport, context: JigapContext) -> bytes:
    tr = context.tr
    return result_csv((row.line, row.serial, row.imported,
                       fleet_text.row_refusal(row.refusal, tr) if row.refusal is not None else "")
                      for row in report.rows)

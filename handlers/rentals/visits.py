"""Visits in the chat. /visits: the day's schedule per technician (one's own visits to work, and every technician's
for a brand's managers), a visit's sheet with its checklist, photos and Complete; `/visits add` by which a
manager makes someone a technician. The customer's side: the reminder the evening before with Reschedule and
Skip, and what a completed or missed visit and a free first week tell them. One registration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from handlers.core.context import JigapContext
from handlers.core.guard import allowed, member_orgs
from handlers.core.notices import Notice, NoticeContext
from handlers.core.outbound import Button, OutboundMessage
from handlers.core.replies import refuse_with
from handlers.core.routing import Routes
from handlers.core.text import N_
from handlers.rentals import text as rental_text
from handlers.rentals.visit_buttons import CustomerStep, MoveVisit, OnVisit, TickItem, WorkStep, WorkVisit
from subscriptions.accounts import audit
from subscriptions.accounts.access import Permission
from subscriptions.accounts.roles import whois
from subscriptions.billing_calendar import zone
from subscriptions.errors import SubscriptionsError
from subscriptions.money import Money
from subscriptions.reminders import Reminder
from subscriptions.rentals import errors
from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.events import ServiceTrialCredited, VisitCompleted, VisitMissed
from subscriptions.rentals.services import visits as service
from subscriptions.rentals.visit_reminders import VISIT_TOMORROW, VisitWithNames
from subscriptions.rentals.visits import CHECKLISTS, FieldVisit, FreeTime, VisitStatus, WorkKind

if TYPE_CHECKING:
    from bot.i18n import Translator

PHOTO_GROUP = 6  # rentals' group (its text handler takes no photos), before the wallet's QR check (7)
TIMES_SHOWN = 12

KINDS: dict[WorkKind, str] = {
    WorkKind.MAINTENANCE: N_("Filter change"),
    WorkKind.CLEANING: N_("Cleaning"),
}

ITEMS: dict[str, str] = {
    "filter_changed": N_("Filter changed"),
    "water_tested": N_("Water tested"),
    "unit_cleaned": N_("Unit cleaned"),
    "kitchen": N_("Kitchen"),
    "bathroom": N_("Bathroom"),
    "floors": N_("Floors"),
    "dusting": N_("Dusting"),
}

STATUSES: dict[VisitStatus, str] = {
    VisitStatus.SCHEDULED: N_("to do"),
    VisitStatus.COMPLETED: N_("done"),
    VisitStatus.SKIPPED: N_("skipped"),
    VisitStatus.MISSED: N_("missed"),
    VisitStatus.RESCHEDULED: N_("moved"),
}

REFUSALS: dict[type[errors.RentalError], str] = {
    errors.VisitNotFound: N_("This visit is not yours or no longer exists."),
    errors.NotYourVisit: N_("This visit is given to another technician. Nothing was changed."),
    errors.VisitNotOpen: N_("This visit is not scheduled any more: it was done, skipped, missed or moved."),
    errors.VisitNotSkippable: N_("Your plan does not let this visit be skipped. Move it to another time instead."),
    errors.VisitSlotTaken: N_("That time is taken or past. Pick another time."),
    errors.InvalidChecklist: N_("Tick at least one item of the checklist first (and at most 10 photos)."),
    errors.InvalidTechnician: N_("A technician needs a name in both languages, a region we serve (seoul or "
                                 "busan) and 1 to 30 visits a day."),
    errors.NotATechnician: N_("You have no technicians yet. Add one: /visits add @username REGION VISITS-A-DAY "
                              "KOREAN-NAME ENGLISH-NAME"),
}


def refusal(error: SubscriptionsError, tr: Translator) -> str:
    for kind in type(error).__mro__:
        words = REFUSALS.get(kind)  # type: ignore[call-overload]
        if words is not None:
            return tr(words)
    return rental_text.refusal(error, tr)


def kind_text(kind: WorkKind, tr: Translator) -> str:
    return tr(KINDS[kind])


def clock_text(at: datetime, timezone: str) -> str:
    return at.astimezone(zone(timezone)).strftime("%H:%M")


def name_of(technician: LocalText | None, tr: Translator) -> str:
    return technician.in_language(tr.language) if technician is not None else ""


# --- the customer's reminder ---------------------------------------------------------------------------------

def render_visit_tomorrow(reminder: Reminder, subject: VisitWithNames, tr: Translator,
                          timezone: str = "Asia/Seoul") -> OutboundMessage:
    """"Cleaning tomorrow 10:00, technician Park" (the time in the zone the visit happens in)."""
    visit = subject.item
    when, technician = clock_text(visit.scheduled_at, timezone), name_of(subject.technician, tr)
    cleaning = visit.kind is WorkKind.CLEANING
    if technician:
        first = (tr("Cleaning tomorrow {time}, technician {technician}", time=when, technician=technician) if cleaning
                 else tr("Visit tomorrow {time}, technician {technician}", time=when, technician=technician))
    else:
        first = tr("Cleaning tomorrow {time}", time=when) if cleaning else tr("Visit tomorrow {time}", time=when)
    return OutboundMessage("\n".join([first, subject.product.in_language(tr.language)]),
                           (_customer_buttons(visit.id, subject.skippable, tr),))


def _customer_buttons(visit_id: str, skippable: bool, tr: Translator) -> tuple[Button, ...]:
    reschedule = OnVisit(visit_id, CustomerStep.TIMES).outbound(tr("Reschedule"))
    return (reschedule, OnVisit(visit_id, CustomerStep.SKIP).outbound(tr("Skip"))) if skippable else (reschedule,)


def _inline(row: tuple[Button, ...]) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(button.label, callback_data=button.callback_data) for button in row]


async def customer_button(update: Update, context: JigapContext, data: OnVisit) -> None:
    """Reschedule, Skip (asked first) or back, on the customer's own visit (asked again by the service)."""
    query = update.callback_query
    assert query is not None
    tr, rentals, user_id = context.tr, context.services.rentals, context.member.id
    timezone = rentals.settings.timezone
    try:
        found = await service.customer_visit(rentals, user_id, data.visit_id)
        visit = found.visit
        if data.step is CustomerStep.TIMES:
            free = await service.free_times_for(rentals, user_id, data.visit_id)
            text, rows = _times_screen(visit, free, context)
        elif data.step is CustomerStep.SKIP:
            if not found.policy.skippable:
                raise errors.VisitNotSkippable(visit.id)
            text = tr("Skip the {kind} on {when}? A skipped visit is not made up or credited.",
                      kind=kind_text(visit.kind, tr).lower(), when=rental_text.slot_label(visit.scheduled_at,
                                                                                           timezone, tr))
            rows = [[OnVisit(visit.id, CustomerStep.SKIP_CONFIRMED).button(tr("Yes, skip it"))],
                    [OnVisit(visit.id, CustomerStep.BACK).button(tr("Back"))]]
        elif data.step is CustomerStep.SKIP_CONFIRMED:
            await service.skip(rentals, user_id, data.visit_id)
            text, rows = tr("Skipped: {when}. The next visit is as planned.",
                            when=rental_text.slot_label(visit.scheduled_at, timezone, tr)), []
        else:
            text = _visit_line(visit, found.technician, tr, timezone)
            rows = [_inline(_customer_buttons(visit.id, found.policy.skippable, tr))] if visit.is_open else []
    except SubscriptionsError as error:
        await query.answer(refusal(error, tr), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


def _visit_line(visit: FieldVisit, technician: LocalText | None, tr: Translator, timezone: str) -> str:
    when = rental_text.slot_label(visit.scheduled_at, timezone, tr)
    if technician is not None:
        return tr("{kind}: {when}, technician {technician}", kind=kind_text(visit.kind, tr), when=when,
                  technician=name_of(technician, tr))
    return tr("{kind}: {when}", kind=kind_text(visit.kind, tr), when=when)


def _minute(at: datetime) -> int:
    return int(at.timestamp()) // 60


def _at(minute: int) -> datetime:
    """The time a button names; one no calendar has (a forged number) is the epoch, which is always past."""
    try:
        return datetime.fromtimestamp(minute * 60, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return datetime.fromtimestamp(0, tz=UTC)


def _times_screen(visit: FieldVisit, free: list[FreeTime], context: JigapContext
                  ) -> tuple[str, list[list[InlineKeyboardButton]]]:
    tr, timezone = context.tr, context.services.rentals.settings.timezone
    back = [OnVisit(visit.id, CustomerStep.BACK).button(tr("Back"))]
    if not free:
        return tr("No other time is free in the next days. Try again tomorrow."), [back]
    rows = [[MoveVisit(visit.id, each.technician_id, _minute(each.at)).button(
        f"{rental_text.slot_label(each.at, timezone, tr)} · {name_of(each.technician, tr)}")]
        for each in free[:TIMES_SHOWN]]
    return tr("Pick a new time for the {kind}:", kind=kind_text(visit.kind, tr).lower()), [*rows, back]


async def move_button(update: Update, context: JigapContext, data: MoveVisit) -> None:
    """A free time picked: asked first, then moved (the time asked again: one taken meanwhile is refused)."""
    query = update.callback_query
    assert query is not None
    tr, rentals = context.tr, context.services.rentals
    timezone, at = rentals.settings.timezone, _at(data.minute)
    try:
        if not data.confirmed:
            free = await service.free_times_for(rentals, context.member.id, data.visit_id)
            chosen = next((each for each in free if each.technician_id == data.technician_id and each.at == at), None)
            if chosen is None:
                raise errors.VisitSlotTaken(at.isoformat())
            rows = [[MoveVisit(data.visit_id, data.technician_id, data.minute, 1).button(tr("Move it"))],
                    [OnVisit(data.visit_id, CustomerStep.BACK).button(tr("Back"))]]
            await query.answer()
            await query.edit_message_text(
                tr("Move the visit to {when}, technician {technician}?",
                   when=rental_text.slot_label(at, timezone, tr), technician=name_of(chosen.technician, tr)),
                reply_markup=InlineKeyboardMarkup(rows))
            return
        moved = await service.reschedule(rentals, context.member.id, data.visit_id, data.technician_id, at)
        found = await service.customer_visit(rentals, context.member.id, moved.id)
    except SubscriptionsError as error:
        await query.answer(refusal(error, tr), show_alert=True)
        return
    await query.answer(tr("The visit was moved."))
    await query.edit_message_text(tr("Moved. {line}", line=_visit_line(moved, found.technician, tr, timezone)))


# --- the technician's side -----------------------------------------------------------------------------------

async def visits_command(update: Update, context: JigapContext) -> None:
    """/visits: today's schedule per technician; `/visits add ...` for a brand's manager."""
    message = update.effective_message
    assert message is not None
    args = context.args or []
    if args and args[0].lower() == "add":
        await add_command(update, context, args[1:])
        return
    try:
        days = await service.day_schedule(context.services.rentals, context.member.id,
                                          member_orgs(context, Permission.MANAGE_RENTALS))
    except SubscriptionsError as error:
        await message.reply_text(refusal(error, context.tr))
        return
    text, rows = schedule_screen(days, context)
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


def schedule_screen(days: list[service.TechnicianDay], context: JigapContext
                    ) -> tuple[str, list[list[InlineKeyboardButton]]]:
    tr, timezone = context.tr, context.services.rentals.settings.timezone
    lines, rows = [tr("Today's visits:")], []
    for day in days:
        technician = day.technician
        lines.append("")
        lines.append(tr("{technician} ({region}): {count}", technician=name_of(technician.name, tr),
                        region=technician.region, count=tr.plural("{count} visit", "{count} visits", len(day.visits))))
        for visit in day.visits:
            lines.append(f"{clock_text(visit.scheduled_at, timezone)} {kind_text(visit.kind, tr)} · "
                         f"{tr(STATUSES[visit.status])}")
            if technician.user_id == context.member.id and visit.is_open:
                label = f"{clock_text(visit.scheduled_at, timezone)} {kind_text(visit.kind, tr)}"
                rows.append([WorkVisit(visit.id, WorkStep.OPEN).button(label)])
    return "\n".join(lines), rows


async def add_command(update: Update, context: JigapContext, args: list[str]) -> None:
    """/visits add @username REGION VISITS-A-DAY KOREAN-NAME ENGLISH-NAME: a manager adds a technician."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    brands = member_orgs(context, Permission.MANAGE_RENTALS)
    if not brands:
        await allowed(update, context, Permission.MANAGE_RENTALS, target="visits add")  # refused and audited
        return
    if len(args) < 5 or not args[2].isdigit():
        await message.reply_text(tr("Write it like this: /visits add @username seoul 6 박 Park"))
        return
    if not await allowed(update, context, Permission.MANAGE_RENTALS, org_id=brands[0], target=args[0][:64]):
        return
    try:
        person = await whois(context.services.accounts, args[0][:64])
        technician = await service.add_technician(
            context.services.rentals, context.member.id, brands[0], person.user.id,
            LocalText(args[3], " ".join(args[4:])), args[1].lower(), int(args[2][:3]))
    except SubscriptionsError as error:
        await message.reply_text(refusal(error, tr))
        return
    await message.reply_text(tr("{technician} is now a technician in {region}, up to {count} a day.",
                                technician=name_of(technician.name, tr), region=technician.region,
                                count=tr.plural("{count} visit", "{count} visits", technician.capacity)))


async def work_button(update: Update, context: JigapContext, data: WorkVisit) -> None:
    """A technician's press: open the sheet, expect photos, complete, or back to the day."""
    query = update.callback_query
    assert query is not None
    tr, rentals, user_id = context.tr, context.services.rentals, context.member.id
    try:
        if data.step is WorkStep.DAY:
            days = await service.day_schedule(rentals, user_id, member_orgs(context, Permission.MANAGE_RENTALS))
            text, rows = schedule_screen(days, context)
        elif data.step is WorkStep.PHOTOS:
            chat = update.effective_chat
            await service.expect_photos(rentals, user_id, data.visit_id, chat_id=chat.id if chat else None)
            text, rows = await _sheet(context, data.visit_id, tr("Send the photos now, one or more. Then tap "
                                                                 "Complete."))
        elif data.step is WorkStep.COMPLETE:
            done = await service.complete(rentals, user_id, data.visit_id)
            context.services.events.wake()  # the customer hears of it now
            text = tr("Done: {kind} at {time}. The customer is told, with the photos.",
                      kind=kind_text(done.kind, tr), time=clock_text(done.scheduled_at, rentals.settings.timezone))
            rows = [[WorkVisit(done.id, WorkStep.DAY).button(tr("Today's visits"))]]
        else:
            text, rows = await _sheet(context, data.visit_id)
    except errors.NotYourVisit as error:
        await _refuse_not_yours(update, context, data.visit_id, error)
        return
    except SubscriptionsError as error:
        await query.answer(refusal(error, tr), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def _refuse_not_yours(update: Update, context: JigapContext, visit_id: str, error: SubscriptionsError) -> None:
    """Another technician's visit (or someone's who is none): refused, and written to the audit log."""
    await audit.refused(context.services.accounts, context.member, Permission.WORK_VISITS.value, target=visit_id,
                        detail={"reason": "not_assigned"})
    await refuse_with(update, context, refusal(error, context.tr))


async def _sheet(context: JigapContext, visit_id: str, note: str | None = None
                 ) -> tuple[str, list[list[InlineKeyboardButton]]]:
    tr, rentals = context.tr, context.services.rentals
    sheet = await service.visit_sheet(rentals, context.member.id, visit_id)
    visit = sheet.visit
    lines = [f"{kind_text(visit.kind, tr)} · {rental_text.slot_label(visit.scheduled_at, rentals.settings.timezone, tr)}",
             sheet.product.in_language(tr.language), tr("Address: {address}", address=sheet.address),
             tr("Photos: {count}", count=len(visit.photos))]
    if note:
        lines.append(note)
    rows = [[TickItem(visit.id, item).button(("✅ " if item in visit.checklist else "⬜ ") + tr(ITEMS[item]))]
            for item in CHECKLISTS[visit.kind]]
    rows.append([WorkVisit(visit.id, WorkStep.PHOTOS).button(tr("Add photos")),
                 WorkVisit(visit.id, WorkStep.COMPLETE).button(tr("Complete"))])
    rows.append([WorkVisit(visit.id, WorkStep.DAY).button(tr("Today's visits"))])
    return "\n".join(lines), rows


async def tick_button(update: Update, context: JigapContext, data: TickItem) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await service.tick(context.services.rentals, context.member.id, data.visit_id, data.item)
        text, rows = await _sheet(context, data.visit_id)
    except errors.NotYourVisit as error:
        await _refuse_not_yours(update, context, data.visit_id, error)
        return
    except SubscriptionsError as error:
        await query.answer(refusal(error, context.tr), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup(rows))


async def photo_message(update: Update, context: JigapContext) -> None:
    """A photo while the chat points at a visit: it is the visit's (the largest size Telegram sent)."""
    message = update.effective_message
    flow = context.member.open_flow if context.has_member else None
    if message is None or not message.photo or flow is None or flow.kind != service.PHOTOS_FLOW:
        return
    visit_id = str(flow.state.get("visit_id", ""))
    try:
        visit = await service.add_photo(context.services.rentals, context.member.id, visit_id,
                                        message.photo[-1].file_id)
    except SubscriptionsError as error:
        await message.reply_text(refusal(error, context.tr))
        raise ApplicationHandlerStop from None
    tr = context.tr
    rows = [[WorkVisit(visit.id, WorkStep.COMPLETE).button(tr("Complete")),
             WorkVisit(visit.id, WorkStep.OPEN).button(tr("Open the visit"))]]
    await message.reply_text(tr("Photo added ({count}). Send more, or tap Complete.", count=len(visit.photos)),
                             reply_markup=InlineKeyboardMarkup(rows))
    raise ApplicationHandlerStop


# --- what the visits' events tell the customer ---------------------------------------------------------------

async def visit_completed(event: VisitCompleted, notices: NoticeContext) -> list[Notice]:
    """"Cleaning done", the checklist ticked, and the technician's photos."""
    reader = await notices.reader(event.customer_id)
    tr, rentals = reader.tr, notices.services.rentals
    try:
        found = await service.customer_visit(rentals, event.customer_id, event.visit_id)
    except SubscriptionsError:
        return []
    visit = found.visit
    first = tr("Cleaning done.") if visit.kind is WorkKind.CLEANING else tr("Visit done.")
    lines = [first, _visit_line(visit, found.technician, tr, rentals.settings.timezone),
             tr("Done: {items}", items=", ".join(tr(ITEMS[item]) for item in visit.checklist))]
    found_notices = [Notice(reader.chat_id, OutboundMessage("\n".join(lines)).payload())]
    found_notices += [Notice(reader.chat_id, OutboundMessage(tr("Photo {number} of {count}", number=n,
                                                                count=len(visit.photos)), photo=photo).payload())
                      for n, photo in enumerate(visit.photos, start=1)]
    return found_notices


async def visit_missed(event: VisitMissed, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.customer_id)
    tr, rentals = reader.tr, notices.services.rentals
    try:
        found = await service.customer_visit(rentals, event.customer_id, event.visit_id)
    except SubscriptionsError:
        return []
    text = tr("We are sorry: nobody came for your {kind} on {when}. {amount} comes off your next payment, as your "
              "plan promises.", kind=kind_text(found.visit.kind, tr).lower(),
              when=rental_text.slot_label(found.visit.scheduled_at, rentals.settings.timezone, tr),
              amount=rental_text.money(Money(event.credit_minor, event.currency), tr))
    return [Notice(reader.chat_id, OutboundMessage(text).payload())]


async def trial_credited(event: ServiceTrialCredited, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.customer_id)
    tr = reader.tr
    text = tr("Your first week is free: {amount} comes off your next payment.",
              amount=rental_text.money(Money(event.credit_minor, event.currency), tr))
    return [Notice(reader.chat_id, OutboundMessage(text).payload())]


def register_visits(routes: Routes) -> None:
    routes.command("visits", visits_command, permission=Permission.WORK_VISITS,
                   help=N_("today's visits per technician; /visits add makes someone a technician"))
    routes.button(WorkVisit, work_button, permission=Permission.WORK_VISITS)
    routes.button(TickItem, tick_button, permission=Permission.WORK_VISITS)
    routes.button(OnVisit, customer_button)
    routes.button(MoveVisit, move_button)
    photos = filters.ChatType.PRIVATE & filters.PHOTO
    routes.message(MessageHandler(photos, photo_message), group=PHOTO_GROUP)
    routes.add_reminder_text(VISIT_TOMORROW, render_visit_tomorrow, N_("Visit reminders"))
    routes.on_event(VisitCompleted, visit_completed)
    routes.on_event(VisitMissed, visit_missed)
    routes.on_event(ServiceTrialCredited, trial_credited)

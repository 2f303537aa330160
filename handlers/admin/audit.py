"""The console's audit log: the newest entries, a search typed as one line, paging, and the CSV export.

The search lives in the console's input flow (callback data is too small for it); the page buttons carry the
flow's id and the id the next page starts from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, Update

from bot.i18n import date_text, time_text
from handlers.admin.console import explain
from handlers.core.buttons import ButtonData
from handlers.core.console import show, with_home
from handlers.core.context import JigapContext
from handlers.core.guard import allowed
from handlers.core.routing import AdminSection, Routes
from handlers.core.text import N_
from subscriptions.accounts import audit, audit_search
from subscriptions.accounts.access import Permission
from subscriptions.accounts.audit_search import AuditPage
from subscriptions.accounts.console import InputStep, remember, wait_for, waiting
from subscriptions.accounts.errors import (
    AccountsError,
    AuditDatesReversed,
    AuditQueryError,
    MalformedAuditDate,
)
from subscriptions.accounts.records import AuditEntry
from subscriptions.flows import Flow

EXPORT_ACTION = "admin.audit_export"
QUERY = "query"


class AuditStep(StrEnum):
    OLDER = "o"
    NEWER = "n"
    EXPORT = "x"


@dataclass(frozen=True)
class AuditPress(ButtonData, prefix="admaud"):
    """A page of the search kept in the console's input flow `flow_id` (older or newer than `cursor`), or its
    export."""

    step: AuditStep
    flow_id: str
    cursor: int = 0


def _query_error(context: JigapContext, error: AuditQueryError) -> str:
    tr = context.tr
    if isinstance(error, MalformedAuditDate):
        return tr("“{date}” is not a date I can read: write it as YYYY-MM-DD, like 2026-11-01.", date=str(error))
    if isinstance(error, AuditDatesReversed):
        return tr("The range {range} ends before it starts.", range=str(error))
    return tr("I can't read “{word}”: use field:value with actor, target, action, from, to or date.",
              word=str(error))


def _form(context: JigapContext) -> list[str]:
    tr = context.tr
    return [
        tr("Type a search on one line, for example:"),
        "actor:@admin action:admin.ban from:2026-11-01 to:2026-11-07",
        tr("Fields: actor (@username or id), target, action (its beginning), from and to, or date (one day, or "
           "a range like 2026-11-01..2026-11-07), in your time zone."),
    ]


def _line(context: JigapContext, entry: AuditEntry) -> str:
    now, timezone = context.services.clock.now(), context.member.user.timezone
    # Always with the day: a log is read later, and "14:39" alone says nothing about which day.
    when = f"{date_text(entry.at, context.tr.language, timezone, now=now)} {time_text(entry.at, timezone)}"
    return f"{when} · {entry.actor_id} · {entry.action} · {entry.outcome}" + (f" · {entry.target}" if entry.target
                                                                             else "")


async def _draw(update: Update, context: JigapContext, flow: Flow, found: AuditPage) -> None:
    tr = context.tr
    query = str(flow.state.get(QUERY, ""))
    lines = [tr("Audit log"), *_form(context), "",
             tr("Search: {query}", query=query) if query else tr("Search: everything, newest first")]
    lines += [_line(context, entry) for entry in found.entries] or [tr("Nothing matches.")]
    paging: list[InlineKeyboardButton] = []
    if found.has_newer:
        paging.append(AuditPress(AuditStep.NEWER, flow.id, found.entries[0].id).button(tr("« Newer")))
    if found.has_older:
        paging.append(AuditPress(AuditStep.OLDER, flow.id, found.entries[-1].id).button(tr("Older »")))
    rows = [paging] if paging else []
    if found.entries:
        rows.append([AuditPress(AuditStep.EXPORT, flow.id).button(tr("Export CSV"))])
    await show(update, context, "\n".join(lines), with_home(context, rows))


async def open_audit(update: Update, context: JigapContext) -> None:
    """The section: the newest entries, waiting for a search to be typed."""
    chat = update.effective_chat
    accounts = context.services.accounts
    flow = await wait_for(accounts, context.member, InputStep.AUDIT_QUERY, {QUERY: ""},
                          chat_id=chat.id if chat else None)
    await _draw(update, context, flow, await audit_search.search(accounts, await audit_search.resolve(
        accounts, audit_search.AuditQuery(), context.member.user.timezone)))


async def query_input(update: Update, context: JigapContext, flow: Flow) -> None:
    """A search typed in the audit section: its first page, or what is wrong with it (nothing else changes)."""
    message = update.effective_message
    assert message is not None
    if not await allowed(update, context, Permission.ADMIN_AUDIT):
        return
    accounts, line = context.services.accounts, " ".join((message.text or "").split())
    try:
        found = await audit_search.resolve(accounts, audit_search.read_query(line), context.member.user.timezone)
    except AuditQueryError as error:
        await message.reply_text(_query_error(context, error))
        return
    except AccountsError as error:  # the actor named is nobody the bot knows
        await message.reply_text(explain(context, error))
        return
    flow = await remember(accounts, flow, {QUERY: line})
    await _draw(update, context, flow, await audit_search.search(accounts, found))


async def audit_button(update: Update, context: JigapContext, data: AuditPress) -> None:
    query = update.callback_query
    assert query is not None
    accounts, tr = context.services.accounts, context.tr
    flow = await waiting(accounts, context.member, data.flow_id, InputStep.AUDIT_QUERY)
    if flow is None:
        await query.answer(tr("This search has expired. Open the audit log again from /admin."), show_alert=True)
        return
    try:
        found = await audit_search.resolve(accounts, audit_search.read_query(str(flow.state.get(QUERY, ""))),
                                           context.member.user.timezone)
    except AccountsError as error:  # the stored search no longer resolves (a name moved on)
        await query.answer(explain(context, error), show_alert=True)
        return
    if data.step is AuditStep.EXPORT:
        entries = await audit_search.export(accounts, found)
        await audit.record(accounts, context.member, EXPORT_ACTION, detail={QUERY: flow.state.get(QUERY, ""),
                                                                           "rows": len(entries)})
        await query.answer()
        assert update.effective_chat is not None
        day = context.services.clock.now().date().isoformat()
        await context.bot.send_document(update.effective_chat.id, audit_search.as_csv(entries),
                                        filename=f"audit-{day}.csv",
                                        caption=tr.plural("{count} entry", "{count} entries", len(entries)))
        return
    await query.answer()
    cursor = max(data.cursor, 0)
    page = await (audit_search.search(accounts, found, before=cursor) if data.step is AuditStep.OLDER
                  else audit_search.search(accounts, found, after=cursor))
    await _draw(update, context, flow, page)


def register(routes: Routes) -> None:
    routes.button(AuditPress, audit_button, permission=Permission.ADMIN_AUDIT)
    routes.add_admin_section(AdminSection("audit", N_("Audit log"), Permission.ADMIN_AUDIT, open_audit, order=90))

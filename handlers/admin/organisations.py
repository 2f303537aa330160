"""The console's organisations: listed by kind a page at a time, created (kind by button, then slug and name
typed on one line), each with its people and status, suspended and restored after a confirmation. Other
domains add their own buttons to an organisation's screen (`Routes.add_organisation_tool`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, Update

from bot.i18n import date_text
from handlers.admin.console import explain
from handlers.core.buttons import ButtonData
from handlers.core.console import ConsoleOrganisation, show, with_home
from handlers.core.context import JigapContext
from handlers.core.guard import allowed
from handlers.core.routing import AdminSection, Routes
from handlers.core.text import N_
from subscriptions.accounts import organisations
from subscriptions.accounts.access import Permission
from subscriptions.accounts.console import InputStep, wait_for
from subscriptions.accounts.errors import (
    AccountsError,
    MalformedOrganisationName,
    MalformedSlug,
    OrganisationError,
    SlugTaken,
)
from subscriptions.flows import Flow, FlowStatus, finish

KIND_LISTS = {"issuer": N_("Issuers"), "shop": N_("Shops"), "brand": N_("Brands"), "creator": N_("Creators"),
              "verifier": N_("Verifiers")}
KIND_NAMES = {"issuer": N_("issuer"), "shop": N_("shop"), "brand": N_("brand"), "creator": N_("creator"),
              "verifier": N_("verifier")}
KIND = "kind"


@dataclass(frozen=True)
class OrgList(ButtonData, prefix="admorgl"):
    """A page of the organisations of `kind` after id `after`."""

    kind: str
    after: int = 0


@dataclass(frozen=True)
class OrgNew(ButtonData, prefix="admorgn"):
    """Create an organisation: with no kind, choose one; with one, type its slug and name."""

    kind: str = ""


class OrgStep(StrEnum):
    SUSPEND = "s"
    RESTORE = "r"


@dataclass(frozen=True)
class OrgStatus(ButtonData, prefix="admorgs"):
    """Ask to suspend or restore an organisation."""

    step: OrgStep
    org_id: int


class AnswerStep(StrEnum):
    CONFIRM = "ok"
    CANCEL = "no"


@dataclass(frozen=True)
class OrgStatusAnswer(ButtonData, prefix="admorga"):
    """Confirm or Cancel of a suspension or a restoration."""

    step: AnswerStep
    action_id: str
    org_id: int


@dataclass(frozen=True)
class OrgTool(ButtonData, prefix="admorgt"):
    """A button another domain put on the organisation's screen, by the key it registered."""

    key: str
    org_id: int


def _known_kind(kind: str) -> bool:
    return kind in KIND_LISTS


async def open_organisations(update: Update, context: JigapContext) -> None:
    """The section: a list per kind, and creating one."""
    tr = context.tr
    rows = [[OrgList(kind).button(tr(label))] for kind, label in KIND_LISTS.items()]
    rows.append([OrgNew().button(tr("New organisation"))])
    await show(update, context, tr("Organisations"), with_home(context, rows))


async def list_button(update: Update, context: JigapContext, data: OrgList) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    if not _known_kind(data.kind):
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    await query.answer()
    found = await organisations.page(context.services.accounts, data.kind, max(data.after, 0))
    rows = [[ConsoleOrganisation(organisation.id).button(
        organisation.name + (" ⏸" if organisation.is_suspended else ""))] for organisation in found.organisations]
    paging = [OrgList(data.kind).button(tr("« First"))] if data.after > 0 else []
    if found.next_after is not None:
        paging.append(OrgList(data.kind, found.next_after).button(tr("More »")))
    rows += [paging] if paging else []
    rows.append([OrgNew(data.kind).button(tr("New organisation"))])
    text = tr(KIND_LISTS[data.kind]) if found.organisations else "\n".join(
        [tr(KIND_LISTS[data.kind]), tr("None yet.")])
    await show(update, context, text, with_home(context, rows))


async def new_button(update: Update, context: JigapContext, data: OrgNew) -> None:
    """Choose the kind, then the console waits for `slug Name`."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    if data.kind and not _known_kind(data.kind):
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    await query.answer()
    if not data.kind:
        rows = [[OrgNew(kind).button(tr(label))] for kind, label in KIND_LISTS.items()]
        await show(update, context, tr("What kind of organisation?"), with_home(context, rows))
        return
    chat = update.effective_chat
    await wait_for(context.services.accounts, context.member, InputStep.NEW_ORGANISATION, {KIND: data.kind},
                   chat_id=chat.id if chat else None)
    await show(update, context, "\n".join([
        tr("A new {kind}: type its slug and its name on one line, for example:", kind=tr(KIND_NAMES[data.kind])),
        "hankuk-university Hankuk University",
        tr("A slug is 3 to 40 lower-case letters, digits and dashes, starting with a letter."),
    ]), with_home(context))


def _creation_error(context: JigapContext, error: OrganisationError) -> str:
    tr = context.tr
    if isinstance(error, MalformedSlug):
        return tr("“{slug}” cannot be a slug: use 3 to 40 lower-case letters, digits and dashes, starting with a "
                  "letter.", slug=str(error))
    if isinstance(error, MalformedOrganisationName):
        return tr("The name must be 2 to 80 characters.")
    if isinstance(error, SlugTaken):
        return tr("The slug {slug} is taken by another organisation.", slug=str(error))
    return tr("This button is no longer available.")


async def creation_input(update: Update, context: JigapContext, flow: Flow) -> None:
    """`slug Name` typed for a new organisation: created and shown, or why not (the console keeps waiting)."""
    message = update.effective_message
    assert message is not None
    if not await allowed(update, context, Permission.ADMIN_ORGS):
        return
    accounts = context.services.accounts
    try:
        created = await organisations.create(accounts, context.member, str(flow.state.get(KIND, "")),
                                             message.text or "")
    except OrganisationError as error:
        await message.reply_text(_creation_error(context, error) + "\n" + context.tr("Type it again, or go back "
                                                                                      "with « Console."))
        return
    await finish(accounts.uow, flow, FlowStatus.DONE)
    await _show_organisation(update, context, created.id, context.tr("Created."))


async def _show_organisation(update: Update, context: JigapContext, org_id: int, note: str = "") -> None:
    tr = context.tr
    found = await organisations.view(context.services.accounts, org_id)
    organisation = found.organisation
    if organisation.suspended_at is not None:
        day = date_text(organisation.suspended_at, tr.language, context.member.user.timezone,
                        now=context.services.clock.now())
        status = tr("Status: suspended since {day}", day=day)
    else:
        status = tr("Status: active")
    people = [f"· {person.user.display_name}" + (f" (@{person.user.username})" if person.user.username else "")
              + f" · {person.role}" for person in found.people]
    lines = [line for line in [note] if line] + [
        f"{organisation.name} ({organisation.slug})",
        tr("Kind: {kind}", kind=tr(KIND_NAMES.get(organisation.kind, organisation.kind))),
        status,
        tr("People:") if people else tr("People: none yet"),
        *people,
    ]
    rows: list[list[InlineKeyboardButton]] = [
        [OrgTool(tool.key, org_id).button(tr(tool.label))]
        for tool in context.services.routes.organisation_tools.values()
        if organisation.kind in tool.kinds and context.member.may(tool.permission)
    ]
    rows.append([OrgStatus(OrgStep.RESTORE, org_id).button(tr("Restore")) if organisation.is_suspended
                 else OrgStatus(OrgStep.SUSPEND, org_id).button(tr("Suspend"))])
    if organisation.kind in KIND_LISTS:
        rows.append([OrgList(organisation.kind).button("« " + tr(KIND_LISTS[organisation.kind]))])
    await show(update, context, "\n".join(lines), with_home(context, rows))


async def organisation_button(update: Update, context: JigapContext, data: ConsoleOrganisation) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await _show_organisation(update, context, data.org_id)
    except AccountsError as error:
        await query.answer(explain(context, error), show_alert=True)
        return
    await query.answer()


async def status_button(update: Update, context: JigapContext, data: OrgStatus) -> None:
    """Suspend or Restore: ask first."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    try:
        proposal = await organisations.propose_status(context.services.accounts, context.member, data.org_id,
                                                      suspend=data.step is OrgStep.SUSPEND)
    except AccountsError as error:
        await query.answer(explain(context, error), show_alert=True)
        return
    await query.answer()
    name = proposal.organisation.name
    text = (tr("Suspend {name}? Its people's roles in it will grant nothing until it is restored: no new cards, "
               "no broadcasts, no offers.", name=name) if proposal.suspend
            else tr("Restore {name}? Its people get their roles in it back.", name=name))
    rows = [[OrgStatusAnswer(AnswerStep.CONFIRM, proposal.action_id, data.org_id).button(tr("Confirm")),
             OrgStatusAnswer(AnswerStep.CANCEL, proposal.action_id, data.org_id).button(tr("Cancel"))]]
    await show(update, context, text, with_home(context, rows))


async def status_answer(update: Update, context: JigapContext, data: OrgStatusAnswer) -> None:
    query = update.callback_query
    assert query is not None
    accounts, tr = context.services.accounts, context.tr
    try:
        if data.step is AnswerStep.CANCEL:
            await organisations.cancel_status(accounts, context.member, data.action_id)
            await query.answer(tr("Cancelled."))
            await _show_organisation(update, context, data.org_id)
            return
        done = await organisations.confirm_status(accounts, context.member, data.action_id)
    except AccountsError as error:
        await query.answer(explain(context, error), show_alert=True)
        return
    await query.answer()
    name = done.organisation.name
    if not done.changed:
        note = tr("Nothing to change: {name} already was so.", name=name)
    else:
        note = tr("{name} is suspended.", name=name) if done.suspended else tr("{name} is restored.", name=name)
    await _show_organisation(update, context, done.organisation.id, note)


async def tool_button(update: Update, context: JigapContext, data: OrgTool) -> None:
    """Another domain's button on the organisation's screen, behind its own permission."""
    query = update.callback_query
    assert query is not None
    tool = context.services.routes.organisation_tools.get(data.key)
    if tool is None:
        await query.answer(context.tr("This button is no longer available."), show_alert=True)
        return
    if not await allowed(update, context, tool.permission, target=str(data.org_id)):
        return
    await tool.open(update, context, data.org_id)


def register(routes: Routes) -> None:
    routes.button(OrgList, list_button, permission=Permission.ADMIN_ORGS)
    routes.button(OrgNew, new_button, permission=Permission.ADMIN_ORGS)
    routes.button(ConsoleOrganisation, organisation_button, permission=Permission.ADMIN_ORGS)
    routes.button(OrgStatus, status_button, permission=Permission.ADMIN_ORGS)
    routes.button(OrgStatusAnswer, status_answer, permission=Permission.ADMIN_ORGS)
    routes.button(OrgTool, tool_button, permission=Permission.ADMIN_ORGS)
    routes.add_admin_section(AdminSection("orgs", N_("Organisations"), Permission.ADMIN_ORGS, open_organisations,
                                          order=20))

"""The checkout in the chat, one step per press or message: the identity from the wallet (shared with the PIN),
the credit check's consent and its answer, the address, an installation slot, the contract PDF and the
signature with the PIN, then the first payment.

Every press names the application; it is read again as the presser's own, and the domain refuses a step
that is not the application's now (a double tap finds it done). The wallet's keypad closes the chat's
application flow (one flow per person), so what follows a right PIN points the chat at the application again.
"""

from __future__ import annotations

import re
from datetime import date

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from handlers.core.context import JigapContext
from handlers.core.routing import PIN_CONTINUES
from handlers.rentals import payment
from handlers.rentals import text as rental_text
from handlers.rentals.buttons import Checkout, CheckoutStep
from handlers.rentals.replies import answer, refuse, say
from subscriptions.accounts.roles import organisation
from subscriptions.errors import SubscriptionsError
from subscriptions.flows import Flow
from subscriptions.rentals.applications import Application, ApplicationStatus, Step, at_step
from subscriptions.rentals.credit import CreditBureauUnavailable
from subscriptions.rentals.errors import OutOfStock, RentalError, SlotHoldExpired, UntrustedIssuer
from subscriptions.rentals.identity import same_name
from subscriptions.rentals.plans import PlanTerms
from subscriptions.rentals.services import applications, catalog, paperwork
from subscriptions.rentals.services.common import FLOW_KIND
from subscriptions.rentals.signing import ContractSigningRefused, pdf_sha256

CONTINUES = "rentals"  # the key of rentals' continuation after the wallet's keypad
SHARE, SIGN = "share", "sign"  # the keypad's purposes this continuation goes on after
BIRTH_DATE = re.compile(r"^\s*(\d{4})[-./ ]?(\d{2})[-./ ]?(\d{2})\s*$")


async def brand_name(context: JigapContext, brand_id: int) -> str:
    found = await organisation(context.services.accounts, brand_id)
    return found.name if found is not None else str(brand_id)


def _cancel(application: Application, context: JigapContext) -> list[InlineKeyboardButton]:
    return [Checkout(CheckoutStep.CANCEL, application.id).button(context.tr("Cancel the application"))]


async def _application(update: Update, context: JigapContext, data: Checkout, *steps: Step) -> Application | None:
    """The presser's application, at one of `steps`; the refusal answered otherwise."""
    try:
        application = await applications.application_of(context.services.rentals, context.member.id,
                                                         data.application_id)
        return at_step(application, context.services.clock.now(), *steps)
    except RentalError as error:
        await refuse(update, context, error)
        return None


# --- identity ----------------------------------------------------------------------------------------------

async def ask_identity(update: Update, context: JigapContext, application: Application, *,
                       edit: bool = False) -> None:
    """The brand asks to see the name and over 19 from the wallet: Share?, or where to get a card."""
    tr = context.tr
    brand = await brand_name(context, application.brand_id)
    types = context.services.rentals.identity_policy.identity_card_types
    card = await context.services.wallet_identity.card_for(context.member.id, types)
    cancel = _cancel(application, context)
    if not card.found:
        where = ", ".join(tr("a {card} from {issuer}", card=names.get(tr.language, names["en"]), issuer=issuer)
                          for issuer, names in card.where_to_get) or tr("an issuer of identity cards")
        text = tr("{brand} needs to see your name and that you are over 19 from an identity card in your wallet, "
                  "and you have none yet. Ask for {where}: they issue it to your wallet, and its offer arrives "
                  "here. When it is in /wallet, press Try again.", brand=brand, where=where)
        retry = Checkout(CheckoutStep.IDENTITY, application.id).button(tr("Try again"))
        await say(update, context, text, InlineKeyboardMarkup([[retry], cancel]), edit=edit)
        return
    claims = ", ".join(card.claim_labels.get(tr.language, card.claim_labels["en"]))
    text = tr("{brand} asks to see: {claims}, from your {card} ({issuer}). Share?", brand=brand, claims=claims,
              card=card.card_name.get(tr.language, card.card_name["en"]), issuer=card.issuer_name)
    share = Checkout(CheckoutStep.SHARE, application.id).button(tr("Share"))
    await say(update, context, text, InlineKeyboardMarkup([[share], cancel]), edit=edit)


async def share_pressed(update: Update, context: JigapContext, application: Application) -> None:
    """Share: a request on the brand's behalf, and the keypad in place of the question."""
    assert update.effective_chat is not None
    tr = context.tr
    brand = await brand_name(context, application.brand_id)
    keypad = await context.services.wallet_identity.open_share_keypad(
        context.member.id, brand, context.services.rentals.identity_policy.identity_card_types,
        chat_id=update.effective_chat.id, state={PIN_CONTINUES: CONTINUES, "application": application.id})
    if keypad.locked_until is not None:
        await answer(update, tr("Too many wrong PINs. Try again later."))
        return
    if keypad.flow_id is None:
        await answer(update)
        await ask_identity(update, context, application, edit=True)
        return
    await answer(update)
    await context.services.routes.show_keypad(update, context, keypad.flow_id, edit=True)


def applicant_name(context: JigapContext, card_name: str) -> str:
    """The profile's name as the card would write it: Korean names are often typed family name last."""
    user = context.member.user
    given = " ".join(part for part in (user.first_name, user.last_name) if part)
    reversed_order = " ".join(part for part in (user.last_name, user.first_name) if part)
    return reversed_order if same_name(card_name, reversed_order) else given


async def identity_after_pin(update: Update, context: JigapContext, flow: Flow) -> None:
    """A right PIN: share with the brand, keep the verified result if the brand may rely on it, then consent."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    tr = context.tr
    rentals = context.services.rentals
    application_id = str(flow.state.get("application", ""))
    shared = await context.services.wallet_identity.share(context.member.id, flow)
    try:
        application = await applications.resume_application(rentals, context.member.id, application_id,
                                                             chat_id=update.effective_chat.id)
    except RentalError as error:
        await query.edit_message_text(rental_text.refusal(error, tr))
        return
    retry = InlineKeyboardMarkup([[Checkout(CheckoutStep.IDENTITY, application.id).button(tr("Try again"))],
                                  _cancel(application, context)])
    if shared.identity is None:
        await query.edit_message_text(_share_failure(shared.failure, context), reply_markup=retry)
        return
    try:
        application = await applications.verify_identity(rentals, context.member.id, application.id, shared.identity,
                                                         applicant_name(context, shared.identity.name))
    except RentalError as error:
        await query.edit_message_text(rental_text.refusal(error, tr), reply_markup=retry)
        return
    brand = await brand_name(context, application.brand_id)
    await query.edit_message_text(tr("Shared with {verifier}.", verifier=brand))
    await show_consent(update, context, application)


def _share_failure(failure: str | None, context: JigapContext) -> str:
    tr = context.tr
    if failure == "not_accredited":
        return rental_text.refusal(UntrustedIssuer(""), tr)
    if failure == "stale":
        return tr("This button is no longer available.")
    if failure == "card":
        return tr("That card cannot be shown any more. Try again with another card.")
    if failure == "gone":
        return tr("The request ran out of time. Try again.")
    return tr("The card did not pass the check, so nothing was kept. Try again with another card.")


# --- the credit check ------------------------------------------------------------------------------------------

async def _terms(context: JigapContext, application: Application) -> PlanTerms:
    plan = await catalog.plan_of(context.services.rentals, application.plan_id)
    return plan.version(application.plan_version_id).terms


async def consent_text(context: JigapContext, application: Application) -> str:
    """The consent screen's text, the same words every time for the same application and language: its hash is
    what the applicant agreed to."""
    tr = context.tr
    terms = await _terms(context, application)
    return tr("To decide, {brand} asks a credit bureau about you. What is sent: your name, your date of birth, "
              "the value of the rental ({value}) and its monthly fee ({fee}). Why: to decide whether {brand} can "
              "rent it to you. How long it is kept: 3 years after the check. Nothing else is sent, and you can "
              "refuse: the application stops here then.",
              brand=await brand_name(context, application.brand_id), value=rental_text.money(terms.mandatory_value, tr),
              fee=rental_text.money(terms.monthly_fee, tr))


async def show_consent(update: Update, context: JigapContext, application: Application) -> None:
    tr = context.tr
    text = await consent_text(context, application)
    identity = application.identity
    if identity is not None and identity.birth_date is not None:
        agree = Checkout(CheckoutStep.AGREE, application.id).button(tr("I agree"))
        await say(update, context, text, InlineKeyboardMarkup([[agree], _cancel(application, context)]))
        return
    await say(update, context, text + "\n\n" + tr("Your card did not show your date of birth. To agree, type it, "
                                                   "like 1998-03-14."),
              InlineKeyboardMarkup([_cancel(application, context)]))


async def agree_pressed(update: Update, context: JigapContext, application: Application) -> None:
    await _consent(update, context, application, None)


def parse_birth_date(text: str) -> date | None:
    found = BIRTH_DATE.match(text)
    if found is None:
        return None
    try:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


async def birth_date_typed(update: Update, context: JigapContext, application: Application, text: str) -> None:
    """The date of birth typed at the consent screen: agreeing with it."""
    born = parse_birth_date(text)
    if born is None or born >= context.services.clock.now().date():
        await say(update, context, context.tr("That is not a date of birth. Type it like 1998-03-14."))
        return
    await _consent(update, context, application, born)


async def _consent(update: Update, context: JigapContext, application: Application, born: date | None) -> None:
    rentals = context.services.rentals
    try:
        application = await applications.consent_to_credit_check(
            rentals, context.member.id, application.id, await consent_text(context, application), born)
    except RentalError as error:
        await refuse(update, context, error)
        return
    await answer(update)
    await run_credit_check(update, context, application)


async def run_credit_check(update: Update, context: JigapContext, application: Application) -> None:
    """"Checking…", then the bureau's answer in its place."""
    assert update.effective_chat is not None
    tr = context.tr
    checking = await context.bot.send_message(update.effective_chat.id, tr("Checking with the credit bureau…"))
    brand = await brand_name(context, application.brand_id)
    try:
        decided = await applications.check_credit(context.services.rentals, context.member.id, application.id)
    except CreditBureauUnavailable:
        retry = Checkout(CheckoutStep.RETRY, application.id).button(tr("Try again"))
        await checking.edit_text(tr("The credit bureau did not answer. Nothing was charged; try again."),
                                 reply_markup=InlineKeyboardMarkup([[retry], _cancel(application, context)]))
        return
    except RentalError as error:
        await checking.edit_text(rental_text.refusal(error, tr))
        return
    if decided.status is ApplicationStatus.DECLINED:
        await checking.edit_text(tr("We are sorry: {brand} cannot rent this to you now, because {reason}. "
                                    "Nothing was charged.", brand=brand,
                                    reason=rental_text.decline_reason(decided.closed_reason, tr)))
    elif decided.step is Step.REVIEW:
        await checking.edit_text(tr("A person at {brand} will look at your application. We will tell you here.",
                                    brand=brand))
    else:
        await checking.edit_text(tr("Approved by the credit check."))
        await ask_address(update, context, decided)


# --- address and slot --------------------------------------------------------------------------------------------

async def ask_address(update: Update, context: JigapContext, application: Application) -> None:
    tr = context.tr
    keyboard = ReplyKeyboardMarkup([[KeyboardButton(tr("Share my location"), request_location=True)]],
                                   resize_keyboard=True, one_time_keyboard=True)
    await say(update, context, tr("Where should {brand} install it? Type the address, or share your location.",
                                  brand=await brand_name(context, application.brand_id)), keyboard)


async def continue_to_address(update: Update, context: JigapContext, application: Application) -> None:
    """Continue after an approved referral: the chat points at the application again, then the address."""
    assert update.effective_chat is not None
    await applications.resume_application(context.services.rentals, context.member.id, application.id,
                                          chat_id=update.effective_chat.id)
    await answer(update)
    await ask_address(update, context, application)


async def address_given(update: Update, context: JigapContext, application: Application, *, text: str | None = None,
                        location: tuple[float, float] | None = None) -> None:
    rentals = context.services.rentals
    try:
        if location is not None:
            application = await applications.give_location(rentals, context.member.id, application.id, *location)
        else:
            application = await applications.give_address(rentals, context.member.id, application.id, text or "")
    except RentalError as error:
        await refuse(update, context, error)
        return
    tr = context.tr
    address = application.address.text if application.address is not None else ""
    await say(update, context, tr("Installation address: {address}", address=address), ReplyKeyboardRemove())
    await show_slots(update, context, application)


async def show_slots(update: Update, context: JigapContext, application: Application, *, edit: bool = False) -> None:
    tr = context.tr
    free = await applications.slots_for(context.services.rentals, context.member.id, application.id)
    timezone = context.member.user.timezone
    buttons = [Checkout(CheckoutStep.SLOT, application.id, found.slot.id).button(
        rental_text.slot_label(found.slot.starts_at, timezone, tr)) for found in free]
    if not buttons:
        await say(update, context, tr("No installation time is free this week. Try again tomorrow."),
                  InlineKeyboardMarkup([_cancel(application, context)]), edit=edit)
        return
    await say(update, context, tr("Pick a time for the installation (it is held for you for 15 minutes):"),
              InlineKeyboardMarkup([*_by_three(buttons), _cancel(application, context)]), edit=edit)


def _by_three(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """A day's three times in a row."""
    return [buttons[index:index + 3] for index in range(0, len(buttons), 3)]


async def slot_pressed(update: Update, context: JigapContext, application: Application, slot_id: str) -> None:
    try:
        application = await applications.hold_slot(context.services.rentals, context.member.id, application.id,
                                                    slot_id)
    except RentalError as error:
        await refuse(update, context, error)
        return
    await answer(update)
    await send_contract(update, context, application)


# --- the contract ------------------------------------------------------------------------------------------------

def _verified_by(application: Application, context: JigapContext) -> str:
    identity = application.identity
    return identity.issuer if identity is not None else ""


async def _drawn_up(update: Update, context: JigapContext,
                    application: Application) -> tuple[paperwork.ContractToSign, bytes] | None:
    """The contract and its PDF, or the refusal said (a hold run out: the slots again)."""
    tr = context.tr
    renderer = context.services.contracts
    try:
        drawn = await paperwork.draw_up_contract(context.services.rentals, context.member.id, application.id,
                                                 language=tr.language, verified_by=_verified_by(application, context))
    except SlotHoldExpired as error:
        await refuse(update, context, error)
        await show_slots(update, context, application)
        return None
    except RentalError as error:
        await refuse(update, context, error)
        return None
    if renderer is None:
        await say(update, context, tr("Sorry, contracts cannot be printed here right now. Nothing was charged."))
        return None
    return drawn, await renderer.render(drawn.document)


async def send_contract(update: Update, context: JigapContext, application: Application) -> None:
    """The PDF as a document with its summary, and Sign with PIN."""
    assert update.effective_chat is not None
    found = await _drawn_up(update, context, application)
    if found is None:
        return
    drawn, pdf = found
    tr = context.tr
    document = drawn.document
    plan = document.plan
    summary = tr("{product}: {term}, {fee} a month, {mandatory} mandatory. Installation {when} at {address}. "
                 "Paid at signing: {first}.", product=document.product.name, term=rental_text.months(plan.term_months, tr),
                 fee=rental_text.money(plan.monthly_fee, tr), mandatory=rental_text.months(plan.mandatory_months, tr),
                 when=rental_text.slot_label(document.installation_at, context.member.user.timezone, tr),
                 address=document.customer.address,
                 first=rental_text.money(plan.registration_fee + plan.monthly_fee + plan.deposit, tr))
    await context.bot.send_document(update.effective_chat.id,
                                    InputFile(pdf, filename=f"contract-{document.contract_id}.pdf"), caption=summary)
    sign = Checkout(CheckoutStep.SIGN, application.id).button(tr("Sign with PIN"))
    other = Checkout(CheckoutStep.SLOTS, application.id).button(tr("Another time"))
    await say(update, context, tr("Read the contract, then sign it with your wallet PIN. The time is held for "
                                  "15 minutes."), InlineKeyboardMarkup([[sign], [other], _cancel(application, context)]))


async def sign_pressed(update: Update, context: JigapContext, application: Application) -> None:
    """Sign with PIN: the keypad for the holder key to sign exactly this PDF."""
    assert update.effective_chat is not None
    found = await _drawn_up(update, context, application)
    if found is None:
        return
    drawn, pdf = found
    tr = context.tr
    keypad = await context.services.wallet_identity.open_sign_keypad(
        context.member.id, paperwork.subject_of(drawn.document, pdf_sha256(pdf)), chat_id=update.effective_chat.id,
        title=drawn.document.product.name, state={PIN_CONTINUES: CONTINUES, "application": application.id})
    if keypad.flow_id is None:
        await answer(update, tr("Too many wrong PINs. Try again later."))
        return
    await answer(update)
    await context.services.routes.show_keypad(update, context, keypad.flow_id)


async def sign_after_pin(update: Update, context: JigapContext, flow: Flow) -> None:
    """A right PIN: the holder key signs the PDF, the unit is reserved, and the first payment is asked."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    rentals = context.services.rentals
    application_id = str(flow.state.get("application", ""))
    try:
        application = await applications.application_of(rentals, context.member.id, application_id)
    except RentalError as error:
        await query.edit_message_text(rental_text.refusal(error, tr))
        return
    found = await _drawn_up(update, context, application)
    if found is None:
        await query.edit_message_text(tr("Nothing was signed."))
        return
    drawn, pdf = found
    try:
        signed = await paperwork.sign_with_holder_key(rentals, context.services.contract_signer, context.member.id,
                                                      application.id, flow.id, pdf)
    except ContractSigningRefused:
        await query.edit_message_text(tr("Nothing was signed: the contract changed since the keypad opened. "
                                         "Press Sign with PIN again."))
        return
    except (SlotHoldExpired, OutOfStock) as error:
        await query.edit_message_text(rental_text.refusal(error, tr))
        if isinstance(error, SlotHoldExpired):
            await show_slots(update, context, application)
        return
    except RentalError as error:
        await query.edit_message_text(rental_text.refusal(error, tr))
        return
    await query.edit_message_text(tr("You signed the contract. Next, pay the first payment; then {brand} installs "
                                     "it on {when}.", brand=drawn.document.brand.name,
                                     when=rental_text.slot_label(drawn.slot.starts_at, context.member.user.timezone, tr)))
    assert update.effective_chat is not None
    if signed.signed is not None:  # the customer's copy of the signature, to check the PDF with at any time
        await context.bot.send_document(
            update.effective_chat.id, InputFile(signed.signed.signature.encode(),
                                                filename=f"contract-{drawn.document.contract_id}.jws"),
            caption=tr("Your signature on contract {number}. Keep it with the PDF: together they show what you "
                       "signed and when (jigap contract verify).", number=drawn.document.contract_id))
    await payment.offer_first_payment(context, update.effective_chat.id, signed.applicant_id,
                                      signed.id)


async def after_pin(update: Update, context: JigapContext, flow: Flow) -> None:
    """The wallet's keypad took the right PIN for one of rentals' steps."""
    if flow.step == SIGN:
        await sign_after_pin(update, context, flow)
    elif flow.step == SHARE:
        await identity_after_pin(update, context, flow)


# --- presses and messages ----------------------------------------------------------------------------------------

async def checkout_button(update: Update, context: JigapContext, data: Checkout) -> None:
    step = data.step
    if step is CheckoutStep.CANCEL:
        await _cancel_pressed(update, context, data)
        return
    allowed = {CheckoutStep.SHARE: (Step.IDENTITY,), CheckoutStep.IDENTITY: (Step.IDENTITY,),
               CheckoutStep.AGREE: (Step.CREDIT_CONSENT,), CheckoutStep.RETRY: (Step.CREDIT_CHECK,),
               CheckoutStep.ADDRESS: (Step.ADDRESS,), CheckoutStep.SLOT: (Step.SLOT, Step.SIGN),
               CheckoutStep.SLOTS: (Step.SLOT, Step.SIGN), CheckoutStep.SIGN: (Step.SIGN,)}[step]
    application = await _application(update, context, data, *allowed)
    if application is None:
        return
    if step is CheckoutStep.SHARE:
        await share_pressed(update, context, application)
    elif step is CheckoutStep.IDENTITY:
        await answer(update)
        await ask_identity(update, context, application)
    elif step is CheckoutStep.AGREE:
        await agree_pressed(update, context, application)
    elif step is CheckoutStep.RETRY:
        await answer(update)
        await run_credit_check(update, context, application)
    elif step is CheckoutStep.ADDRESS:
        await continue_to_address(update, context, application)
    elif step is CheckoutStep.SLOT:
        await slot_pressed(update, context, application, data.value)
    elif step is CheckoutStep.SLOTS:
        await answer(update)
        await show_slots(update, context, application)
    else:
        await sign_pressed(update, context, application)


async def _cancel_pressed(update: Update, context: JigapContext, data: Checkout) -> None:
    try:
        await applications.cancel_application(context.services.rentals, context.member.id, data.application_id)
    except RentalError as error:
        await refuse(update, context, error)
        return
    await answer(update)
    await say(update, context, context.tr("Your application is canceled. Nothing was charged."), edit=True)


async def typed(update: Update, context: JigapContext, flow: Flow) -> bool:
    """A message while the chat points at an application: the address (typed or a location) or the date of
    birth the consent asks for. False when the application waits for no such message."""
    message = update.effective_message
    assert message is not None
    try:
        application = await applications.application_of(context.services.rentals, context.member.id,
                                                         str(flow.state.get("application_id", "")))
    except SubscriptionsError:
        return False
    if not application.is_open(context.services.clock.now()):
        return False
    if application.step is Step.ADDRESS and message.location is not None:
        await address_given(update, context, application,
                            location=(message.location.latitude, message.location.longitude))
        return True
    if message.text is None:
        return False
    if application.step is Step.ADDRESS:
        await address_given(update, context, application, text=message.text)
        return True
    if application.step is Step.CREDIT_CONSENT:
        await birth_date_typed(update, context, application, message.text)
        return True
    return False


def points_at_application(context: JigapContext) -> Flow | None:
    flow = context.member.open_flow if context.has_member else None
    if flow is None or flow.kind != FLOW_KIND or not flow.is_open(context.services.clock.now()):
        return None
    return flow


"""Rentals' named refusals; each `code` keys the text an applicant, a customer or a brand manager is shown."""

from __future__ import annotations

from subscriptions.errors import SubscriptionsError


class RentalError(SubscriptionsError):
    code = "rental_error"


class InvalidProduct(RentalError):
    """A product without a name in both languages, with an empty specification, or of an unknown category."""

    code = "rental_invalid_product"


class ProductNotFound(RentalError):
    code = "rental_product_not_found"


class InvalidPlanTerms(RentalError):
    """Terms that cannot be offered: a mandatory period longer than the term, a fee that is not positive, a
    penalty rate outside 0-100%, amounts in different currencies."""

    code = "rental_invalid_plan_terms"


class PlanNotFound(RentalError):
    code = "rental_plan_not_found"


class ConcurrentPlanChange(RentalError):
    """Another manager changed the plan's terms at the same moment: read them again."""

    code = "rental_concurrent_plan_change"


class PlanVersionStale(RentalError):
    """The plan version pressed is no longer the plan's current one (the brand changed its terms since)."""

    code = "rental_plan_version_stale"


class PlanPriceChanged(RentalError):
    """The price the button carried is not the plan's price: a forged or outdated button."""

    code = "rental_plan_price_changed"


class OutsideServiceRegions(RentalError):
    """The address or location is not in any region the brand serves."""

    code = "rental_outside_service_regions"


class InvalidAddress(RentalError):
    """An address too short or too long to be one."""

    code = "rental_invalid_address"


class NotRentableHere(RentalError):
    """No unit of the product in stock in the region (for a service: no technician capacity there)."""

    code = "rental_not_rentable_here"


class OutOfStock(RentalError):
    """The last unit went to another applicant as this one signed."""

    code = "rental_out_of_stock"


class DuplicateSerial(RentalError):
    code = "rental_duplicate_serial"


class SlotNotFound(RentalError):
    code = "rental_slot_not_found"


class SlotFull(RentalError):
    code = "rental_slot_full"


class SlotHoldExpired(RentalError):
    """The 15 minutes the slot was held for have passed: pick a slot again."""

    code = "rental_slot_hold_expired"


class ApplicationNotFound(RentalError):
    """No application like this of this person's: another's, forged, or gone."""

    code = "rental_application_not_found"


class ApplicationClosed(RentalError):
    """The application was declined, expired, canceled or is done."""

    code = "rental_application_closed"


class WrongStep(RentalError):
    """The press belongs to another step than the one the application is at."""

    code = "rental_wrong_step"

    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(f"expected step {expected}, application is at {actual}")
        self.expected = expected
        self.actual = actual


class StepAlreadyTaken(RentalError):
    """A concurrent press (a double tap) moved the application on first."""

    code = "rental_step_already_taken"


class UntrustedIssuer(RentalError):
    code = "rental_untrusted_issuer"


class CardDoesNotProveIdentity(RentalError):
    code = "rental_card_does_not_prove_identity"


class ApplicantIsMinor(RentalError):
    code = "rental_applicant_is_minor"


class NameMismatch(RentalError):
    """The name on the card is not the applicant's."""

    code = "rental_name_mismatch"


class BirthDateNeeded(RentalError):
    """The credit bureau needs a birth date and neither the card nor the applicant gave one."""

    code = "rental_birth_date_needed"


class ConsentTextMissing(RentalError):
    code = "rental_consent_text_missing"


class AwaitingReview(RentalError):
    """The bureau referred the application; a brand manager decides."""

    code = "rental_awaiting_review"


class NotReferred(RentalError):
    code = "rental_not_referred"


class NotBrandManager(RentalError):
    code = "rental_not_brand_manager"


class BrandDetailsMissing(RentalError):
    """The brand has not given the business details a contract names (legal name, registration number...)."""

    code = "rental_brand_details_missing"


class InvalidSignature(RentalError):
    """A signature record that is not a compact JWS, or a PDF hash that is not SHA-256 hex."""

    code = "rental_invalid_signature"


class PaymentMismatch(RentalError):
    """The payment recorded is not the amount the first payment asks (registration, first month, deposit)."""

    code = "rental_payment_mismatch"


class ContractNotFound(RentalError):
    code = "rental_contract_not_found"


class CoolingOffOver(RentalError):
    """More than 14 days since signing and since installation: ending now is early termination."""

    code = "rental_cooling_off_over"


class ContractNotActive(RentalError):
    code = "rental_contract_not_active"


class AlreadyInstalled(RentalError):
    """The unit is installed: the installation cannot be moved or recorded again."""

    code = "rental_already_installed"


class BrokenEventChain(RentalError):
    """An application's event log whose hashes do not chain: an entry was changed or removed."""

    code = "rental_broken_event_chain"


class InvalidMonth(RentalError):
    """A month that is not written YYYY-MM (2026-11), or not a real month."""

    code = "rental_invalid_month"


class MonthNotOver(RentalError):
    """A month is closed once it has ended in the brand's zone, not before."""

    code = "rental_month_not_over"


class BrandNotFound(RentalError):
    """No brand by that slug or id."""

    code = "rental_brand_not_found"
# --- the fleet and returns (issue 16) ---------------------------------------------------------------------------

class IllegalUnitMove(RentalError):
    """A unit asked to go where its life does not lead from its status (a return of a unit not installed, a
    sold unit restocked)."""

    code = "rental_illegal_unit_move"


class UnitNotFound(RentalError):
    code = "rental_unit_not_found"


class UnitsFileInvalid(RentalError):
    """A units file that is not a CSV with the columns an import needs (or has too many rows)."""

    code = "rental_units_file_invalid"


class ReturnNotFound(RentalError):
    """No pickup or return like this for this person: another brand's, forged, or gone."""

    code = "rental_return_not_found"


class ReturnWrongStep(RentalError):
    """The press belongs to another step of the return than the one it is at (picked up twice, graded again)."""

    code = "rental_return_wrong_step"


class InvalidGrade(RentalError):
    """A grade that is not A, B, C or D."""

    code = "rental_invalid_grade"


class InvalidCharge(RentalError):
    """A damage charge that is not a whole, non-negative amount."""

    code = "rental_invalid_charge"


class ChargeAboveDeposit(RentalError):
    """A damage charge larger than the deposit held for the contract."""

    code = "rental_charge_above_deposit"


class PhotoNeeded(RentalError):
    """A grade below fair wear needs at least one photo of the damage."""

    code = "rental_photo_needed"


class NoPickupSlot(RentalError):
    """The brand's calendar has no free slot in the region from tomorrow on."""

    code = "rental_no_pickup_slot"
# --- visits -------------------------------------------------------------------------------------------------------

class VisitNotFound(RentalError):
    """No such visit, or not one of the person's own (a forged button)."""

    code = "rental_visit_not_found"


class NotYourVisit(RentalError):
    """A technician acted on a visit assigned to another technician."""

    code = "rental_not_your_visit"


class VisitNotOpen(RentalError):
    """The visit is no longer scheduled: completed, skipped, missed or moved already."""

    code = "rental_visit_not_open"


class VisitNotSkippable(RentalError):
    """The plan does not let this visit be skipped (an included filter change is moved instead)."""

    code = "rental_visit_not_skippable"


class VisitSlotTaken(RentalError):
    """The time asked for is past, taken, or beyond the technician's day."""

    code = "rental_visit_slot_taken"


class InvalidChecklist(RentalError):
    """A checklist item the visit's kind does not have, nothing ticked, or too many photos."""

    code = "rental_invalid_checklist"


class InvalidTechnician(RentalError):
    """A technician without a name, outside the service regions, or with a capacity outside 1-30 a day."""

    code = "rental_invalid_technician"


class NotATechnician(RentalError):
    """The person is not one of the brand's technicians."""

    code = "rental_not_a_technician"


class QuoteStale(RentalError):
    """The early-termination quote confirmed is not today's (a day passed, a payment came, the button was
    forged): ask for the quote again."""

    code = "rental_quote_stale"


class TerminationAlreadyPaid(RentalError):
    """The contract's early termination is paid already (a second payment is refunded)."""

    code = "rental_termination_already_paid"


class TermNotOver(RentalError):
    code = "rental_term_not_over"


class InvalidCommission(RentalError):
    """An agent not written agent:NAME, shop:ID or curator:ID, or an amount not positive in the plan's currency."""

    code = "rental_invalid_commission"


class CommissionExists(RentalError):
    """The contract has its commission already."""

    code = "rental_commission_exists"


class CommissionTooLate(RentalError):
    """A commission is recorded at the contract's start: before the rent starts or in the installation's month."""

    code = "rental_commission_too_late"


class NothingFound(RentalError):
    """A search of the brand's contracts that found none."""

    code = "rental_nothing_found"


class NotMonthToMonth(RentalError):
    """Notice is given on a contract that rolls on month to month only."""

    code = "rental_not_month_to_month"

"""Rentals' part of the unit of work: the repositories `subscriptions.rentals.ports.RentalsUnitOfWork` names.

Built on first use: most units of work never touch a rental.
"""

from __future__ import annotations

from storage.core.unit import UnitPart
from storage.rentals.applications import SqlRentalApplications, SqlRentalContracts, SqlRentalLog
from storage.rentals.back_office import (
    SqlBrandContracts,
    SqlRentalCommissions,
    SqlRentalInstalments,
    SqlRentalTermEnds,
)
from storage.rentals.closes import SqlRentalCloses
from storage.rentals.fleet import SqlFleetUnits, SqlRentalReturns, SqlUnitMoves
from storage.rentals.repositories import (
    SqlRentalBrands,
    SqlRentalPlans,
    SqlRentalProducts,
    SqlRentalSlots,
)
from storage.rentals.visits import SqlRentalTechnicians, SqlRentalVisitPolicies, SqlRentalVisits


class RentalsPart(UnitPart):
    @property
    def rental_brands(self) -> SqlRentalBrands:
        return SqlRentalBrands(self.connection)

    @property
    def rental_products(self) -> SqlRentalProducts:
        return SqlRentalProducts(self.connection)

    @property
    def rental_plans(self) -> SqlRentalPlans:
        return SqlRentalPlans(self.connection)

    @property
    def rental_units(self) -> SqlFleetUnits:
        return SqlFleetUnits(self.connection)

    @property
    def rental_slots(self) -> SqlRentalSlots:
        return SqlRentalSlots(self.connection)

    @property
    def rental_applications(self) -> SqlRentalApplications:
        return SqlRentalApplications(self.connection, self._envelope)

    @property
    def rental_log(self) -> SqlRentalLog:
        return SqlRentalLog(self.connection)

    @property
    def rental_contracts(self) -> SqlRentalContracts:
        return SqlRentalContracts(self.connection)

    @property
    def rental_closes(self) -> SqlRentalCloses:
        return SqlRentalCloses(self.connection)

    @property
    def rental_unit_moves(self) -> SqlUnitMoves:
        return SqlUnitMoves(self.connection)

    @property
    def rental_returns(self) -> SqlRentalReturns:
        return SqlRentalReturns(self.connection)

    @property
    def rental_technicians(self) -> SqlRentalTechnicians:
        return SqlRentalTechnicians(self.connection)

    @property
    def rental_visit_policies(self) -> SqlRentalVisitPolicies:
        return SqlRentalVisitPolicies(self.connection)

    @property
    def rental_visits(self) -> SqlRentalVisits:
        return SqlRentalVisits(self.connection)

    @property
    def rental_instalments(self) -> SqlRentalInstalments:
        return SqlRentalInstalments(self.connection)

    @property
    def rental_commissions(self) -> SqlRentalCommissions:
        return SqlRentalCommissions(self.connection)

    @property
    def rental_term_ends(self) -> SqlRentalTermEnds:
        return SqlRentalTermEnds(self.connection)

    @property
    def brand_contracts(self) -> SqlBrandContracts:
        return SqlBrandContracts(self.connection)

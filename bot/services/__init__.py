"""Application services for the parts of the house that have no domain package of their own
(users, roles, audit). Each is a few lines over a unit of work."""

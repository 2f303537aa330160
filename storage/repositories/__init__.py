"""Repositories: one per aggregate, each working on the unit of work's connection."""

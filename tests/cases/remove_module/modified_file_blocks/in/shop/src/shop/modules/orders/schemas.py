"""Schemas changed by hand."""

LIMIT = 10

"""Test support: a private PostgreSQL server, template databases, GraphQL helpers."""

"""The GraphQL schema: strawberry types that call loaders and ``hub`` services, no SQL."""

from schema.build import build_schema

__all__ = ["build_schema"]

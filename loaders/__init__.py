"""DataLoaders, created once per request so that no query runs one statement per row.

Named ``<Model>By<Key>Loader`` after Saleor's convention; each batch is one SQL
statement through a service function in ``hub``.
"""

from loaders.registry import Loaders, create_loaders

__all__ = ["Loaders", "create_loaders"]

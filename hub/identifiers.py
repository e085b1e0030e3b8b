"""Reading numbers out of caller-supplied text: ASCII digits only.

``str.isdigit`` accepts "³" and other Unicode digits that ``int`` then refuses or
reads differently; identifiers, cursors and years are plain ASCII.
"""

from __future__ import annotations

import re

_ASCII_NUMBER = re.compile(r"^-?[0-9]{1,18}$")


def ascii_int(text: str) -> int | None:
    """The integer ``text`` spells in ASCII digits (an optional minus), else None."""
    stripped = text.strip()
    return int(stripped) if _ASCII_NUMBER.match(stripped) else None

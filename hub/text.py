"""Vietnamese text: NFC normalisation and the folded form used to look names up.

Folding makes ``"Đắk Nông"``, ``"ĐẮK NÔNG"``, ``"dak nong"``, ``"dak-nong"`` and the
NFD spelling of the first all equal ``"dak nong"``.
"""

from __future__ import annotations

import re
import unicodedata

_PREFIXES = ("tinh ", "thanh pho ", "tp ", "tp. ")
_SEPARATORS = re.compile(r"[\s\-_.,]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """Remove tone and vowel marks; đ/Đ become d/D (they are letters, not marks)."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: the key names are matched on."""
    folded = strip_diacritics(text).casefold()
    return _SEPARATORS.sub(" ", folded).strip()


def fold_place_name(text: str) -> str:
    """``fold`` without a leading "Tỉnh" / "Thành phố" / "TP.", so both spellings match."""
    folded = fold(text)
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :].strip()
    return folded

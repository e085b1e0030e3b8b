import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.text import fold, fold_place_name, strip_diacritics

SPELLINGS_OF_DAK_NONG = [
    "Đắk Nông",
    "ĐẮK NÔNG",
    "dak nong",
    "Dak Nong",
    "dak-nong",
    "Tỉnh Đắk Nông",
    unicodedata.normalize("NFD", "Đắk Nông"),
    "  đắk   nông ",
]


@pytest.mark.parametrize("spelling", SPELLINGS_OF_DAK_NONG)
def test_every_spelling_of_a_province_folds_to_one_key(spelling):
    assert fold_place_name(spelling) == "dak nong"


def test_d_with_stroke_is_a_letter_not_a_mark():
    assert strip_diacritics("Đđ") == "Dd"


def test_city_prefixes_are_dropped():
    assert fold_place_name("Thành phố Hồ Chí Minh") == "ho chi minh"
    assert fold_place_name("TP. Hồ Chí Minh") == "ho chi minh"


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệóòỏõọốồổỗộớờởỡợ -"))
def test_folding_ignores_normal_form_and_case(text):
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert fold(nfc) == fold(nfd) == fold(nfc.upper()) == fold(nfd.lower())
    assert fold(nfc).isascii()

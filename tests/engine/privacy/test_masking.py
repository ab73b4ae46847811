"""Masked forms of personal fields, for callers without personal_data:read."""

from __future__ import annotations

import pytest

from engine.privacy.masking import mask_address, mask_id_number, mask_mobile, mask_name


@pytest.mark.parametrize(
    ("mobile", "masked"), [("13812345678", "138****5678"), ("1381234", "*******"), ("", ""), (None, None)]
)
def test_a_mobile_keeps_its_first_three_and_last_four_digits(mobile: str | None, masked: str | None) -> None:
    assert mask_mobile(mobile) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [("王小明", "王*明"), ("欧阳晓明", "欧**明"), ("王明", "王*"), ("王", "王"), (None, None)],
)
def test_a_name_keeps_the_family_name_and_a_long_names_last_character(name: str | None, masked: str | None) -> None:
    assert mask_name(name) == masked


def test_an_address_keeps_only_its_city_and_district() -> None:
    assert mask_address("上海市黄浦区西藏南路453号金桥小区24号楼2704室") == "上海市黄浦区****"
    assert mask_address("上海市") == "****"
    assert mask_address(None) is None


def test_an_identity_number_keeps_its_first_three_and_last_four_characters() -> None:
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_id_number(None) is None


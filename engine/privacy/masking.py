"""Masked forms of personal fields for roles without the personal-data permission."""

from __future__ import annotations


def mask_mobile(mobile: str | None) -> str | None:
    """13812345678 -> 138****5678."""
    if mobile is None:
        return None
    if len(mobile) < 8:
        return "*" * len(mobile)
    return f"{mobile[:3]}{'*' * (len(mobile) - 7)}{mobile[-4:]}"


def mask_name(name: str | None) -> str | None:
    """王小明 -> 王*明, 王明 -> 王*: the family name and, when long enough, the last character."""
    if name is None or len(name) <= 1:
        return name
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"


def mask_address(address: str | None, keep: int = 6) -> str | None:
    """Keep the first characters (city and district), hide the street, building and door."""
    if address is None:
        return None
    return address[:keep] + "****" if len(address) > keep else "****"


def mask_id_number(number: str | None) -> str | None:
    """310101199001011234 -> 310***********1234."""
    if number is None:
        return None
    if len(number) < 8:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"

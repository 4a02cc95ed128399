"""Chinese numerals: 二十四 → 24, the characters that write them."""

from __future__ import annotations

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_MULTIPLIERS)


def cn_to_int(numeral: str) -> int | None:
    """二十四 → 24, 十五 → 15, 一百零五 → 105, 二〇二四 → 2024; None when it is not a number (一一, 三五)."""
    if not numeral or not any(c in CN_DIGITS or c == "十" for c in numeral):
        return None
    if not any(c in CN_MULTIPLIERS for c in numeral):
        if len(numeral) == 2:
            return None  # 一一 / 三五 (三五天: three to five days) are no number; 二〇二四 and 七 are
        return int("".join(str(CN_DIGITS[c]) for c in numeral))
    total, digit = 0, None
    for char in numeral:
        if char in CN_DIGITS:
            digit = CN_DIGITS[char]
        else:
            total += (1 if digit is None else digit) * CN_MULTIPLIERS[char]
            digit = None
    return total + (digit or 0)

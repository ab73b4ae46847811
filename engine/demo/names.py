"""Chinese person names, company names and phone numbers for the demo data."""

from __future__ import annotations

import numpy as np

# Common surnames, most frequent first (Shanghai favourites such as 沈, 陆, 顾 included).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严戴孔汤"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉萍红建文辉斌宇浩凯鹏晨婷欣怡佳俊峰雪琳晶慧颖梅丹蕾倩"
    "博子轩涵宁瑞嘉诗雨思睿晓海申立国志成云飞彬亮琪瑶雯悦逸然昊泽"
)
FIRM_WORDS = (
    "恒通",
    "永盛",
    "鑫源",
    "宏达",
    "瑞丰",
    "金桥",
    "新联",
    "嘉和",
    "百汇",
    "德信",
    "华强",
    "申达",
    "汇丰",
    "利民",
    "顺昌",
    "兴隆",
    "东方",
    "长城",
    "宝利",
    "万家",
)

# Zipf-like frequencies: the most common surnames dominate, as they do in real registers.
_SURNAME_P = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.9
_SURNAME_P /= _SURNAME_P.sum()


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` names: a surname and one or (more often) two given-name characters."""
    surnames = rng.choice(len(SURNAMES), size=n, p=_SURNAME_P).tolist()
    first = rng.integers(0, len(GIVEN_CHARS), size=n).tolist()
    second = rng.integers(0, len(GIVEN_CHARS), size=n).tolist()
    two = (rng.random(n) < 0.7).tolist()
    return [
        SURNAMES[s] + GIVEN_CHARS[a] + (GIVEN_CHARS[b] if t else "")
        for s, a, b, t in zip(surnames, first, second, two, strict=True)
    ]


def unique_mobiles(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct mainland mobile numbers, `1[3-9]` followed by nine digits."""
    # 7 second digits x 10^9 endings; sampling without replacement makes them distinct.
    picks = rng.choice(7 * 10**9, size=n, replace=False)
    return [f"1{3 + p // 10**9}{p % 10**9:09d}" for p in picks.tolist()]


def landlines(rng: np.random.Generator, n: int, area_code: str) -> list[str]:
    """`n` eight-digit landline numbers with the area code ("021-64381234")."""
    return [f"{area_code}-{p}" for p in rng.integers(20_000_000, 70_000_000, size=n).tolist()]


def firm_words(rng: np.random.Generator, n: int) -> list[str]:
    """`n` auspicious trade-name words ("恒通", "鑫源"), for company and shop names."""
    return [FIRM_WORDS[i] for i in rng.integers(0, len(FIRM_WORDS), size=n).tolist()]

"""Pinyin keys of names, so that ``zxm`` or ``zhangxm`` finds 张晓明."""

from functools import lru_cache

from pypinyin import lazy_pinyin

# Surnames read differently from the everyday reading of the character.
SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "区": "ou",
    "查": "zha", "盖": "ge", "尉": "yu", "乐": "yue", "覃": "qin", "翟": "zhai",
    "缪": "miao", "召": "shao", "员": "yun", "曲": "qu", "沈": "shen", "秘": "bi",
    "繁": "po",
}  # fmt: skip


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) in lower case without spaces, e.g. ("zxm", "zhangxiaoming")."""
    name = (name or "").strip()
    if not name:
        return "", ""
    syllables = lazy_pinyin(name, errors=lambda chars: [c.lower() for c in chars if c.isalnum()])
    for surname, reading in SURNAME_READINGS.items():
        if name.startswith(surname) and syllables:
            syllables[0] = reading
            break
    syllables = [s.lower() for s in syllables if s]
    return "".join(s[0] for s in syllables), "".join(syllables)

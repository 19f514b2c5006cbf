"""Recognising substitution ciphers, RC4-like stream ciphers and extension tricks.

``tr`` and ``sed y`` are everywhere in genuine configure scripts, but there they
convert case, squeeze blanks or turn one character into another. A cipher is a
*permutation*: characters are swapped or rotated among themselves
(``tr "\\t \\-_" " \\t_\\-"``, ``tr 'a-z' 'n-za-m'``, octal byte rotations), or a
whole alphabet is mapped onto another one.
"""

from __future__ import annotations

import re

_CLASSES = {
    "lower": "abcdefghijklmnopqrstuvwxyz",
    "upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "digit": "0123456789",
    "alpha": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "alnum": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "space": " \t\n\r\f\v",
    "blank": " \t",
    "xdigit": "0123456789ABCDEFabcdef",
    "punct": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
}
_ESC = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "b": "\b"}


def expand_tr_set(spec: str) -> list[str] | None:
    """Expand a ``tr`` set (ranges, escapes, octal, classes); None if not understood."""
    chars: list[str] = []
    i, n = 0, len(spec)

    def one(k: int) -> tuple[str, int]:
        c = spec[k]
        if c != "\\" or k + 1 >= n:
            return c, k + 1
        m = re.match(r"[0-7]{1,3}", spec[k + 1 :])
        if m:
            return chr(int(m.group(), 8) & 0xFF), k + 1 + m.end()
        e = spec[k + 1]
        return _ESC.get(e, e), k + 2

    while i < n:
        if spec.startswith("[:", i):
            j = spec.find(":]", i + 2)
            if j < 0:
                return None
            cls = _CLASSES.get(spec[i + 2 : j])
            if cls is None:
                return None
            chars.extend(cls)
            i = j + 2
            continue
        m = re.match(r"\[(.)\*(\d*)\]", spec[i:])
        if m:
            chars.extend(m.group(1) * (int(m.group(2)) if m.group(2) else 1))
            i += m.end()
            continue
        c, j = one(i)
        if j < n and spec[j] == "-" and j + 1 < n:
            d, k = one(j + 1)
            if ord(d) >= ord(c):
                if ord(d) - ord(c) > 4096:
                    return None
                chars.extend(chr(x) for x in range(ord(c), ord(d) + 1))
                i = k
                continue
        chars.append(c)
        i = j
        if len(chars) > 4096:
            return None
    return chars


def is_cipher_mapping(src: list[str], dst: list[str]) -> bool:
    """True when mapping ``src`` onto ``dst`` permutes characters or maps a whole alphabet."""
    if not src or not dst:
        return False
    mapping: dict[str, str] = {}
    for k, c in enumerate(src):
        mapping.setdefault(c, dst[k] if k < len(dst) else dst[-1])
    moved = {c: t for c, t in mapping.items() if c != t}
    if len(moved) < 2:
        return False
    if all(c.lower() == t.lower() for c, t in moved.items()):
        return False  # case conversion (or swapping case)
    in_domain = sum(1 for t in moved.values() if t in moved)
    if in_domain >= 2:
        return True
    non_case = {t for c, t in moved.items() if c.lower() != t.lower()}
    return len(non_case) >= 8


def tr_is_cipher(args: list[str]) -> bool:
    """``args`` are the words after ``tr``; True for a permuting translation."""
    sets: list[str] = []
    for a in args:
        if a.startswith("-") and len(a) > 1 and not sets:
            if any(f in a[1:] for f in "cCd"):
                return False
            continue
        sets.append(a)
    if len(sets) != 2 or any("$" in s or "`" in s for s in sets):
        return False
    src, dst = expand_tr_set(sets[0]), expand_tr_set(sets[1])
    if src is None or dst is None:
        return False
    return is_cipher_mapping(src, dst)


_SED_Y = re.compile(r"(?:^|[;{}\s])y([^\w\s\\])((?:\\.|(?!\1).)*)\1((?:\\.|(?!\1).)*)\1")


def sed_y_is_cipher(script: str) -> bool:
    for m in _SED_Y.finditer(script):
        a, b = m.group(2), m.group(3)
        if "$" in a or "$" in b:
            continue
        src = expand_tr_set(a.replace("-", "\\-"))
        dst = expand_tr_set(b.replace("-", "\\-"))
        if src and dst and is_cipher_mapping(src, dst):
            return True
    return False


_SWAP = re.compile(
    # t = S[i]; S[i] = S[j]; S[j] = t   (any names, any separators)
    r"(?<!\w)(\w++)\s*=\s*(\w++)\[([^\]\n]+)\]\s*[;,\n]\s*\2\[\3\]\s*=\s*\2\[([^\]\n]+)\]"
    r"\s*[;,\n]\s*\2\[\4\]\s*=\s*\1\b"
    # S[i], S[j] = S[j], S[i]  /  [S[i], S[j]] = [S[j], S[i]]
    r"|(?<!\w)(\w++)\[([^\]\n]+)\]\s*,\s*\5\[([^\]\n]+)\]\s*\]?\s*=\s*\[?\s*\5\[\7\]\s*,"
    r"\s*\5\[\6\]"
)
_BOUND_256 = re.compile(r"(?:<\s*256|<=\s*255|\b256\b|0x100\b|\b255\b|0xff\b)", re.IGNORECASE)
_MIX = re.compile(r"%\s*256|&\s*255|&\s*0xff|\^|\bxor\s*\(|\bbxor\b|\bcompl\b", re.IGNORECASE)


def looks_like_stream_cipher(program: str) -> bool:
    """An RC4-style key schedule: a 256-entry table, element swaps and byte arithmetic."""
    if len(program) > 2_000_000 or "[" not in program:
        return False
    if "256" not in program and "255" not in program and "0xff" not in program.lower():
        return False
    if not _SWAP.search(program):
        return False
    return bool(_BOUND_256.search(program) and _MIX.search(program))


# deriving an extension: sed 's/.*\.//', ${f##*.}, awk -F. '{print $NF}', cut -d. -f2,
# expr "$f" : '.*\.\(.*\)', rev|cut -d. -f1|rev, python splitext, make $(suffix ...)
EXT_SED = re.compile(r"s(.)\^?\.\*\\\.(?:\\\(\.\*\\\))?\1(?:\\1)?\1")
EXT_PARAM = re.compile(r"\$\{[\w\[\]$]+##?\*\.\}")
EXT_EXPR = re.compile(r":\s*['\"]?\.\*\\\.\\\(")
EXT_MAKE = re.compile(r"\$\(suffix\s")

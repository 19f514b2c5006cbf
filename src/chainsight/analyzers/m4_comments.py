"""m4's ``dnl`` comments, shared by the readers of m4 input (the behaviour scanner and
the configure check): m4 discards ``dnl`` and the rest of its line, so neither code
nor words there reach ``configure``."""

from __future__ import annotations

import re

_DNL = re.compile(r"dnl\b")


def strip_dnl(text: str, *, m4_prefixed: bool = False) -> str:
    """``text`` without its ``dnl`` comments, to the end of each line (the newline
    kept, so line numbers stay). ``dnl`` glued to a preceding word character or
    ``$`` is not a comment (``foodnl``, ``$dnl``); with ``m4_prefixed``, m4sugar's
    ``m4_dnl`` is one too. The literal is searched first: fast on large inputs."""
    if "dnl" not in text:
        return text
    out: list[str] = []
    last = 0
    for m in _DNL.finditer(text):
        at = m.start()
        if at < last:
            continue  # inside a comment already dropped
        start = at - 3 if m4_prefixed and at >= 3 and text.startswith("m4_", at - 3) else at
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_$"):
            continue  # part of a longer word
        end = text.find("\n", at)
        out.append(text[last:start])
        last = len(text) if end < 0 else end
    out.append(text[last:])
    return "".join(out)

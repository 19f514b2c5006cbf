"""m4 ``dnl`` comments: what the scanner and the configure check both drop."""

from __future__ import annotations

import pytest

from chainsight.analyzers.m4_comments import strip_dnl


@pytest.mark.parametrize(
    ("text", "plain", "m4sugar"),
    [
        ("dnl at the start\nAC_INIT\n", "\nAC_INIT\n", "\nAC_INIT\n"),
        ("x=1 dnl trailing words\ny=2", "x=1 \ny=2", "x=1 \ny=2"),
        # glued to a word or $: not a comment, and a real one later on the line counts
        ("foodnl kept; dnl dropped\n", "foodnl kept; \n", "foodnl kept; \n"),
        ("v=$dnl_x $dnl kept\n", "v=$dnl_x $dnl kept\n", "v=$dnl_x $dnl kept\n"),
        # m4sugar's m4_dnl only when asked for
        ("a m4_dnl gone\nb\n", "a m4_dnl gone\nb\n", "a \nb\n"),
        ("m4_dnl first\n", "m4_dnl first\n", "\n"),
        ("dnl\n", "\n", "\n"),
        ("no comments here\n", "no comments here\n", "no comments here\n"),
    ],
)
def test_dnl_comments_are_dropped_to_the_end_of_the_line(
    text: str, plain: str, m4sugar: str
) -> None:
    assert strip_dnl(text) == plain
    assert strip_dnl(text, m4_prefixed=True) == m4sugar
    assert strip_dnl(text).count("\n") == text.count("\n")  # line numbers stay

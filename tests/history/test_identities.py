"""Merging names and emails into people."""

from __future__ import annotations

from collections import Counter

from chainsight.history.identities import IdentityIndex, Mailmap, noreply_login, normalise_name


def _index(pairs: list[tuple[str, str]], mailmap: str | None = None) -> IdentityIndex:
    return IdentityIndex(Counter(pairs), Mailmap(mailmap))


def test_same_email_same_name_variants_and_noreply_merge() -> None:
    idx = _index(
        [
            ("Jane Doe", "jane@example.org"),
            ("jane doe", "jdoe@work.example"),  # same name, other email
            ("Doe, Jane", "JANE@example.org"),  # same email, other spelling
            ("Jane Doe", "12345+janed@users.noreply.github.com"),
            ("janed", "janed@elsewhere.example"),  # the forge login
            ("John Roe", "john@example.org"),
        ]
    )
    jane = idx.resolve("Jane Doe", "jane@example.org")
    for pair in [
        ("jane doe", "jdoe@work.example"),
        ("Doe, Jane", "JANE@example.org"),
        ("Jane Doe", "12345+janed@users.noreply.github.com"),
        ("janed", "janed@elsewhere.example"),
    ]:
        assert idx.resolve(*pair) is jane
    assert idx.resolve("John Roe", "john@example.org") is not jane
    assert jane.id == "jane-doe"


def test_mailmap_rewrites_before_merging() -> None:
    mailmap = (
        "Lasse Collin <lasse@tukaani.org> <old@address.example>\n"
        "<new@example.org> Someone Else <someone@old.example>\n"
    )
    idx = _index(
        [
            ("Lasse Collin", "lasse@tukaani.org"),
            ("lasse", "old@address.example"),
            ("Someone Else", "someone@old.example"),
            ("Other", "new@example.org"),
        ],
        mailmap,
    )
    assert idx.resolve("lasse", "old@address.example") is idx.resolve(
        "Lasse Collin", "lasse@tukaani.org"
    )
    assert idx.resolve("Someone Else", "someone@old.example") is idx.resolve(
        "Other", "new@example.org"
    )


def test_generic_names_forge_and_bots_are_not_merged_with_people() -> None:
    idx = _index(
        [
            ("root", "a@host1.example"),
            ("root", "b@host2.example"),
            ("GitHub", "noreply@github.com"),
            ("dependabot[bot]", "bot@example.org"),
            ("Al", "al@x.example"),
            ("Al", "al@y.example"),
        ]
    )
    assert idx.resolve("root", "a@host1.example") is not idx.resolve("root", "b@host2.example")
    assert idx.resolve("GitHub", "noreply@github.com").forge
    assert idx.resolve("dependabot[bot]", "bot@example.org").bot
    # a two-letter single name is too weak to merge on
    assert idx.resolve("Al", "al@x.example") is not idx.resolve("Al", "al@y.example")


def test_helpers() -> None:
    assert normalise_name("Trần  Ngọc-Quân") == normalise_name("ngoc quan tran")
    assert noreply_login("123-someone@users.noreply.gitlab.com") == "someone"
    assert noreply_login("someone@example.org") is None

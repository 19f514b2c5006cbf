"""The .po reader: what msgmerge may change, and where a fuzzy translation may come from."""

from __future__ import annotations

import pytest

from chainsight.analyzers import pofile

HEADER = (
    'msgid ""\nmsgstr ""\n"Project-Id-Version: tool 1.0\\n"\n'
    '"POT-Creation-Date: 2024-01-01 10:00+0000\\n"\n"Language: de\\n"\n'
)
SOURCE = (
    HEADER
    + '\n#: src/a.c:1\nmsgid "%s: %s"\nmsgstr "%s: %s"\n'
    + '\n#: src/a.c:2\nmsgid "Hello"\nmsgstr "Hallo"\n'
    + '\n#: src/a.c:3\nmsgid "Keep going"\nmsgstr ""\n"Weiter"\n"machen"\n'
    + '\n#: src/a.c:4\nmsgid "Secret value"\nmsgstr "Geheim"\n'
)


def merged(extra: str) -> str:
    """The source after msgmerge: new dates and references, plus ``extra`` entries."""
    return (
        SOURCE.replace("2024-01-01 10:00", "2024-03-01 09:00").replace("src/a.c:", "src/a.c:1")
        + extra
    )


@pytest.mark.parametrize(
    "fuzzy_msgstr",
    [
        '"%s: %s"',  # an unchanged entry's translation
        '""\n"Weiter"\n"machen"',  # wrapped like the source
        '"Weitermachen"',  # the same text on one line
    ],
)
def test_fuzzy_translation_from_an_unchanged_entry_is_msgmerge(fuzzy_msgstr: str) -> None:
    artifact = merged(f'\n#, fuzzy\n#: src/b.c:9\nmsgid "%s: %s!"\nmsgstr {fuzzy_msgstr}\n')
    ok, why = pofile.merge_only_changes(SOURCE, artifact)
    assert ok, why


@pytest.mark.parametrize(
    "fuzzy_msgstr",
    [
        '"Hello"',  # in the source, but as a msgid
        '"Hal"',  # part of a translation
        '"Geheim und mehr"',  # longer than one
        '"Neu"',  # nowhere
    ],
)
def test_fuzzy_translation_nobody_wrote_is_not_msgmerge(fuzzy_msgstr: str) -> None:
    artifact = merged(f'\n#, fuzzy\n#: src/b.c:9\nmsgid "Bye"\nmsgstr {fuzzy_msgstr}\n')
    ok, why = pofile.merge_only_changes(SOURCE, artifact)
    assert not ok
    assert "fuzzy translation" in why


def test_msgstr_lookup_needs_a_whole_msgstr_line() -> None:
    quiet = 'msgid "a"\nmsgstr "x"  \n#~ msgstr[1] "y"\nmsgid "z"\n'
    found = pofile._msgstr_in(quiet)
    assert found('"x"')
    assert found('"y"')
    assert not found('"z"')
    assert not found('"a"')


def test_a_reused_translation_needs_no_full_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    """The changed entries alone settle it: the fuzzy translation is found as a msgstr
    line of the whole source, without parsing both files again."""
    calls: list[int] = []
    compare = pofile._compare

    def counting(*args: object, **kwargs: object) -> tuple[bool, str]:
        calls.append(1)
        return compare(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pofile, "_compare", counting)
    artifact = merged('\n#, fuzzy\n#: src/b.c:9\nmsgid "%s: %s!"\nmsgstr "%s: %s"\n')
    ok, why = pofile.merge_only_changes(SOURCE, artifact)
    assert ok, why
    assert len(calls) == 1

"""How m4 output is matched to the words of its inputs (configure_check._Vocabulary)."""

from __future__ import annotations

import pytest

from chainsight.analyzers.configure_check import _Vocabulary
from chainsight.knowledge.autoconf_vocabulary import autoconf_versions, autoconf_words

INPUTS = {"AC_CHECK_LIB", "wolfssh", "am__fastdep", "sh", "elb", "HAVE_LIB", "conf"}


@pytest.mark.parametrize(
    "word",
    [
        "wolfssh",  # as written
        "lwolfssh",  # -l + a library name given to AC_CHECK_LIB
        "am__fastdepCC_TRUE",  # automake's conditional named after an argument
        "sh1234elb",  # sh[[1234]]elb once m4's quotes are gone
        "HAVE_LIBWOLFSSH",  # an AC_DEFINE built from pieces, upper-cased
        "confXXXXXX",  # a mktemp template
        "ab",  # too short to tell anything
    ],
)
def test_words_m4_makes_from_its_inputs_are_accounted_for(word: str) -> None:
    vocabulary = _Vocabulary(INPUTS | {"CC", "TRUE"})
    assert vocabulary.accounts_for(word)


@pytest.mark.parametrize("word", ["zzyzx", "payload_stage", "qxjvbw"])
def test_words_from_nowhere_are_not(word: str) -> None:
    assert not _Vocabulary(INPUTS).accounts_for(word)


def test_two_one_letter_pieces_are_not_enough() -> None:
    vocabulary = _Vocabulary({"conf"})
    assert vocabulary.accounts_for("xconf")
    assert not vocabulary.accounts_for("xyconf")


def test_packaged_vocabulary_covers_autoconf_releases() -> None:
    versions = autoconf_versions()
    assert {"2.69", "2.71", "2.72"} <= set(versions)
    words = autoconf_words()
    assert {"as_fn_error", "ac_config_files", "AS_ECHO", "ac_cv_prog_CC"} & words
    assert len(words) > 5000


def _reference_words(text: str) -> set[str]:
    """The definition, written plainly: dnl comments (not glued to a word or ``$``)
    and ``#`` comment lines (not C preprocessor lines) dropped, words read as written
    and with quotes removed."""
    import re

    text = re.sub(r"(?<![\w$])dnl\b[^\n]*", "", text)
    directive = (
        r"(?:include|define|undef|if|ifdef|ifndef|elif|else|endif|pragma|error|warning|line)"
    )
    text = re.sub(
        r"^[ \t]*#(?![ \t]*" + directive + r"\b)[^\n]*", "", text, flags=re.MULTILINE
    ).replace("@&t@", "")
    word = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
    return set(word.findall(text)) | set(word.findall(text.replace("[", "").replace("]", "")))


@pytest.mark.parametrize(
    "text",
    [
        "dnl leading comment words\nAC_INIT([pkg], [1.0])\n",
        "x=$dnl_value foodnl kept; dnl dropped words\n",
        "sh[[1234]]elb and [quoted] a]bcd e[]fgh [[ijk]]lmn]]\n",
        "  # shell comment words\nAS_IF([test yes], [echo@&t@ done])\n",
        # a C preprocessor line quoted in a test program is not an m4 comment (less 590)
        '[#include <langinfo.h>], [setlocale(LC_CTYPE,""); iscntrl(0);],\n',
        '#include <langinfo.h>], [setlocale(LC_CTYPE,""); iscntrl(0);],\n',
        "edge[run]\n[start]of_run end_of[run]",
        "",
    ],
)
def test_input_words_follow_their_definition(text: str) -> None:
    from chainsight.analyzers.configure_check import _words_of_input

    assert _words_of_input(text) == _reference_words(text)


def test_code_after_a_quoted_include_line_is_input() -> None:
    from chainsight.analyzers.configure_check import _words_of_input

    words = _words_of_input('#include <langinfo.h>], [setlocale(LC_CTYPE,""); iscntrl(0);],\n')
    assert {"iscntrl", "setlocale", "langinfo"} <= words
    assert "ignored" not in _words_of_input("# an ignored comment\n")

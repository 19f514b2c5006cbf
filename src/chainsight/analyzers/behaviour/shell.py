"""Behaviour of shell build code: configure, m4 macros, Makefiles, build-aux scripts.

The analyzer follows data, not strings. Each pipeline stage is reduced to what it
does to the data that flows through it (decode, decipher, slice, read a fixture,
download) and variables and files carry those tags from where they are assigned
to where they are used. A decoder whose output reaches an interpreter — through a
pipe, ``eval``, ``sh -c``, ``source <(...)``, a variable or a temporary file — is
the strong signal; the rest are the medium or weak signals of issue 3.

Only lines that could matter are parsed (a fast regular-expression pre-filter), so
a 25 000-line ``configure`` costs little. Nothing is ever executed.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import posixpath
import re
from collections.abc import Iterable
from typing import Any

from chainsight.analyzers.behaviour import _flow as F
from chainsight.analyzers.behaviour._flow import Flow, Hit
from chainsight.analyzers.behaviour._shlex import Pipeline, Stage, Word, iter_pipelines, lex
from chainsight.analyzers.behaviour.ciphers import (
    EXT_EXPR,
    EXT_MAKE,
    EXT_PARAM,
    EXT_SED,
    looks_like_stream_cipher,
    sed_y_is_cipher,
    tr_is_cipher,
)
from chainsight.analyzers.m4_comments import strip_dnl
from chainsight.model import Severity

# ------------------------------------------------------------------ vocabulary

SHELLS = frozenset(
    {"sh", "bash", "dash", "ksh", "zsh", "ash", "mksh", "yash", "posh", "busybox", "csh", "tcsh"}
)
_SCRIPT_INTERP = re.compile(
    r"^(?:python[\d.]*|pypy[\d.]*|perl[\d.]*|ruby|node|nodejs|php[\d.]*|lua[\d.]*|tclsh"
    r"|Rscript|pwsh)$"
)
_SHELL_VARS = frozenset(
    {"SHELL", "CONFIG_SHELL", "BASH", "SH", "ZSH", "KSH", "as_shell", "POSIX_SHELL"}
)
_COMPRESSORS = frozenset(
    {
        "xz",
        "lzma",
        "lzip",
        "plzip",
        "zstd",
        "pzstd",
        "lz4",
        "gzip",
        "pigz",
        "bzip2",
        "lbzip2",
        "pbzip2",
        "brotli",
        "compress",
        "lzop",
        "lrzip",
        "lzmadec",
        "xzdec",
    }
)
_DECOMPRESSORS = frozenset(
    {
        "unxz",
        "xzcat",
        "unlzma",
        "lzcat",
        "zcat",
        "gunzip",
        "gzcat",
        "bunzip2",
        "bzcat",
        "unzstd",
        "zstdcat",
        "lz4cat",
        "unlz4",
        "uncompress",
        "funzip",
        "lzmadec",
        "xzdec",
        "uudecode",
        "uudeview",
        "rev",
    }
)
_BASE_CODECS = frozenset({"base64", "base32", "basenc", "base58", "base85"})
_READERS = frozenset(
    {
        "cat",
        "tac",
        "head",
        "tail",
        "dd",
        "sed",
        "gsed",
        "awk",
        "gawk",
        "mawk",
        "nawk",
        "grep",
        "egrep",
        "fgrep",
        "rg",
        "od",
        "xxd",
        "hexdump",
        "hd",
        "strings",
        "cut",
        "sort",
        "perl",
        "base64",
        "base32",
        "basenc",
        "openssl",
        "tr",
        "paste",
        "fold",
        "iconv",
        "cmp",
        "diff",
        "comm",
    }
)
_NET_CMDS = frozenset(
    {"curl", "wget", "aria2c", "nc", "ncat", "netcat", "socat", "telnet", "ftp", "tftp", "lftp"}
)
_UNPACKERS = frozenset({"tar", "gtar", "bsdtar", "cpio", "unshar", "pax", "unzip", "ar"})
_KEYWORDS = frozenset(
    {"if", "then", "else", "elif", "do", "while", "until", "!", "time", "{", "}", "in"}
)
_WRAPPERS = frozenset(
    {
        "command",
        "builtin",
        "exec",
        "nohup",
        "time",
        "sudo",
        "doas",
        "nice",
        "stdbuf",
        "timeout",
        "env",
        "setsid",
        "ionice",
        "chronic",
    }
)
_BUILD_FILE = re.compile(
    r"(?:^|/)(?:GNUmakefile|[Mm]akefile(?:\.in|\.am)?|libtool|config\.status|config\.h"
    r"|CMakeLists\.txt|build\.ninja|meson\.build|[^/\s]+\.(?:mk|cmake|ninja))$"
)
_SOURCE_FILE = re.compile(r"\.(?:c|h|cc|cpp|cxx|hh|hpp|S|s|asm|rs|go|py|m4)$")
_DEV_BENIGN = re.compile(r"^/dev/(?:null|zero|u?random|tty|stdout|stderr)$")
_DEV_INPUT = re.compile(r"^/dev/(?:null|zero|u?random|tty)$")
_ASSIGN = re.compile(r"^([A-Za-z_](?:\w|\[\$?\w+\])*)(\+?)=(.*)$", re.S)
_VARREF = re.compile(r"\$\{?([A-Za-z_](?:\w|\[\$?\w+\])*)")
_PURE_VAR = re.compile(
    r"^\$(?:\{([A-Za-z_](?:\w|\[\$?\w+\])*)(?:(:?[-=?+])([^}]*))?\}"
    r"|([A-Za-z_](?:\w|\[\$?\w+\])*))$"
)
_PURE_SUBST = re.compile(r"^(?:\$\(.*\)|`.*`)$", re.S)
_SILENCE = re.compile(
    r"2>\s*/dev/null|&>\s*/dev/null|>\s*/dev/null\s+2>&1|\|\|\s*(?:true|:)(?:\s|;|$)"
)
_ENV_STRONG = re.compile(
    r"debian/rules|RPM_(?:ARCH|BUILD_ROOT|PACKAGE_\w+|OPT_FLAGS)\b|DEB_(?:BUILD|HOST|TARGET)_\w+"
    r"|dpkg-buildpackage|rpmbuild\b|/etc/(?:debian_version|redhat-release|fedora-release)"
    r"|DEBIAN_FRONTEND"
)
_ENV_WEAK = re.compile(
    r"\buname\s+-[a-z]*m|\bx86_64\b|-\-version\b.*\|\s*(?:e?grep|sed|head)|\bld\b.*\b-v\b.*grep"
    r"|linux-gnu\b|\bGITHUB_ACTIONS\b|\bGITLAB_CI\b|\bTRAVIS\b|\bJENKINS_URL\b|\$\{?CI\b"
)
# lines that deserve a full parse (sources of tags); each alternative starts with a
# cheap character test so that the scan costs ~15 ms per megabyte
_CMD_WORDS = (
    r"xz|unxz|xzcat|lzma|unlzma|lzcat|lzip|zstd|unzstd|zstdcat|lz4|lz4cat|unlz4|gzip|pigz|gunzip"
    r"|zcat|gzcat|bzip2|bunzip2|bzcat|brotli|base64|base32|basenc|openssl|uudecode|uudeview|xxd"
    r"|rev|gpg2?|unzip|uncompress|tr|head|tail|dd|od|hexdump|strings|find|cut|curl|wget|nc|ncat"
    r"|netcat|socat|aria2c|ftp|tftp|telnet|lftp|iconv|dc|msgexec|msgunfmt"
    r"|\$\{?(?:XZ|GZIP_PROG|BASE64|OPENSSL|CURL|WGET)\b"
)
_PRE = r"[\s|;&(`\"'=\[{]"
_TRIGGER = re.compile(
    _PRE + r"(?:" + _CMD_WORDS + r")(?=[\s;|&)`\"'\]]|$)"
    r"|" + _PRE + r"(?:python[\d.]*|perl|node|nodejs|ruby|php)\s+(?:-\w+\s+)*-[cepE]\b"
    r"|" + _PRE + r"(?:grep|egrep|fgrep|rg|\$\{?E?GREP\}?)\s+(?:-\w+\s+)*"
    r"(?:-[a-zA-Z]*[arR]|--binary-files|--text|--recursive)"
    r"|" + _PRE + r"(?:sed|gsed|\$\{?SED\}?)\s+(?:-\w+\s+)*(?:-[a-zA-Z]*i|--in-place)"
    r"|" + _PRE + r"(?:done|fi|esac|\}|\))\s*\|"
    r"|" + _PRE + r"git\s+(?:clone|fetch|pull)\b"
    r"|" + _PRE + r"expr\s+substr\s"
    r"|" + _PRE + r"(?:mv|cp)\s[^\n]*(?:[Mm]akefile|libtool|config\.status)\b"
    r"|" + _PRE + r"y([%/|,:#@!])[^\n]*?\1[^\n]*?\1"
    r"|\|\s*(?:\$\{?\w*SHELL\b|\$\{?\w*(?:PYTHON|PERL)\b|(?:/[\w.]+)*/?(?:ba|da|k|z)?sh\b"
    r"|(?:source|\.)\s+/dev/stdin|python|perl|node|ruby)"
    r"|<\(|/dev/(?:tcp|udp)/|>>\s*[^\s>]*(?:[Mm]akefile|libtool)\b|\.\*\\\.|##\*\.|\b256\b"
    r"|\$NF\b|\$\(suffix\s|\\x[0-9a-fA-F]{2}\\x|(?:\\0?[0-7]{3}){4}"
    r"|[\s\"'/=(](?:tests?|testdata|test-data|fixtures?|testsuite)/"
    r"|\.(?:xz|lzma|lz|lz4|zst|gz|bz2|bin|dat|raw|blob|enc|pak|img)(?=[\s\"'}):;*]|$)"
)


_OBSCURE_CHARSETS = re.compile(
    r"(?i)^(?:utf-?7|utf-?16\w*|ucs-?2\w*|ucs-?4\w*|utf-?32\w*|ebcdic\w*|ibm0?37|cp0?37|cp500)$"
)
_PY_DECODER_MODULES = frozenset({"base64", "quopri", "uu", "binascii", "gzip", "bz2", "lzma"})


def _iconv_obscure_source(args: list[str]) -> bool:
    """``iconv -f UTF-7``: text converted from an encoding nobody writes sources in."""
    for i, a in enumerate(args):
        value = None
        if a in ("-f", "--from-code") and i + 1 < len(args):
            value = args[i + 1]
        elif a.startswith(("--from-code=", "-f")) and len(a) > 2:
            value = a.split("=", 1)[1] if "=" in a else a[2:]
        if value and _OBSCURE_CHARSETS.match(value.split("//")[0]):
            return True
    return False


def _makefile_from_stdin(args: list[str]) -> bool:
    """``make -f -``, ``make -f /dev/stdin``, ``make --file=-``."""
    for i, a in enumerate(args):
        value = None
        if a in ("-f", "--file", "--makefile") and i + 1 < len(args):
            value = args[i + 1]
        elif a.startswith(("--file=", "--makefile=")):
            value = a.split("=", 1)[1]
        elif a.startswith("-f") and len(a) > 2:
            value = a[2:]
        elif re.fullmatch(r"-[a-zA-Z]*f", a) and i + 1 < len(args):  # -sf -
            value = args[i + 1]
        if value in ("-", "/dev/stdin", "/proc/self/fd/0"):
            return True
    return False


def _msgexec_command(args: list[str]) -> list[str]:
    """The command msgexec runs (its first word after the options)."""
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-i", "--input", "-D", "--directory"):
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        return args[i:]
    return []


def _msgexec_inputs(args: list[str]) -> list[str]:
    return [
        args[i + 1]
        for i, a in enumerate(args[:-1])
        if a in ("-i", "--input") and args[i + 1] != "-"
    ]


def _python_module_decoder(name: str, args: list[str]) -> bool:
    """``python3 -m quopri -d``, ``python -m base64 -d``: a standard-library decoder."""
    if not re.fullmatch(r"python[\d.]*|pypy3?", name) or "-m" not in args:
        return False
    i = args.index("-m")
    return (
        i + 1 < len(args)
        and args[i + 1] in _PY_DECODER_MODULES
        and any(a in ("-d", "-u", "--decode", "--decompress") for a in args[i + 2 :])
    )


def _trie(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words``, factored as a trie (fast to scan)."""
    tree: dict[str, dict[str, Any]] = {}
    for w in words:
        d = tree
        for c in w:
            d = d.setdefault(c, {})
        d[""] = {}

    def emit(d: dict[str, Any]) -> str:
        alts = [re.escape(k) + emit(v) for k, v in sorted(d.items()) if k]
        if not alts:
            return ""
        out = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + out + ")?" if "" in d else out

    return emit(tree)


_PLAIN_WORDS = [*re.findall(r"[a-z][a-z0-9]+", _CMD_WORDS.split("|\\$")[0]), "gpg"]
_QUAL_WORDS = [
    "python",
    "python2",
    "python3",
    "perl",
    "node",
    "nodejs",
    "ruby",
    "php",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "sed",
    "gsed",
    "git",
    "y",
    "GREP",
    "EGREP",
    "SED",
    "XZ",
    "GZIP_PROG",
    "mv",
    "cp",
    "BASE64",
    "OPENSSL",
    "CURL",
    "WGET",
]
_PREFILTER_PLAIN = re.compile(r"[\s|;&(`\"'=\[{/]" + _trie(_PLAIN_WORDS) + r"(?=[\s;|&)`\"'\]])")
_PREFILTER_QUAL = re.compile(
    r"[\s|;&(`\"'=\[{/$]" + _trie(_QUAL_WORDS) + r"(?=[\s;|&)`\"'\]/%,:#@!}])"
)
_LIT_PIECES: tuple[tuple[str, str], ...] = (
    (
        "|",
        r"\|\s*(?:\$\{?\w*SHELL\b|\$\{?\w*(?:PYTHON|PERL)\b|(?:/[\w.]+)*/?(?:ba|da|k|z)?sh\b"
        r"|(?:source|\.)\s+/dev/stdin|python|perl|node|ruby|eval\b|xargs\b|source\b|\.\s)",
    ),
    ("<(", r"<\("),
    ("/dev/", r"/dev/(?:tcp|udp)/"),
    (">>", r">>\s*[^\s>]*(?:[Mm]akefile|libtool)\b"),
    (".*\\.", r"\.\*\\\."),
    ("##*.", r"##\*\."),
    ("256", r"256\b"),
    ("$NF", r"\$NF\b"),
    ("expr substr", r"expr\s+substr\s"),
    ("msgexec", r"msgexec\s"),
    # m4's translit outside m4 (a printf | m4 pipeline): a substitution cipher. (Not
    # `make -f -` itself: automake's configure pipes its depfiles rules there.)
    ("translit", r"\btranslit\s*\("),
    ("$(suffix", r"\$\(suffix\s"),
    ("\\x", r"\\x[0-9a-fA-F]{2}\\x"),
    ("\\", r"\\0?[0-7]{3}\\0?[0-7]{3}\\0?[0-7]{3}\\0?[0-7]{3}"),
    (".", r"\.(?:xz|lzma|lz|lz4|zst|gz|bz2|bin|dat|raw|blob|enc|pak|img)(?=[\s\"'}):;*]|$)"),
)
_TEST_NEEDLES = (
    "tests/",
    "test/",
    "testdata/",
    "test-data/",
    "testsuite/",
    "fixture/",
    "fixtures/",
)


@functools.lru_cache(maxsize=64)
def _lit_regex(present: tuple[bool, ...]) -> re.Pattern[str] | None:
    pieces = [rx for (_, rx), on in zip(_LIT_PIECES, present, strict=True) if on]
    return re.compile("|".join(pieces)) if pieces else None


_COMMENT_LINE = re.compile(r"^[ \t]*#.*$", re.M)
_RECIPE_PREFIX = re.compile(r"^\t[@+\-\s]*", re.M)
_MAKE_NAME = re.compile(r"[.-]")
_M4_LEADING_QUOTE = re.compile(r"^([ \t]*)\[(?=[^\s\]])", re.M)
_M4_ARG_SEP = re.compile(r"\][ \t]*,[ \t]*\[?|\][ \t]*\)")
_M4_QUADRIGRAPHS = (("@<:@", "["), ("@:>@", "]"), ("@S|@", "$"), ("@%:@", "#"), ("@&t@", ""))
_PAREN_AFTER_WORD = re.compile(r"(?<=\w)\(\[?")


def _m4_macro_calls(text: str) -> str:
    """Turn ``MACRO([`` into a command separator so that macro arguments read as shell.
    Macros are autoconf's (``AC_…``, ``gl_…``, ``m4_…``, ``_AC_…``); an all-lowercase
    name before ``(`` is code in a macro argument (an awk program's ``sprintf(``)."""
    out: list[str] = []
    last = 0
    for m in _PAREN_AFTER_WORD.finditer(text):
        k = m.start()
        while k > 0 and (text[k - 1].isalnum() or text[k - 1] == "_"):
            k -= 1
        if k < last or text[k].isdigit() or (k > 0 and text[k - 1] in "$@"):
            continue
        word = text[k : m.start()]
        if word.islower() and not word.startswith(("m4_", "_")):
            continue  # sprintf(, system(, h(: awk or shell code, not an autoconf macro
        out.append(text[last:k])
        out.append(" ; ")
        last = m.end()
    out.append(text[last:])
    return "".join(out)


_MAKE_ASSIGN = re.compile(r"^([A-Za-z_][\w.-]*)\s*(?::{1,3}|\+|\?|!)?=\s?(.*)$")
_MAKE_VAR = re.compile(r"\$[({]([A-Za-z_][\w.-]*)(?::[^)}\n]*)?[)}]")
_AWK_DECODE = re.compile(
    r"printf\s*\(?\s*\"[^\"]*%c|sprintf\s*\(\s*\"%c|\bstrtonum\s*\(|\bxor\s*\("
)
_AWK_RUNS = re.compile(r"\bsystem\s*\(|\|\s*\"|\|&")
"""awk running a command: ``system(cmd)``, ``print … | "cmd"``, ``|&`` (gawk)."""
_ESCAPED_BYTES = re.compile(r"(?:\\x[0-9a-fA-F]{2}){8}|(?:\\0?[0-7]{3}){8}")
_VARS_ONLY_WORD = re.compile(r"[^\s|;&]*\$[^\s|;&]*")
"""One word with a variable in it (``$a${b}``, ``x$y``): a value, not a command line."""
_ESCAPE_OF_VARIABLE = re.compile(r"\\(?:0|x)?\$\{?\w")
"""A printf format that makes an escape of a variable's value (``\\$b``, ``\\x$h``):
bytes rebuilt from numbers the data holds."""
_ESCAPE_RUN = re.compile(r"(?:\\x[0-9a-fA-F]{2}){2}|(?:\\0?[0-7]{3}){2}")
"""Two bytes in a row spelled as escapes: a variable holding part of an escaped payload."""
_NET_ARG = re.compile(
    r"://|^--?[A-Za-z]|^[\w-]+(?:\.[\w-]+)+[:/]|^[\w.-]+@[\w.-]+|^\d+\.\d+\.\d+\.\d+"
    r"|\$\{?(?:\w+_)?(?:URL|URI|HOST|SERVER|REPO|SITE|MIRROR|url|uri|host|server|repo|site"
    r"|mirror)S?(?:_\w+)?\}?$"
)
_CODE_LIKE = re.compile(r"[|;`<>\"']|\$[({\w]|\s-{1,2}[A-Za-z]")
_BLOB = re.compile(r"[A-Za-z0-9+/=_-]{48,}|(?:[0-9a-fA-F]{2}){24,}|(?:\\x[0-9a-fA-F]{2}){16,}")
_HEREDOC = re.compile(r"<<(-?)\s*\\?(['\"]?)([\w.-]+)\2")

MAX_DEPTH = 8
_PROPAGATE = frozenset(
    {
        F.DECODE,
        F.CIPHER,
        F.DATA,
        F.FIXPATH,
        F.TEXTPATH,
        F.SLICE,
        F.NET,
        F.EXTCMD,
        F.BLOB,
        F.TESTTEXT,
    }
)


_NORM_TABLE = str.maketrans("", "", "[]$")


def _norm(name: str) -> str:
    return name.translate(_NORM_TABLE) if "[" in name else name


def _is_interp_name(name: str | None) -> bool:
    if not name:
        return False
    return (
        name in SHELLS
        or bool(_SCRIPT_INTERP.match(name))
        or "SHELL" in name
        or name in ("eval", "source", ".", "xargs")
    )


def _base(word: str) -> str:
    w = word.strip("[(\"'")
    w = w.rstrip("],)")
    return posixpath.basename(w) if "/" in w else w


def _is_decode_flag(args: list[str]) -> bool:
    for a in args:
        if a in ("--decompress", "--uncompress", "--decode", "--stdout-decompress"):
            return True
        if re.fullmatch(r"-[A-Za-z0-9]*d[A-Za-z0-9]*", a):
            return True
    return False


def _runs_code(command: str) -> bool:
    """Whether a command name (with arguments) runs its input or arguments as code."""
    words = command.split()
    if not words:
        return False
    name = _base(words[0])
    return (
        name in ("eval", "exec", "source", ".")
        or name in SHELLS
        or bool(_SCRIPT_INTERP.match(name))
    )


def _sev_for_flow(flow: Flow) -> Severity:
    return Severity.CRITICAL if (F.DATA in flow.tags or F.SLICE in flow.tags) else Severity.HIGH


# ================================================================== analyzer


class ShellAnalyzer:
    """Analyse one shell-ish file (dialect ``sh``, ``m4`` or ``make``)."""

    def __init__(
        self,
        text: str,
        dialect: str = "sh",
        path: str = "",
        extern_flows: dict[str, Flow] | None = None,
        extern_literals: dict[str, list[str]] | None = None,
    ) -> None:
        self.dialect = dialect
        self.path = path
        self.test_tree = F.in_test_tree(path)
        self.hits: list[Hit] = []
        self.extern_flows = extern_flows or {}
        self.extern_literals = extern_literals or {}
        self.lines = self._preprocess(text)
        self.n = len(self.lines)
        self.mode: list[str | None] = [None] * self.n
        self.side_bodies: list[tuple[str, int, str]] = []  # (mode, first line idx, body)
        self._joined = "\n" + "\n".join(self.lines) + "\n"
        self._starts = list(
            itertools.accumulate((len(ln) + 1 for ln in self.lines[:-1]), initial=1)
        )
        self._find_heredocs()
        self._assigns: dict[str, list[tuple[Word | None, str, int]]] = {}
        self._raw_names: dict[str, str] = {}
        self._collected: set[int] = set()
        self._chunks: dict[int, tuple[int, int, str, list[Pipeline]]] = {}
        self._var_flow_cache: dict[str, Flow] = {}
        self._resolving: dict[str, Flow] = {}
        """The variables being resolved, innermost last, each with the flow of the
        assignments read so far."""
        self._code_cache: dict[str, Flow] = {}
        self._lex_cache: dict[str, list[Pipeline]] = {}
        self.tainted: dict[str, Flow] = {}
        self._appended: set[str] = set()
        self._fds: dict[str, str] = {}
        """File descriptors opened for reading by ``exec N<file`` -> file, as written."""

    # -------------------------------------------------------------- preprocessing
    def _preprocess(self, text: str) -> list[str]:
        # whole-text substitutions (each pattern stays within one line): fast and
        # line numbers are preserved
        if self.dialect == "m4":
            for a, b in _M4_QUADRIGRAPHS:
                if a in text:
                    text = text.replace(a, b)
            text = strip_dnl(text, m4_prefixed=True)
            text = _COMMENT_LINE.sub("", text)
            text = _m4_macro_calls(text)
            text = _M4_ARG_SEP.sub(" ; ", text)
            text = _M4_LEADING_QUOTE.sub(r"\1 ", text)
        elif self.dialect == "make":
            text = _COMMENT_LINE.sub("", text)
            text = _RECIPE_PREFIX.sub("\t", text)
            text = self._make_to_sh(text)
        return text.split("\n")

    @staticmethod
    def _make_to_sh(text: str) -> str:
        if "$" not in text:
            return text
        text = text.replace("$$", "\x00").replace("$(shell ", "$(")
        text = _MAKE_VAR.sub(lambda m: "${" + _MAKE_NAME.sub("_", m.group(1)) + "}", text)
        return text.replace("\x00", "$")

    def _find_heredocs(self) -> None:
        lines = self.lines
        cands: list[int] = []
        pos = self._joined.find("<<")
        while pos >= 0:
            k = self._line_index(pos)
            if not cands or cands[-1] != k:
                cands.append(k)
            pos = self._joined.find(
                "<<", self._starts[k] + len(lines[k]) if k < self.n else pos + 2
            )
        next_free = 0
        for i in cands:
            if i < next_free:
                continue
            ln = lines[i]
            m = None
            for cand in _HEREDOC.finditer(ln):
                if ln[cand.start() - 1 : cand.start()] == "<" or ln.startswith("<<<", cand.start()):
                    continue
                m = cand
                break
            if m is None:
                continue
            delim, strip_tabs = m.group(3), m.group(1) == "-"
            end = None
            for j in range(i + 1, min(self.n, i + 20000)):
                cand_line = lines[j].lstrip("\t") if strip_tabs else lines[j]
                if cand_line.rstrip("\r") == delim:
                    end = j
                    break
            if end is None:
                continue
            mode = self._heredoc_mode(ln, m.start())
            if mode == "shell":
                continue  # the body is ordinary code (e.g. config.status); keep scanning inside
            for j in range(i + 1, end + 1):
                self.mode[j] = "skip"
            if mode != "skip" and end > i + 1:
                self.side_bodies.append((mode, i + 1, "\n".join(lines[i + 1 : end])))
            next_free = end + 1

    @staticmethod
    def _heredoc_mode(line: str, at: int) -> str:
        head = line[:at]
        seg = re.split(r"[;&]|\|\|", head)[-1]
        stages = seg.split("|")
        first = stages[0].strip()
        cmd = re.sub(r"^(?:\w+=\S*\s+)*", "", first).split(" ")[0] if first else ""
        cmd = _base(cmd)
        piped_to = line[at:].split("|")[1:] if "|" in line[at:] else []
        for s in [cmd, *[p.strip().split(" ")[0] for p in piped_to]]:
            b = _base(s)
            if b in SHELLS or re.search(r"\$\{?(?:SHELL|CONFIG_SHELL)\b", s):
                return "shell"
            if re.match(r"python[\d.]*$", b):
                return "python"
            if b in ("node", "nodejs"):
                return "js"
            if b in ("awk", "gawk", "mawk", "nawk"):
                return "awk"
            if re.match(r"perl[\d.]*$", b):
                return "perl"
        target = re.search(r">>?\s*\"?([^\s\"<>|;&]+)", line)
        if target:
            t = target.group(1)
            tb = _base(t)
            if tb.startswith(("conftest", "confdefs", "conf$$")) or "conftest" in t:
                return "skip"
            if re.search(
                r"\.(?:c|h|cc|cpp|cxx|m|f|f90|java|go|sed|y|l|txt|log|def|sym|ver|map"
                r"|xml|html|texi|po|pot|rc|cs|swift|d|pas|adb|ads|s|S|inc)\"?$",
                t,
            ):
                return "skip"
            if t.endswith(".awk"):
                return "awk"
            if t.endswith(".py"):
                return "python"
            if t.endswith((".js", ".cjs", ".mjs")):
                return "js"
            return "shell"
        return "skip"

    # -------------------------------------------------------------- chunks
    def _chunk(self, i: int) -> tuple[int, int, str, list[Pipeline]]:
        got = self._chunks.get(i)
        if got is not None:
            return got
        lines = self.lines
        start = i
        while (
            start > 0
            and i - start < 60
            and lines[start - 1].endswith("\\")
            and (self.mode[start - 1] != "skip")
        ):
            start -= 1
        end = i
        while end + 1 < self.n and end - i < 60 and lines[end].endswith("\\"):
            end += 1
        text = "\n".join(lines[start : end + 1])
        pipes, complete = lex(text)
        if not complete and lines[start].count("'") % 2:
            # a line that closes a single-quoted string opened above it (an awk or
            # sed program over several lines): the command starts where the quote does
            for s2 in range(start - 1, max(-1, start - 40), -1):
                if self.mode[s2] == "skip":
                    break
                t2 = "\n".join(lines[s2 : end + 1])
                p2, c2 = lex(t2)
                if c2:
                    start, text, pipes, complete = s2, t2, p2, True
                    break
        if not complete:
            e2 = end
            while e2 + 1 < self.n and e2 - start < 60 and self.mode[e2 + 1] != "skip":
                e2 += 1
                t2 = "\n".join(lines[start : e2 + 1])
                p2, c2 = lex(t2)
                if c2:
                    end, text, pipes = e2, t2, p2
                    break
        res = (start, end, text, pipes)
        for k in range(start, end + 1):
            self._chunks[k] = res
        return res

    def _line_of(self, text: str, base: int, pos: int) -> int:
        if pos <= 0:
            return base
        return base + text.count("\n", 0, pos)

    # -------------------------------------------------------------- driver
    def _line_index(self, pos: int) -> int:
        return max(0, min(self.n - 1, bisect.bisect_right(self._starts, pos) - 1))

    def _collect(self, start: int) -> None:
        """Record the assignments made in an interesting chunk."""
        if start in self._collected:
            return
        self._collected.add(start)
        c_start, _end, text, pipes = self._chunks[start]
        if self.dialect == "make" and not text.startswith("\t"):
            m = _MAKE_ASSIGN.match(text.replace("\\\n", " "))
            if m:
                name = m.group(1).replace(".", "_").replace("-", "_")
                self._add_assign(name, name, None, m.group(2), c_start + 1)
                return
        for p in iter_pipelines(pipes):
            for st in p.stages:
                ws = st.words
                if not ws:
                    continue
                line = self._line_of(text, c_start + 1, ws[0].pos)
                if ws[0].text == "for" and len(ws) > 2:
                    for w in ws[3:]:
                        if w.text in ("do", ";"):
                            break
                        self._add_assign(_norm(ws[1].text), ws[1].text, w, w.text, line)
                    continue
                lead = 0
                while lead < len(ws) - 1 and ws[lead].text in _KEYWORDS:
                    lead += 1  # while read …, if read …
                if ws[lead].text == "exec" and lead == len(ws) - 1:
                    for r in st.redirs:  # exec 3<file: descriptor 3 reads file from now on
                        fd = re.fullmatch(r"(\d)<", r.op)
                        if fd and r.target is not None:
                            self._fds[fd.group(1)] = r.target.raw
                    continue
                if ws[lead].text == "read":
                    for r in st.redirs:
                        source = r.target.raw if r.target is not None else None
                        dup = re.fullmatch(r"0?<&(\d)", r.op)
                        if dup:  # read … <&3
                            source = self._fds.get(dup.group(1))
                        elif not r.op.endswith("<"):
                            source = None
                        if source is None:
                            continue
                        for w in ws[lead + 1 :]:
                            if not w.text.startswith("-"):
                                self._add_assign(
                                    _norm(w.text), w.text, None, f"$(cat {source})", line
                                )
                    continue
                k = 1 if ws[0].text in ("export", "local", "readonly", "declare", "typeset") else 0
                while k < len(ws):
                    m = _ASSIGN.match(ws[k].text)
                    if not m:
                        break
                    vw = self._value_word(ws[k], m)
                    self._add_assign(
                        _norm(m.group(1)),
                        m.group(1),
                        vw,
                        vw.text,
                        self._line_of(text, c_start + 1, ws[k].pos),
                    )
                    k += 1

    def _add_assign(self, name: str, raw: str, w: Word | None, val: str, line: int) -> None:
        self._assigns.setdefault(name, []).append((w, val, line))
        self._raw_names.setdefault(name, raw)

    def _interesting(self, i: int, chunks: dict[int, None]) -> None:
        if self.mode[i] == "skip":
            return
        start = self._chunk(i)[0]
        if start not in chunks:
            chunks[start] = None
            self._collect(start)

    def run(self) -> list[Hit]:
        chunks: dict[int, None] = {}
        joined = self._joined
        lit = _lit_regex(tuple(anchor in joined for anchor, _ in _LIT_PIECES))
        for rx in (_PREFILTER_PLAIN, lit):
            if rx is None:
                continue
            for m in rx.finditer(joined):
                self._interesting(self._line_index(m.end() - 1), chunks)
        for needle in _TEST_NEEDLES:
            pos = joined.find(needle)
            while pos >= 0:
                if joined[pos - 1] in " \t\n\"'/=(":
                    self._interesting(self._line_index(pos), chunks)
                pos = joined.find(needle, pos + 1)
        for fd in list(self._fds):  # reads from a descriptor opened on a data file
            for m in re.finditer(r"<&\s*" + fd + r"(?!\d)", joined):
                self._interesting(self._line_index(m.start()), chunks)
        cands = {self._line_index(m.end() - 1) for m in _PREFILTER_QUAL.finditer(joined)}
        for i in sorted(cands):
            if _TRIGGER.search("\n" + self.lines[i][:4000] + "\n"):
                self._interesting(i, chunks)
        # variables assigned there that carry tags: follow them to where they are used
        searched: set[str] = set()
        for _round in range(12):
            self._var_flow_cache.clear()
            self._code_cache.clear()
            names = [n for n in self._assigns if n not in searched and self._var_interesting(n)]
            if not names:
                break
            searched.update(names)
            # a name derived from an extension only matters where it is run as a command
            cmd_only = {
                n
                for n in names
                if not self._holds_escapes(n) and not (self._var_tags(n) - {F.EXTCMD, F.COMPUTED})
            }
            for group, prefix in (
                ([n for n in names if n not in cmd_only], r"\$\{?"),
                (list(cmd_only), r"(?:^|[;|&(`{\[]|\b(?:then|do|else|eval|exec))\s*\$\{?"),
            ):
                if not group:
                    continue
                raws = sorted({re.escape(self._raw_names[n]) for n in group}, key=len, reverse=True)
                rx = re.compile(prefix + r"(?:" + "|".join(raws) + r")(?![\w\[])", re.M)
                for m in rx.finditer(self._joined):
                    self._interesting(self._line_index(m.end() - 1), chunks)
        self._var_flow_cache.clear()
        self._code_cache.clear()
        done: set[int] = set()
        for _round in range(3):
            todo = sorted(s for s in chunks if s not in done)
            if not todo:
                break
            for start in todo:
                done.add(start)
                self._emit_chunk(start)
            # files written with decoded data, executed later
            names = [t for t in self.tainted if len(t) > 2 and not t.startswith("$")]
            for t in names:
                pos = self._joined.find(t)
                while pos >= 0:
                    self._interesting(self._line_index(pos), chunks)
                    pos = self._joined.find(t, pos + len(t))
        self._env_gating()
        self._side_bodies()
        if self.dialect == "make" and "$(eval" in self._joined:
            self._make_eval()
        return self.hits

    def _make_eval(self) -> None:
        """GNU make's ``$(eval …)`` parses its argument as makefile text (rules whose
        recipes then run). Text read there from a data or test file by ``$(file <…)``
        or ``$(shell …)`` is code read from data; ``$(subst …)`` over it is a cipher."""
        text = self._joined
        for m in re.finditer(r"\$\(eval\s", text):
            depth, i = 1, m.end()
            while i < len(text) and depth and i - m.end() < 20000:
                depth += {"(": 1, ")": -1}.get(text[i], 0)
                i += 1
            arg = text[m.end() : i]
            reads = [
                p
                for p in re.findall(r"\$\(file\s*<\s*([^)\s]+)\)", arg)
                + re.findall(r"\$\(shell\s[^)]*?([\w./${}()-]+/[\w.-]+)", arg)
                if F.fixture_kind(p) or F.is_test_text(p)
            ]
            if not reads:
                continue
            ciphered = "$(subst" in arg or "$(patsubst" in arg
            self._hit(
                F.R_DECODE_EXEC if ciphered else F.R_EVAL_COMPUTED,
                Severity.HIGH,
                self._line_index(m.start()) + 1,
                "make's $(eval) parses text read from a data or test file"
                + (" through $(subst) substitutions" if ciphered else "")
                + " as makefile code.",
                reads,
            )

    def _var_tags(self, name: str) -> set[str]:
        tags = set(self.var_flow(name).tags)
        for w, val, line in self._assigns.get(name, []):
            if (w is None or not w.substs) and (" " in val or "|" in val):
                tags |= self._code(val, line, False, 1).tags
        return tags

    def _holds_escapes(self, name: str) -> bool:
        """Whether a literal assigned to ``name`` spells bytes as escapes (``\\x41\\x42``,
        ``\\101\\102``): data a printf or echo turns into text, wherever it is used
        (the escapes may be split over several variables)."""
        return any(
            (w is None or not w.substs) and _ESCAPE_RUN.search(val)
            for w, val, _line in self._assigns.get(name, [])
        )

    def _var_interesting(self, name: str) -> bool:
        if self.var_flow(name).tags & _PROPAGATE or self._holds_escapes(name):
            return True
        return any(
            (w is None or not w.substs)
            and (" " in val or "|" in val)
            and self._code(val, line, False, 1).tags & _PROPAGATE
            for w, val, line in self._assigns.get(name, [])
        )

    def _emit_chunk(self, start: int) -> None:
        c_start, _end, text, pipes = self._chunks[start]
        before = len(self.hits)
        if self.dialect == "make" and not text.startswith("\t"):
            m = _MAKE_ASSIGN.match(text.replace("\\\n", " "))
            if m:
                self._code(m.group(2), c_start + 1, True, 0)
                if len(self.hits) > before:
                    self._maybe_silenced(text, c_start + 1, before)
                return
        self._analyze_pipes(pipes, text, c_start + 1, True, 0)
        if len(self.hits) > before:
            self._maybe_silenced(text, c_start + 1, before)

    def _maybe_silenced(self, text: str, base: int, before: int) -> None:
        new = self.hits[before:]
        lines_with = {
            h.line
            for h in new
            if h.rule_id
            in (
                F.R_DECODE_EXEC,
                F.R_DECODER_DATA,
                F.R_CIPHER,
                F.R_EVAL_COMPUTED,
                F.R_EXT_CMD,
                F.R_NETWORK,
                F.R_SLICE,
                F.R_MARKER,
                F.R_READS_FIXTURE,
            )
        }
        if not lines_with:
            return
        for k, ln in enumerate(text.split("\n")):
            line = base + k
            if line in lines_with and _SILENCE.search(ln):
                self._hit(
                    F.R_SILENCED,
                    Severity.LOW,
                    line,
                    "Errors of this decoding/executing command are thrown away, "
                    "so a failure leaves no trace.",
                )

    def _env_gating(self) -> None:
        last = -1
        joined = self._joined
        if not any(
            k in joined
            for k in ("debian", "RPM_", "DEB_", "dpkg", "rpmbuild", "redhat", "fedora", "DEBIAN")
        ):
            joined = ""
        for m in _ENV_STRONG.finditer(joined):
            i = self._line_index(m.start())
            if i == last or self.mode[i] == "skip" or self.lines[i].lstrip().startswith("#"):
                continue
            last = i
            self._hit(
                F.R_ENV_GATE,
                Severity.LOW,
                i + 1,
                "Behaves differently when built by a distribution's packaging "
                "(Debian/RPM build environment), the way targeted loaders hide.",
            )
        serious = sorted({h.line for h in self.hits if h.severity.rank >= 2})
        seen: set[int] = set()
        for ln in serious:
            for i in range(max(0, ln - 26), min(self.n, ln + 25)):
                if i in seen or self.mode[i] == "skip":
                    continue
                seen.add(i)
                text = self.lines[i]
                if _ENV_WEAK.search(text) and not text.lstrip().startswith("#"):
                    self._hit(
                        F.R_ENV_GATE,
                        Severity.LOW,
                        i + 1,
                        "Checks the build machine (architecture, compiler, linker or CI) "
                        "next to other suspicious code.",
                        weak=True,
                    )

    def _side_bodies(self) -> None:
        for mode, first, body in self.side_bodies:
            line = first + 1
            if mode == "awk":
                if looks_like_stream_cipher(body):
                    self._stream_cipher_hit(line)
            elif mode == "python":
                from chainsight.analyzers.behaviour import python_hooks

                python_hooks.python_snippet_flow(body, line, self.hits, spread=True)
            elif mode == "js":
                from chainsight.analyzers.behaviour import js

                js.js_snippet_flow(body, line, self.hits)
            elif mode == "perl":
                self._perl_flow(body, line, True)

    # -------------------------------------------------------------- hits
    def _hit(
        self,
        rule: str,
        sev: Severity,
        line: int,
        why: str,
        reads: Iterable[str] = (),
        weak: bool = False,
    ) -> None:
        self.hits.append(Hit(rule, sev, line, why, tuple(dict.fromkeys(reads)), weak))

    def _stream_cipher_hit(self, line: int) -> None:
        self._hit(
            F.R_STREAM_CIPHER,
            Severity.HIGH,
            line,
            "A 256-entry byte table with element swaps: an RC4-like stream cipher "
            "has no business in a build script.",
        )

    def _sink(self, flow: Flow, line: int, emit: bool, how: str) -> None:
        if not emit:
            return
        reads = list(flow.reads)
        if flow.tags & F.OBFUSCATION_TAGS:
            what = "decoded" if F.DECODE in flow.tags else "deciphered"
            src = " read from binary/test data" if F.DATA in flow.tags else ""
            self._hit(
                F.R_DECODE_EXEC,
                _sev_for_flow(flow),
                line,
                f"Data{src} is {what} and handed to {how} — a loader, not a build step.",
                reads,
            )
        elif F.NET in flow.tags:
            self._hit(
                F.R_NETWORK,
                Severity.HIGH,
                line,
                f"Content downloaded at build time is handed to {how}.",
                reads,
            )
        elif flow.tags & {F.DATA, F.TESTTEXT}:
            self._hit(
                F.R_EVAL_COMPUTED,
                Severity.HIGH,
                line,
                f"Content of binary/test data files is handed to {how}.",
                reads,
            )
        elif F.COMPUTED in flow.tags and how.startswith("a shell reading"):
            self._hit(
                F.R_EVAL_COMPUTED,
                Severity.MEDIUM,
                line,
                "The output of a command whose text is computed at run time is piped into a shell.",
            )

    # -------------------------------------------------------------- variables
    def _assignments(self, name: str) -> list[tuple[Word | None, str, int]]:
        """(word or None for make values, value text, line) of name's interesting assignments."""
        return self._assigns.get(name, [])

    @staticmethod
    def _value_word(w: Word, m: re.Match[str]) -> Word:
        eq = w.raw.find("=")
        off = eq + 1 if eq >= 0 else 0
        substs = [(b, o) for b, o in w.substs]
        return Word(w.raw[off:], m.group(3), w.pos + off, substs, quoted=w.quoted)

    def _literals(self, name: str) -> list[str]:
        out = list(self.extern_literals.get(name, []))
        for w, val, _line in self._assignments(name):
            if w is None or not w.substs:
                out.append(val)
        return out

    def var_flow(self, name: str) -> Flow:
        name = _norm(name)
        got = self._var_flow_cache.get(name)
        if got is not None:
            return got
        if name in self._resolving:
            # `x=$(sed 1d "$x")`: the value refers to what x held before, i.e. what
            # its earlier assignments carry; a longer cycle (through other variables,
            # often loop variables reused all over a Makefile) gives nothing
            if next(reversed(self._resolving)) == name:
                return self._resolving[name].copy()
            return Flow()
        if len(self._resolving) > 40:
            return Flow()  # a chain too deep to be worth following
        flow = self._resolving[name] = Flow()
        flow.merge(self.extern_flows.get(name))
        for w, val, line in sorted(self._assignments(name), key=lambda a: a[2]):
            flow.merge(self._value_flow(w, val, line, False, 1))
        del self._resolving[name]
        self._var_flow_cache[name] = flow
        return flow

    def _value_flow(self, w: Word | None, val: str, line: int, emit: bool, depth: int) -> Flow:
        """Data carried by a value: substitutions' output, referenced variables, paths."""
        flow = Flow()
        if w is None:  # make value or synthetic: treat like a shell word
            ws, _ = self._lex_cached(val)
            for p in ws:
                for st in p.stages:
                    for x in st.words:
                        flow.merge(self._word_flow(x, val, line, emit, depth))
            return flow
        return self._word_flow(w, val, line, emit, depth)

    def _word_flow(self, w: Word, text: str, line: int, emit: bool, depth: int) -> Flow:
        flow = Flow()
        for body, _off in w.substs:
            flow.merge(self._code(body, line, emit, depth + 1))
        t = w.text
        if "$" in t:
            for m in _VARREF.finditer(t):
                flow.merge(self.var_flow(m.group(1)))
            if EXT_PARAM.search(t) or EXT_MAKE.search(t):
                flow.add(F.EXTCMD)
        if not w.substs:
            for tok in t.split():
                if F.fixture_kind(tok, strict=True):
                    flow.add(F.FIXPATH, tok)
                elif "/" in tok and F.is_test_text(tok):  # a test directory is in the path
                    flow.add(F.TEXTPATH, tok)
        return flow

    def _lex_cached(self, text: str) -> tuple[list[Pipeline], bool]:
        got = self._lex_cache.get(text)
        if got is None:
            got, _ = lex(text)
            if len(self._lex_cache) < 5000:
                self._lex_cache[text] = got
        return got, True

    def _expand(self, text: str, depth: int = 0) -> str:
        """Replace $var by its literal value where one is known (for tr sets, sed scripts)."""
        if "$" not in text or depth > 3:
            return text

        def rep(m: re.Match[str]) -> str:
            lits = self._literals(_norm(m.group(1)))
            return self._expand(lits[0], depth + 1) if lits else m.group(0)

        return re.sub(r"\$\{?([A-Za-z_]\w*)\}?", rep, text)

    # -------------------------------------------------------------- code
    def _code(self, text: str, line: int, emit: bool, depth: int) -> Flow:
        if depth > MAX_DEPTH or not text.strip():
            return Flow()
        if not emit:
            got = self._code_cache.get(text)
            if got is not None:
                return got
            self._code_cache[text] = Flow()  # cycle guard
        pipes, _ = self._lex_cached(text)
        flow = self._analyze_pipes(pipes, text, line, emit, depth)
        if not emit:
            self._code_cache[text] = flow
        return flow

    def _analyze_pipes(
        self, pipes: list[Pipeline], text: str, base: int, emit: bool, depth: int
    ) -> Flow:
        out = Flow()
        for p in pipes:
            if p.case_pattern:
                continue
            out.merge(self._pipeline(p, text, base, emit, depth))
        return out

    def _pipeline(self, p: Pipeline, text: str, base: int, emit: bool, depth: int) -> Flow:
        upstream: Flow | None = None
        nst = len(p.stages)
        names = [self._quick_name(st) for st in p.stages]
        acc = Flow()
        for k, st in enumerate(p.stages):
            line = self._line_of(text, base, st.pos)
            nxt = names[k + 1] if k + 1 < nst else None
            f = self._stage(st, upstream, text, base, line, emit, depth, nxt, k)
            acc = (upstream.copy() if upstream is not None else Flow()).merge(f)
            upstream = acc
        return acc

    @staticmethod
    def _quick_name(st: Stage) -> str:
        for w in st.words:
            if _ASSIGN.match(w.text) or w.text in _KEYWORDS or w.text in _WRAPPERS:
                continue
            return _base(w.text)
        return ""

    # -------------------------------------------------------------- stages
    def _stage(
        self,
        st: Stage,
        up: Flow | None,
        text: str,
        base: int,
        line: int,
        emit: bool,
        depth: int,
        nxt: str | None,
        index: int,
    ) -> Flow:
        flow = Flow()
        if st.group is not None:
            body, off = st.group
            gline = self._line_of(text, base, off)
            flow.merge(self._code(body, gline, emit, depth + 1))
            if up is not None and re.match(r"\s*(?:eval|read)\b", body):
                flow.merge(up)
            self._redirs(st, flow, up, line, emit, depth, None)
            return flow
        words = st.words
        k = 0
        while k < len(words):
            t = words[k].text
            if not words[k].quoted and t in _KEYWORDS:
                k += 1
                continue
            m = _ASSIGN.match(t)
            if m and not t.startswith("="):
                vw = self._value_word(words[k], m)
                vf = self._word_flow(vw, text, line, emit, depth)
                if (
                    emit
                    and vw.quoted
                    and not vw.substs
                    and _CODE_LIKE.search(vw.text)
                    and not _PURE_SUBST.match(vw.text.strip())
                ):
                    self._code(vw.text, line, True, depth + 1)
                flow.merge(vf)
                k += 1
                continue
            break
        args = words[k:]
        if not args:
            self._redirs(st, flow, up, line, emit, depth, None)
            return flow
        first = args[0].text
        if first == "for" and not args[0].quoted:
            return self._for_loop(args, text, line, emit, depth)
        if first == "trap" and len(args) > 2 and not args[1].text.startswith("-"):
            # trap CODE SIGNAL…: the shell runs CODE later, as eval would now
            self._dispatch(
                "eval", args[:2], args[1:2], [args[1].text], st, up, text, line, emit, depth,
                nxt, flow,
            )  # fmt: skip
            return flow
        if first in (
            "case",
            "esac",
            "fi",
            "done",
            "return",
            "exit",
            "break",
            "continue",
            "shift",
            "set",
            "unset",
            "trap",
            "wait",
            "cd",
            "umask",
            "true",
            "false",
            ":",
            "test",
            "[",
            "[[",
        ):
            if first in ("done", "fi", "esac") and index == 0 and _is_interp_name(nxt):
                flow.merge(self._block_flow(line))
            for w in args[1:]:
                flow.merge(self._word_flow(w, text, line, emit, depth))
            self._redirs(st, flow, up, line, emit, depth, None)
            return flow
        # wrappers: env, command, exec, timeout N ...
        while args and args[0].text in _WRAPPERS and len(args) > 1:
            w0 = args[0].text
            args = args[1:]
            while args and (
                args[0].text.startswith("-")
                or _ASSIGN.match(args[0].text)
                or (w0 in ("timeout", "nice") and args[0].text[:1].isdigit())
            ):
                args = args[1:]
        if not args:
            return flow
        self._command(args, st, up, text, line, emit, depth, nxt, flow)
        return flow

    def _for_loop(self, args: list[Word], text: str, line: int, emit: bool, depth: int) -> Flow:
        flow = Flow()
        items = args[3:] if len(args) > 2 and args[2].text == "in" else []
        reads: list[str] = []
        for w in items:
            if w.text in ("do", ";"):
                break
            wf = self._word_flow(w, text, line, emit, depth)
            flow.merge(wf)
            if not w.substs and " " not in w.text and F.fixture_kind(w.text, strict=True):
                reads.append(w.text)
        if emit and reads and not self.test_tree:
            self._hit(
                F.R_READS_FIXTURE,
                Severity.MEDIUM,
                line,
                "Build code iterates over binary or test-fixture files.",
                reads,
            )
        return flow

    def _block_flow(self, line: int) -> Flow:
        """Flow of the loop/if/case block closed at ``line`` (for ``done | sh``)."""
        i = line - 1
        depth = 0
        start = None
        for j in range(i, max(-1, i - 300), -1):
            ln = self.lines[j]
            depth += len(re.findall(r"(?:^|[;\s])(?:done|fi|esac)\b", ln))
            depth -= len(re.findall(r"(?:^|[;\s])(?:for|while|until|if|case)\s", ln))
            if depth <= 0:
                start = j
                break
        if start is None:
            return Flow()
        body = (
            "\n".join(self.lines[start:i])
            + "\n"
            + re.split(r"\b(?:done|fi|esac)\b", self.lines[i])[0]
        )
        return self._code(body, start + 1, False, 2)

    def _redirs(
        self,
        st: Stage,
        flow: Flow,
        up: Flow | None,
        line: int,
        emit: bool,
        depth: int,
        cmd: str | None,
    ) -> None:
        for r in st.redirs:
            if r.target is None:
                continue
            t = r.target.text
            if r.op.endswith("<") and not r.op.startswith("<<"):
                kind = F.fixture_kind(t)
                if kind:
                    flow.add(F.DATA, t)
                elif F.is_test_text(t):
                    flow.add(F.TESTTEXT, t)
                flow.merge(self.tainted.get(t))
                flow.merge(self._word_flow(r.target, t, line, False, depth))
            elif r.op == "<<<":
                flow.merge(self._word_flow(r.target, t, line, emit, depth))
        out = flow.copy().merge(up)
        for r in st.redirs:
            if r.target is None or not (r.op.endswith(">") or r.op.endswith(">>") or r.op == ">|"):
                continue
            if r.op.startswith("2") or r.op.startswith("&"):
                continue
            t = r.target.text
            if out.tags & (F.OBFUSCATION_TAGS | {F.NET, F.DATA}):
                self.tainted[t] = out.copy()
                self.tainted[_base(t)] = out.copy()
            if r.op.endswith(">>") and _BUILD_FILE.search(t) and emit and cmd is not None:
                if t in self._appended:
                    continue
                self._appended.add(t)
                if not re.search(r"(?:^|/)(?:config\.status|\$CONFIG_STATUS)$", t):
                    self._hit(
                        F.R_SELF_PATCH,
                        Severity.LOW,
                        line,
                        f"Appends to the build file {t} after it was generated.",
                        [],
                    )

    # -------------------------------------------------------------- commands
    def _command(
        self,
        args: list[Word],
        st: Stage,
        up: Flow | None,
        text: str,
        line: int,
        emit: bool,
        depth: int,
        nxt: str | None,
        flow: Flow,
    ) -> None:
        w0 = args[0]
        t0 = w0.text
        rest = args[1:]
        rest_t = [w.text for w in rest]
        if (
            t0 == "expr"
            and len(rest_t) >= 4
            and rest_t[0] == "substr"
            and rest_t[3] == "1"
            and not rest_t[2].isdigit()
        ):
            # one character at a computed offset: text picked out letter by letter
            # (a book cipher over NEWS or a README)
            flow.add(F.CIPHER)

        # ---- computed command words: $(...), `...`, $var
        if w0.substs and _PURE_SUBST.match(t0):
            inner = Flow()
            for body, _o in w0.substs:
                inner.merge(self._code(body, line, emit, depth + 1))
            self._computed(inner, rest, line, emit, flow, "the shell as a command")
            self._args_flow(rest, text, line, emit, depth, flow)
            self._redirs(st, flow, up, line, emit, depth, "computed")
            return
        pm = _PURE_VAR.match(t0)
        if pm is None and t0.startswith("$") and not w0.substs:
            inner = self._word_flow(w0, t0, line, False, depth)
            self._computed(inner, rest, line, emit, flow, "the shell as a command")
            self._args_flow(rest, text, line, emit, depth, flow)
            self._redirs(st, flow, up, line, emit, depth, "computed")
            return
        if pm:
            vname = _norm(pm.group(1) or pm.group(4))
            default = pm.group(3) or ""
            lits = self._literals(vname)
            if not lits and self._carries_data(rest):
                # a command name held in a variable and run on data: find how it is
                # spelled, wherever it is assigned
                self._collect_assignments(pm.group(1) or pm.group(4))
                lits = self._literals(vname)
            resolved = None
            # a value that is one word made of variables ($cmds${more}, "$AWK") names no
            # command by itself
            named = [v for v in lits if v.strip() and not _VARS_ONLY_WORD.fullmatch(v)]
            if vname in _SHELL_VARS or vname.upper() in _SHELL_VARS:
                resolved = "sh"
            elif named:
                resolved = named[0]
                for value in self._spelled(vname):
                    if _runs_code(value):  # x=ev; x=${x}al; $x "$data"
                        resolved = value
                        break
            elif default and not default.startswith("$"):
                resolved = default  # ${AWK-awk}
            elif self._known_tool(vname):
                resolved = self._known_tool(vname)
            # else: what the variable carries is run (_computed below)
            if resolved is None:
                vf = self.var_flow(vname)
                self._computed(vf, rest, line, emit, flow, "the shell as a command")
                self._args_flow(rest, text, line, emit, depth, flow)
                self._redirs(st, flow, up, line, emit, depth, "computed")
                return
            if " " in resolved.strip() or "|" in resolved or ";" in resolved:
                code = resolved + " " + " ".join(w.raw for w in rest)
                flow.merge(self._code(code, line, False, depth + 1))
                if up is not None and self._reads_stdin_code(code):
                    self._sink(up, line, emit, "a shell reading its standard input")
                return
            name = _base(resolved.split()[0]) if resolved.strip() else ""
        else:
            name = _base(t0)
            tf = self.tainted.get(t0) or self.tainted.get(_base(t0))
            if tf is not None and (t0.startswith(("./", "/", "$")) or "/" in t0):
                self._sink(tf, line, emit, "execution as a program")
                flow.merge(tf)

        self._dispatch(name, args, rest, rest_t, st, up, text, line, emit, depth, nxt, flow)

    def _carries_data(self, words: list[Word]) -> bool:
        """Whether an argument refers to a variable that carries tags (data, decoded…)."""
        return any(
            self.var_flow(_norm(m.group(1))).tags & _PROPAGATE
            for w in words
            for m in _VARREF.finditer(w.text)
        )

    def _collect_assignments(self, raw_name: str) -> None:
        """Record every assignment of ``raw_name`` in the file, interesting or not."""
        rx = re.compile(r"(?m)^[ \t]*(?:export[ \t]+)?" + re.escape(raw_name) + r"\+?=")
        for m in rx.finditer(self._joined):
            self._collect(self._chunk(self._line_index(m.end() - 1))[0])

    def _spelled(self, name: str) -> list[str]:
        """The values a variable takes through its literal assignments, in file order,
        each with the variable's own earlier value put in for ``$name``/``${name}``: a
        command name spelled across assignments (``x=ev``, ``x=${x}al``) comes out
        whole."""
        own = re.compile(r"\$\{" + re.escape(name) + r"\}|\$" + re.escape(name) + r"(?!\w)")
        values: list[str] = []
        previous = ""
        for w, val, _line in sorted(self._assignments(name), key=lambda a: a[2]):
            if w is not None and w.substs:
                continue
            previous = own.sub(previous.replace("\\", "\\\\"), val)  # as a template
            values.append(previous)
        return values

    @staticmethod
    def _known_tool(var: str) -> str | None:
        low = var.lower()
        low = re.sub(r"^(?:ac_cv_path_|ac_cv_prog_|gl_cv_|am_cv_)", "", low)
        if low in _COMPRESSORS or low in _DECOMPRESSORS or low in _BASE_CODECS:
            return low
        if low in (
            "python",
            "python3",
            "perl",
            "node",
            "ruby",
            "awk",
            "sed",
            "grep",
            "tr",
            "curl",
            "wget",
            "openssl",
            "xxd",
            "head",
            "tail",
            "dd",
        ):
            return low
        return None

    def _computed(
        self, inner: Flow, rest: list[Word], line: int, emit: bool, flow: Flow, how: str
    ) -> None:
        """A command word computed at run time: run its output, derive from extensions."""
        rest_t = [w.text for w in rest]
        if F.EXTCMD in inner.tags and emit:
            self._hit(
                F.R_EXT_CMD,
                Severity.MEDIUM,
                line,
                "The command run here is computed from a file-name extension, which "
                "hides which program (e.g. a decompressor) is used.",
                list(inner.reads),
            )
        if inner.tags & (F.OBFUSCATION_TAGS | {F.NET}) or (
            inner.tags & {F.DATA, F.TESTTEXT} and F.EXTCMD not in inner.tags
        ):
            self._sink(inner, line, emit, how)
        flow.merge(inner)
        flow.add(F.COMPUTED)
        if (F.EXTCMD in inner.tags or inner.tags & F.OBFUSCATION_TAGS) and _is_decode_flag(rest_t):
            flow.add(F.DECODE)
            fr, reads = self._data_reads(self._file_args(rest, False), None)
            flow.merge(fr)
            if reads and emit and not self.test_tree:
                self._reads_hit(line, reads)

    def _args_flow(
        self, rest: list[Word], text: str, line: int, emit: bool, depth: int, flow: Flow
    ) -> None:
        for w in rest:
            flow.merge(self._word_flow(w, text, line, emit, depth))

    def _reads_stdin_code(self, code: str) -> bool:
        pipes, _ = self._lex_cached(code)
        if not pipes or not pipes[-1].stages:
            return False
        st = pipes[-1].stages[-1]
        ws = [w.text for w in st.words]
        return (
            bool(ws) and _base(ws[0]) in SHELLS and not any(not a.startswith("-") for a in ws[1:])
        )

    def _file_args(self, rest: list[Word], skip_first_positional: bool) -> list[Word]:
        out: list[Word] = []
        seen_pos = False
        skip_next = False
        for w in rest:
            t = w.text
            if skip_next:
                skip_next = False
                continue
            if t in (
                "-e",
                "-f",
                "--expression",
                "--file",
                "-F",
                "-v",
                "-d",
                "-n",
                "-c",
                "-m",
                "-A",
                "-B",
                "-C",
                "-t",
                "-s",
                "-w",
            ):
                skip_next = t in (
                    "-e",
                    "-f",
                    "--expression",
                    "-F",
                    "-v",
                    "-m",
                    "-A",
                    "-B",
                    "-C",
                    "-t",
                )
                if t in ("-e", "-f", "--expression", "--file"):
                    seen_pos = True
                continue
            if t.startswith("-") and len(t) > 1:
                continue
            if skip_first_positional and not seen_pos:
                seen_pos = True
                continue
            out.append(w)
        return out

    def _data_reads(self, files: list[Word], up: Flow | None) -> tuple[Flow, list[str]]:
        f = Flow()
        reads: list[str] = []
        for w in files:
            t = w.text
            if t.startswith("/dev/"):
                continue
            kind = F.fixture_kind(t)
            if kind:
                f.add(F.DATA, t)
                reads.append(t)
            elif F.is_test_text(t):
                f.add(F.TESTTEXT, t)  # only matters if it ends up being executed
            if F.has_text_name(t):
                continue
            vf = Flow()
            for m in _VARREF.finditer(t):
                vf.merge(self.var_flow(m.group(1)))
            for body, _o in w.substs:
                vf.merge(self._code(body, 0, False, 2))
            if vf.tags & {F.DATA, F.FIXPATH}:
                f.add(F.DATA, *vf.reads)
                reads.extend(vf.reads)
            elif F.TEXTPATH in vf.tags:  # a test's text file named through a variable
                f.add(F.TESTTEXT, *vf.reads)
            f.merge(self.tainted.get(t))
        return f, reads

    def _dispatch(
        self,
        name: str,
        args: list[Word],
        rest: list[Word],
        rest_t: list[str],
        st: Stage,
        up: Flow | None,
        text: str,
        line: int,
        emit: bool,
        depth: int,
        nxt: str | None,
        flow: Flow,
    ) -> None:
        emit_data = emit and not self.test_tree

        def finish() -> None:
            self._redirs(st, flow, up, line, emit, depth, name)

        # ---- interpreters
        if name in ("make", "gmake") and _makefile_from_stdin(rest_t):
            stdin = self._stdin_flow(st, up, line, emit, depth)
            if stdin is not None:
                self._sink(stdin, line, emit, "make reading a makefile from standard input")
                flow.merge(stdin)
            finish()
            return
        if name == "msgexec":  # msgexec [-i FILE] CMD...: CMD runs on every message
            cmd = next((t for t in _msgexec_command(rest_t)), None)
            if cmd is not None and (cmd in SHELLS or _SCRIPT_INTERP.match(cmd)):
                stdin = up if up is not None else Flow()
                for catalog in _msgexec_inputs(rest_t):
                    fr, _reads = self._data_reads([Word(catalog, catalog, 0, [])], None)
                    stdin = stdin.copy().merge(fr)
                self._sink(stdin, line, emit, f"{cmd} run by msgexec on every message")
                flow.merge(stdin)
            finish()
            return
        if name == "m4" and "translit" in text:
            flow.add(F.CIPHER)  # m4's translit: a substitution cipher like tr's
            flow.merge(up)
            finish()
            return
        if name == "msgunfmt":  # a compiled catalog (binary) turned back into text
            files = self._file_args(rest, False)
            gmo = [w.text for w in files if w.text.endswith((".gmo", ".mo"))]
            flow.add(F.DECODE)
            if gmo:
                flow.add(F.DATA, *gmo)
            flow.merge(up)
            finish()
            return
        if name in SHELLS or name == "$SHELL":
            self._shell_cmd(rest, st, up, text, line, emit, depth, flow)
            finish()
            return
        if _SCRIPT_INTERP.match(name) and not _python_module_decoder(name, rest_t):
            self._script_interp(name, rest, st, up, text, line, emit, depth, flow)
            finish()
            return
        if name == "eval":
            code = " ".join(w.text for w in rest)
            inner = self._code(code, line, emit, depth + 1)
            flow.merge(inner)
            if up is not None and re.search(r"\$\(\s*cat\s*\)|`\s*cat\s*`", code):
                self._sink(up, line, emit, "eval")
            finish()
            return
        if name in ("source", "."):
            self._source(rest, st, up, text, line, emit, depth, flow)
            finish()
            return
        if name == "xargs":
            k = 0
            while k < len(rest) and rest[k].text.startswith("-"):
                k += 2 if rest[k].text in ("-I", "-n", "-P", "-L", "-d", "-E", "-s") else 1
            if k < len(rest):
                inner_name = _base(rest[k].text)
                if inner_name in SHELLS or _SCRIPT_INTERP.match(inner_name):
                    if up is not None:
                        self._sink(up, line, emit, "a shell via xargs")
                    flow.merge(up)
                    finish()
                    return
                self._dispatch(
                    inner_name,
                    rest[k:],
                    rest[k + 1 :],
                    rest_t[k + 1 :],
                    st,
                    up,
                    text,
                    line,
                    emit,
                    depth,
                    nxt,
                    flow,
                )
                return
            finish()
            return

        # ---- decoders
        decoded = False
        codec = ""
        if name in _COMPRESSORS and _is_decode_flag(rest_t):
            decoded, codec = True, f"{name} -d"
        elif name in _DECOMPRESSORS:
            decoded, codec = True, name
        elif name in _BASE_CODECS and any(
            a in ("-d", "-D", "--decode") or re.fullmatch(r"-\w*d\w*", a) for a in rest_t
        ):
            decoded, codec = True, f"{name} -d"
        elif name == "openssl" and {"-d", "-decrypt", "--decrypt"} & set(rest_t):
            decoded, codec = True, "openssl -d"
        elif name == "xxd" and any(a.startswith("-r") for a in rest_t):
            decoded, codec = True, "xxd -r"
        elif name in ("gpg", "gpg2") and any(a in ("-d", "--decrypt") for a in rest_t):
            decoded, codec = True, "gpg --decrypt"
        elif name == "unzip" and any(a in ("-p", "-c") for a in rest_t):
            decoded, codec = True, "unzip -p"
        elif (
            name in ("tar", "gtar", "bsdtar")
            and rest_t
            and re.match(r"-?[a-zA-Z]*x[a-zA-Z]*O", rest_t[0] or "")
        ):
            decoded, codec = True, "tar -xO"
        elif name in ("printf", "echo") and any(
            _ESCAPED_BYTES.search(self._expand(a)) for a in rest_t
        ):  # the escapes written out, or held in variables (split over several, too)
            decoded, codec = True, "printf of hex escapes"
        elif name == "printf" and rest_t and _ESCAPE_OF_VARIABLE.search(rest_t[0]):
            decoded, codec = True, "printf of escapes built from data"  # printf "\\$byte"
        elif name == "iconv" and _iconv_obscure_source(rest_t):
            decoded, codec = True, "iconv from an encoding that hides text"  # UTF-7, UTF-16
        elif name == "dc" and any(re.search(r"\bP\b", self._expand(a)) for a in rest_t):
            decoded, codec = True, "dc printing numbers as bytes"
        elif _python_module_decoder(name, rest_t):
            decoded, codec = True, f"{name} -m {rest_t[rest_t.index('-m') + 1]} -d"
        if decoded:
            self._decoder(name, codec, rest, st, up, line, emit_data, nxt, flow)
            finish()
            return

        # ---- tr / sed / awk / perl: ciphers, extensions, in-place edits
        if name == "tr":
            targs = [self._expand(a) for a in rest_t]
            if tr_is_cipher(targs):
                flow.add(F.CIPHER)
                if up is not None:
                    flow.merge(up)
                if emit:
                    self._hit(
                        F.R_CIPHER,
                        Severity.MEDIUM,
                        line,
                        "tr maps a set of characters onto a permutation of itself: a "
                        "substitution cipher, used to hide data from review.",
                        list(up.reads) if up else [],
                    )
            for r in st.redirs:
                if r.op == "<" and r.target is not None:
                    fr, reads = self._data_reads([r.target], None)
                    flow.merge(fr)
                    if reads and emit_data:
                        self._reads_hit(line, reads)
            finish()
            return
        if name in ("sed", "gsed"):
            self._sed(rest, rest_t, st, up, line, emit, emit_data, flow)
            finish()
            return
        if name in ("awk", "gawk", "mawk", "nawk"):
            k = 0
            while k < len(rest_t) and rest_t[k].startswith("-"):
                k += 2 if rest_t[k] in ("-v", "-f", "-F") else 1  # option with a value
            prog = rest_t[k] if k < len(rest_t) and "-f" not in rest_t[:k] else ""
            if looks_like_stream_cipher(prog):
                flow.add(F.CIPHER)
                if emit:
                    self._stream_cipher_hit(line)
            elif _AWK_DECODE.search(prog):
                flow.add(F.DECODE)
                if up is not None:
                    flow.merge(up)
            joined = " ".join(rest_t)
            if re.search(r"-F\s*['\"]?\\?\.['\"]?", joined) and "$NF" in joined:
                flow.add(F.EXTCMD)
            files = self._file_args(rest[k:], skip_first_positional=bool(prog))
            fr, reads = self._data_reads(files, up)
            flow.merge(fr)
            if reads and emit_data:
                self._reads_hit(line, reads)
            if _AWK_RUNS.search(prog):  # system(s), print s | "sh": awk runs what it built
                self._sink(flow.copy().merge(up), line, emit, "a command run by awk")
            finish()
            return
        if re.match(r"perl[\d.]*$", name):
            self._script_interp(name, rest, st, up, text, line, emit, depth, flow)
            finish()
            return

        # ---- byte slicing
        if name in ("head", "tail") and any(
            a.startswith(("-c", "--bytes")) or re.fullmatch(r"-\d+c", a) for a in rest_t
        ):
            self._slicer(name, rest, st, up, line, emit_data, flow, skip_opts=True)
            finish()
            return
        if name == "dd":
            ops = {a.split("=", 1)[0]: a.split("=", 1)[1] for a in rest_t if "=" in a}
            src = ops.get("if", "")
            if _DEV_BENIGN.match(src):
                finish()
                return
            if ops.keys() & {"skip", "iseek", "count", "bs", "ibs"} or "skip_bytes" in ops.get(
                "iflag", ""
            ):
                files = [Word(src, src, 0)] if src else []
                self._slicer(name, files, st, up, line, emit_data, flow, skip_opts=False)
            finish()
            return
        if name == "od" and any(a.startswith(("-j", "-N")) for a in rest_t):
            self._slicer(name, rest, st, up, line, emit_data, flow, skip_opts=True)
            finish()
            return
        if name == "cut" and any(a.startswith("-b") for a in rest_t):
            if (up is not None and F.DATA in up.tags) or self._data_reads(rest, None)[1]:
                self._slicer(name, rest, st, up, line, emit_data, flow, skip_opts=True)
            finish()
            return

        # ---- searching for markers in binary files
        if name in ("grep", "egrep", "fgrep", "rg", "ggrep"):
            self._grep(rest, rest_t, st, up, line, emit_data, flow, nxt)
            finish()
            return
        if name == "find":
            globs = []
            for a, b in itertools.pairwise(rest_t):
                if a in ("-name", "-iname", "-path", "-ipath", "-wholename", "-regex") and (
                    F.fixture_kind(b, strict=True) or F.fixture_kind("x" + b.lstrip("*"), True)
                ):
                    globs.append(b)
            if globs:
                flow.add(F.DATA, *globs)
                consumed = nxt is not None or "-exec" in rest_t or "-execdir" in rest_t
                if emit_data and (consumed or depth > 0):
                    self._hit(
                        F.R_READS_FIXTURE,
                        Severity.MEDIUM,
                        line,
                        "Build code looks for binary or test-fixture files to process.",
                        globs,
                    )
            finish()
            return
        if name == "strings":
            fr, reads = self._data_reads(self._file_args(rest, False), up)
            flow.merge(fr)
            if reads and emit_data:
                self._reads_hit(line, reads)
            finish()
            return

        # ---- network
        if (name in _NET_CMDS and any(_NET_ARG.search(a) for a in rest_t)) or (
            name == "git" and rest_t[:1] and rest_t[0] in ("clone", "fetch", "pull")
        ):
            urls = [a for a in rest_t if "://" in a or re.match(r"[\w.-]+@[\w.-]+:", a)]
            flow.add(F.NET, *urls[:3])
            if emit:
                self._hit(
                    F.R_NETWORK,
                    Severity.MEDIUM,
                    line,
                    f"Build code reaches the network ({name}), so what it builds is not "
                    "fully in the release.",
                    urls[:3],
                )
            finish()
            return
        if name == "tee" and up is not None:
            for w in rest:
                if not w.text.startswith("-") and up.tags & (F.OBFUSCATION_TAGS | {F.NET}):
                    self.tainted[w.text] = up.copy()
                    self.tainted[_base(w.text)] = up.copy()
        if name in ("mv", "cp", "install") and emit:
            pos = [a for a in rest_t if not a.startswith("-")]
            if (
                len(pos) == 2
                and re.search(r"(?:^|/)(?:[Mm]akefile|libtool|config\.status)$", pos[1])
                and not pos[0].endswith((".in", ".am"))
            ):
                src_flow = self.tainted.get(pos[0])
                if src_flow is not None or (name == "mv" and "$" not in pos[0] + pos[1]):
                    self._hit(
                        F.R_SELF_PATCH,
                        Severity.MEDIUM,
                        line,
                        f"Replaces the generated {pos[1]} with another file.",
                        [],
                    )

        if name in ("echo", "printf", "cat") and any(_BLOB.fullmatch(a) for a in rest_t):
            flow.add(F.BLOB)
        # ---- generic readers
        if name in _READERS:
            files = self._file_args(rest, skip_first_positional=name in ("sed", "awk"))
            fr, reads = self._data_reads(files, up)
            flow.merge(fr)
            if reads and emit_data:
                self._reads_hit(line, reads)
        self._args_flow(rest, text, line, emit, depth, flow)
        finish()

    # -------------------------------------------------------------- helpers per family
    def _reads_hit(self, line: int, reads: list[str]) -> None:
        self._hit(
            F.R_READS_FIXTURE,
            Severity.MEDIUM,
            line,
            "Build code reads a binary file or a test fixture.",
            reads,
        )

    def _decoder(
        self,
        name: str,
        codec: str,
        rest: list[Word],
        st: Stage,
        up: Flow | None,
        line: int,
        emit_data: bool,
        nxt: str | None,
        flow: Flow,
    ) -> None:
        files = self._file_args(rest, skip_first_positional=False)
        if name == "openssl":
            files = [
                w
                for w in files
                if "://" not in w.text
                and not re.fullmatch(
                    r"enc|base64|aes\S*|des\S*|rsautl|smime|cms|pkeyutl|chacha\S*", w.text
                )
            ]
        ins = [r.target for r in st.redirs if r.op == "<" and r.target is not None]
        all_in = files + ins
        texts = [w.text for w in all_in]
        if any(F.is_archive(t) for t in texts) or (nxt in _UNPACKERS):
            return  # unpacking an archive: a normal build step
        all_in = [
            w
            for w in all_in
            if re.search(r"[./*`]", w.text)
            or w.procsub
            or self._word_flow(w, w.text, line, False, 1).tags & {F.DATA, F.FIXPATH}
        ]
        if texts and all(_DEV_INPUT.match(t) for t in texts) and not (up and up.tags):
            return  # a probe such as `xz -dc </dev/null`
        if any(a in ("--version", "-V", "--help", "-h") for a in (w.text for w in rest)):
            return
        fr, reads = self._data_reads(all_in, up)
        flow.merge(fr)
        flow.add(F.DECODE)
        if up is not None:
            flow.merge(up)
        if st.heredocs:
            flow.add(F.BLOB)
        has_input = bool(all_in) or bool(st.heredocs) or (up is not None and bool(up.tags))
        if emit_data and has_input and not (up is not None and F.DECODE in up.tags and not all_in):
            src = reads or list(flow.reads)
            self._hit(
                F.R_DECODER_DATA,
                Severity.MEDIUM,
                line,
                f"{codec} decodes a data file during the build instead of shipping "
                "the decoded source.",
                src,
            )
        if reads and emit_data:
            self._reads_hit(line, reads)

    def _slicer(
        self,
        name: str,
        rest: list[Word],
        st: Stage,
        up: Flow | None,
        line: int,
        emit_data: bool,
        flow: Flow,
        skip_opts: bool,
    ) -> None:
        files = self._file_args(rest, False) if skip_opts else rest
        files = [w for w in files if not re.fullmatch(r"\+?\d+[kKmMbc]?", w.text)]
        ins = [r.target for r in st.redirs if r.op == "<" and r.target is not None]
        if any(_DEV_BENIGN.match(w.text) for w in files + ins):
            return
        fr, reads = self._data_reads(files + ins, up)
        flow.merge(fr)
        flow.add(F.SLICE)
        if up is not None:
            flow.merge(up)
        data_in = bool(reads) or (
            up is not None and bool(up.tags & {F.DATA, F.DECODE, F.CIPHER, F.SLICE})
        )
        if emit_data and (data_in or (up is None and bool(files or ins))):
            self._hit(
                F.R_SLICE,
                Severity.MEDIUM,
                line,
                f"{name} cuts bytes at fixed offsets, the way payloads are carved out "
                "of binary files.",
                reads or list(flow.reads),
            )

    def _sed(
        self,
        rest: list[Word],
        rest_t: list[str],
        st: Stage,
        up: Flow | None,
        line: int,
        emit: bool,
        emit_data: bool,
        flow: Flow,
    ) -> None:
        scripts: list[str] = []
        inplace = False
        k = 0
        positional: list[Word] = []
        while k < len(rest_t):
            a = rest_t[k]
            if a in ("-e", "--expression") and k + 1 < len(rest_t):
                scripts.append(rest_t[k + 1])
                k += 2
                continue
            if a.startswith("--expression="):
                scripts.append(a.split("=", 1)[1])
            elif a == "-i" or a.startswith("--in-place") or re.fullmatch(r"-[nrEsu]*i\S*", a):
                inplace = True
            elif a in ("-f", "--file") and k + 1 < len(rest_t):
                k += 2
                continue
            elif not a.startswith("-") or a == "-":
                positional.append(rest[k])
            k += 1
        if not scripts and positional:
            scripts.append(positional[0].text)
            positional = positional[1:]
        script = " ".join(self._expand(s) for s in scripts)
        if sed_y_is_cipher(script):
            flow.add(F.CIPHER)
            if up is not None:
                flow.merge(up)
            if emit:
                self._hit(
                    F.R_CIPHER,
                    Severity.MEDIUM,
                    line,
                    "sed y/// maps characters onto a permutation of themselves: a "
                    "substitution cipher.",
                    [],
                )
        if EXT_SED.search(script) or EXT_EXPR.search(script):
            flow.add(F.EXTCMD)
        fr, reads = self._data_reads(positional, up)
        flow.merge(fr)
        if reads and emit_data:
            self._reads_hit(line, reads)
        if inplace and emit:
            targets = [w.text for w in positional]
            if any(_BUILD_FILE.search(t) or _SOURCE_FILE.search(t) for t in targets):
                self._hit(
                    F.R_SELF_PATCH,
                    Severity.MEDIUM,
                    line,
                    "Edits build files or sources in place during the build "
                    f"({', '.join(targets[:3])}).",
                    [],
                )
        if re.search(r"(?:^|[;/}\s])r\s*\S", script) and inplace and emit:
            self._hit(
                F.R_SELF_PATCH,
                Severity.MEDIUM,
                line,
                "sed inserts the content of another file into a build file.",
                [],
            )

    def _grep(
        self,
        rest: list[Word],
        rest_t: list[str],
        st: Stage,
        up: Flow | None,
        line: int,
        emit_data: bool,
        flow: Flow,
        nxt: str | None,
    ) -> None:
        flags = "".join(a[1:] for a in rest_t if re.fullmatch(r"-[A-Za-z]+", a))
        longs = [a for a in rest_t if a.startswith("--")]
        binary = (
            "a" in flags
            or "--text" in longs
            or "--binary-files=text" in longs
            or any(a.startswith("--binary-files=text") for a in longs)
        )
        recursive = bool(set(flags) & {"r", "R"}) or "--recursive" in longs
        listing = bool(set(flags) & {"l", "L", "o", "b"}) or "--files-with-matches" in longs
        patterns: list[str] = []
        files: list[Word] = []
        k = 0
        explicit = False
        while k < len(rest):
            a = rest_t[k]
            if a in ("-e", "--regexp") and k + 1 < len(rest):
                patterns.append(rest_t[k + 1])
                explicit = True
                k += 2
                continue
            if a in ("-f", "-m", "-A", "-B", "-C", "--file") and k + 1 < len(rest):
                k += 2
                continue
            if a.startswith("-") and len(a) > 1:
                k += 1
                continue
            if not patterns and not explicit:
                patterns.append(a)
            else:
                files.append(rest[k])
            k += 1
        fr, reads = self._data_reads(files, up)
        if binary or (recursive and listing):
            marks = patterns[:2] + [w.text for w in files][:3]
            flow.add(F.DATA, *marks)
            if emit_data:
                self._hit(
                    F.R_MARKER,
                    Severity.MEDIUM,
                    line,
                    "grep searches files as binary text for a marker, the way a loader "
                    "finds its payload among test files.",
                    marks,
                )
            return
        flow.merge(fr)
        if reads and emit_data:
            self._reads_hit(line, reads)

    def _shell_cmd(
        self,
        rest: list[Word],
        st: Stage,
        up: Flow | None,
        text: str,
        line: int,
        emit: bool,
        depth: int,
        flow: Flow,
    ) -> None:
        k = 0
        while k < len(rest):
            a = rest[k].text
            if a == "-c" and k + 1 < len(rest):
                code_w = rest[k + 1]
                inner = self._code(code_w.text, line, emit, depth + 1)
                flow.merge(inner)
                return
            if a in ("-s", "-", "--") or (a.startswith(("-", "+")) and len(a) > 1):
                k += 1
                continue
            # a script argument
            w = rest[k]
            if w.procsub:
                inner = Flow()
                for body, _o in w.substs:
                    inner.merge(self._code(body, line, emit, depth + 1))
                self._sink(inner, line, emit, "a shell via process substitution")
                flow.merge(inner)
                return
            tf = self.tainted.get(w.text) or self.tainted.get(_base(w.text))
            if tf is not None:
                self._sink(tf, line, emit, "a shell (through a file written earlier)")
                flow.merge(tf)
                return
            # a script of the test tree (tests/misc/help-version) is a test, not data;
            # a fixture (tests/files/good-1, *.bin) run as a script is not
            if F.fixture_kind(w.text, strict=True):
                self._sink(Flow().add(F.DATA, w.text), line, emit, "a shell")
            if w.text == "/dev/stdin" and up is not None:
                self._sink(up, line, emit, "a shell reading its standard input")
            return
        # no script: the shell reads commands from stdin
        stdin = self._stdin_flow(st, up, line, emit, depth)
        if stdin is not None:
            self._sink(stdin, line, emit, "a shell reading its standard input")
            flow.merge(stdin)

    def _stdin_flow(
        self, st: Stage, up: Flow | None, line: int, emit: bool, depth: int
    ) -> Flow | None:
        if up is not None:
            return up
        for r in st.redirs:
            if r.target is None:
                continue
            if r.op == "<<<":
                return self._word_flow(r.target, r.target.text, line, emit, depth)
            if r.op == "<":
                t = r.target.text
                tf = self.tainted.get(t) or self.tainted.get(_base(t))
                if tf is not None:
                    return tf
                if F.fixture_kind(t):
                    return Flow().add(F.DATA, t)
                if F.is_test_text(t):
                    return Flow().add(F.TESTTEXT, t)
                if r.target.procsub:
                    inner = Flow()
                    for body, _o in r.target.substs:
                        inner.merge(self._code(body, line, emit, depth + 1))
                    return inner
        return None

    def _script_interp(
        self,
        name: str,
        rest: list[Word],
        st: Stage,
        up: Flow | None,
        text: str,
        line: int,
        emit: bool,
        depth: int,
        flow: Flow,
    ) -> None:
        lang = (
            "python"
            if name.startswith(("python", "pypy"))
            else "perl"
            if name.startswith("perl")
            else "js"
            if name in ("node", "nodejs")
            else "other"
        )
        k = 0
        while k < len(rest):
            a = rest[k].text
            inline = a in ("-c", "-e", "-E", "-p", "--eval", "--print") or bool(
                (lang in ("perl", "other") and re.fullmatch(r"-[a-zA-Z0-9]*[eE]", a))
                or (lang == "python" and re.fullmatch(r"-[a-zA-Z]*c", a))
            )
            if inline and k + 1 < len(rest):
                code = rest[k + 1].text
                files = self._file_args(rest[k + 2 :], False)
                fr, reads = self._data_reads(files, up)
                # the program's arguments (data, test text): what it reads through
                # argv / <> / sys.argv
                inner = self._inline_code(lang, code, line, emit, fr.copy() if fr else None)
                if lang == "perl" and any(
                    x.text.startswith("-") and "i" in x.text[1:] for x in rest[:k]
                ):
                    targets = [w.text for w in rest[k + 2 :] if not w.text.startswith("-")]
                    if emit and any(
                        _BUILD_FILE.search(t) or _SOURCE_FILE.search(t) for t in targets
                    ):
                        self._hit(
                            F.R_SELF_PATCH,
                            Severity.MEDIUM,
                            line,
                            "perl -i edits build files or sources in place.",
                            [],
                        )
                if up is not None and inner.tags:
                    inner.merge(up)
                flow.merge(inner)
                flow.merge(fr)
                if reads and emit and not self.test_tree:
                    self._reads_hit(line, reads)
                for w in rest[k + 2 :]:
                    flow.merge(self._word_flow(w, text, line, emit, depth))
                return
            if a == "-m":
                return
            if a.startswith("-") and a != "-":
                k += 1
                continue
            w = rest[k]
            if w.procsub:
                inner = Flow()
                for body, _o in w.substs:
                    inner.merge(self._code(body, line, emit, depth + 1))
                self._sink(inner, line, emit, f"{name} via process substitution")
                return
            tf = self.tainted.get(w.text) or self.tainted.get(_base(w.text))
            if tf is not None:
                self._sink(tf, line, emit, f"{name} (through a file written earlier)")
                return
            if w.text in ("-", "/dev/stdin") and up is not None:
                self._sink(up, line, emit, f"{name} reading its standard input")
            return
        stdin = self._stdin_flow(st, up, line, emit, depth)
        if stdin is not None:
            self._sink(stdin, line, emit, f"{name} reading its program from standard input")
            flow.merge(stdin)

    def _inline_code(
        self, lang: str, code: str, line: int, emit: bool, argv: Flow | None = None
    ) -> Flow:
        """Flow of an inline program (``-c``/``-e``); ``argv`` is what its file
        arguments carry (data or test files), which the program reads through its
        argument vector."""
        target: list[Hit] = self.hits if emit else []
        if lang == "python":
            from chainsight.analyzers.behaviour import python_hooks

            return python_hooks.python_snippet_flow(code, line, target, argv=argv)
        if lang == "js":
            from chainsight.analyzers.behaviour import js

            return js.js_snippet_flow(code, line, target, argv=argv)
        if lang == "perl":
            return self._perl_flow(code, line, emit, argv)
        return Flow()

    def _perl_flow(self, code: str, line: int, emit: bool, argv: Flow | None = None) -> Flow:
        f = Flow()
        if argv and re.search(r"<>|<<>>|\$ARGV\b|@ARGV|\bshift\b|<\s*ARGV\s*>", code):
            f.merge(argv)  # `<>` and `@ARGV` read the file arguments
        if re.search(
            r"decode_base64|MIME::Base64|\bunpack\b|\bpack\s*\(?\s*['\"][HhuBb]"
            r"|IO::Uncompress|Compress::|\btr/|\by/|Crypt::|\bchr\s*\(\s*(?:hex|oct)\b"
            r"|\bchr\s*\(.*\^|\breverse\b",
            code,
        ):
            f.add(F.DECODE)
        if looks_like_stream_cipher(code):
            f.add(F.CIPHER)
            if emit:
                self._stream_cipher_hit(line)
        if re.search(r"\b(?:LWP|HTTP::Tiny|IO::Socket|Net::)", code):
            f.add(F.NET)
        if f.tags & F.OBFUSCATION_TAGS and re.search(r"\b(?:eval|system|exec)\b|`|qx", code):
            self._sink(f, line, emit, "perl eval/system")
        return f

    def _source(
        self,
        rest: list[Word],
        st: Stage,
        up: Flow | None,
        text: str,
        line: int,
        emit: bool,
        depth: int,
        flow: Flow,
    ) -> None:
        if not rest:
            return
        w = rest[0]
        if w.procsub:
            inner = Flow()
            for body, _o in w.substs:
                inner.merge(self._code(body, line, emit, depth + 1))
            self._sink(inner, line, emit, "the current shell (source of a process substitution)")
            flow.merge(inner)
            return
        if w.text in ("/dev/stdin", "-", "/proc/self/fd/0", "/dev/fd/0"):
            stdin = self._stdin_flow(st, up, line, emit, depth)
            if stdin is not None:
                self._sink(stdin, line, emit, "the current shell (source of standard input)")
                flow.merge(stdin)
            return
        tf = self.tainted.get(w.text) or self.tainted.get(_base(w.text))
        if tf is not None:
            self._sink(tf, line, emit, "the current shell (source of a file written earlier)")
            flow.merge(tf)
            return
        if F.fixture_kind(w.text, strict=True):  # as for `sh FILE`: not a test script
            self._sink(Flow().add(F.DATA, w.text), line, emit, "the current shell (source)")
        vf = self._word_flow(w, text, line, False, depth)
        if vf.tags & (F.OBFUSCATION_TAGS | {F.NET}):
            self._sink(vf, line, emit, "the current shell (source)")


def analyze_shell(text: str, dialect: str = "sh", path: str = "") -> list[Hit]:
    return ShellAnalyzer(text, dialect, path).run()


def shell_snippet_flow(
    code: str,
    line: int,
    hits: list[Hit],
    extern_flows: dict[str, Flow] | None = None,
    extern_literals: dict[str, list[str]] | None = None,
    path: str = "",
    extern_tainted: dict[str, Flow] | None = None,
) -> Flow:
    """Analyse a command string embedded in another language; hits go to ``line``."""
    an = ShellAnalyzer(code, "sh", path, extern_flows, extern_literals)
    if extern_tainted:
        an.tainted.update(extern_tainted)
    pipes, _ = lex(code)
    flow = an._analyze_pipes(pipes, code, 1, True, 1)
    for h in an.hits:
        h.line = line
        hits.append(h)
    return flow

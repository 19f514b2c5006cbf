"""Behaviour of CMake code (CMakeLists.txt, *.cmake).

CMake runs commands at configure time (``execute_process``, ``exec_program``) and
at build time (``add_custom_command``, ``add_custom_target``); those command lines
are handed to the shell analyzer, with CMake variables carried across
(``file(READ ... OFFSET LIMIT HEX)``, ``string(SUBSTRING ...)``, ``file(DOWNLOAD)``,
``file(WRITE)`` of decoded data then ``include()`` or execution of that file,
``cmake_language(EVAL CODE ...)``). ``execute_process`` with several ``COMMAND``
groups is a pipeline, exactly as CMake runs it.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass

from chainsight.analyzers.behaviour import _flow as F
from chainsight.analyzers.behaviour._flow import Flow, Hit
from chainsight.model import Severity


@dataclass
class Arg:
    text: str
    line: int
    quoted: bool


@dataclass
class Call:
    name: str
    """Lower-cased command name."""
    args: list[Arg]
    line: int


_IDENT = re.compile(r"[A-Za-z_]\w*")
_BRACKET_OPEN = re.compile(r"\[(=*)\[")


def parse_cmake(text: str) -> list[Call]:
    """Command invocations of a CMake file (tolerant; comments and strings understood)."""
    calls: list[Call] = []
    i, n = 0, len(text)
    line = 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
            continue
        if c == "#":
            m = _BRACKET_OPEN.match(text, i + 1)
            if m:
                close = "]" + m.group(1) + "]"
                j = text.find(close, m.end())
                j = n if j < 0 else j + len(close)
            else:
                j = text.find("\n", i)
                j = n if j < 0 else j
            line += text.count("\n", i, j)
            i = j
            continue
        m = _IDENT.match(text, i)
        if m and i > 0 and (text[i - 1].isalnum() or text[i - 1] in "_$"):
            i = m.end()
            continue
        if m:
            j = m.end()
            while j < n and text[j] in " \t":
                j += 1
            if j < n and text[j] == "(":
                name_line = line
                args, j, line = _parse_args(text, j + 1, line)
                calls.append(Call(m.group().lower(), args, name_line))
                i = j
                continue
            i = m.end()
            continue
        if c == '"':  # a stray string outside a call
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            line += text.count("\n", i, j)
            i = j + 1
            continue
        i += 1
    return calls


def _parse_args(text: str, i: int, line: int) -> tuple[list[Arg], int, int]:
    args: list[Arg] = []
    n = len(text)
    depth = 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
            continue
        if c in " \t\r":
            i += 1
            continue
        if c == "#":
            m = _BRACKET_OPEN.match(text, i + 1)
            if m:
                close = "]" + m.group(1) + "]"
                j = text.find(close, m.end())
                j = n if j < 0 else j + len(close)
            else:
                j = text.find("\n", i)
                j = n if j < 0 else j
            line += text.count("\n", i, j)
            i = j
            continue
        if c == "(":
            depth += 1
            args.append(Arg("(", line, False))
            i += 1
            continue
        if c == ")":
            depth -= 1
            i += 1
            if depth == 0:
                return args, i, line
            args.append(Arg(")", line, False))
            continue
        if c == '"':
            j = i + 1
            buf: list[str] = []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    e = text[j + 1]
                    buf.append(
                        {"n": "\n", "t": "\t", "r": "\r", ";": ";"}.get(e, e) if e != "\n" else ""
                    )
                    j += 2
                    continue
                buf.append(text[j])
                j += 1
            args.append(Arg("".join(buf), line, True))
            line += text.count("\n", i, j)
            i = j + 1
            continue
        m = _BRACKET_OPEN.match(text, i)
        if m:
            close = "]" + m.group(1) + "]"
            j = text.find(close, m.end())
            j = n if j < 0 else j
            args.append(Arg(text[m.end() : j], line, True))
            line += text.count("\n", i, j)
            i = j + len(close)
            continue
        j = i
        while j < n and text[j] not in ' \t\r\n()#"':
            if text[j] == "\\":
                j += 1
            j += 1
        args.append(Arg(text[i:j], line, False))
        i = j
    return args, n, line


_KEYWORDS_END = frozenset(
    {
        "OUTPUT",
        "DEPENDS",
        "WORKING_DIRECTORY",
        "COMMENT",
        "VERBATIM",
        "BYPRODUCTS",
        "MAIN_DEPENDENCY",
        "IMPLICIT_DEPENDS",
        "USES_TERMINAL",
        "COMMAND_EXPAND_LISTS",
        "JOB_POOL",
        "JOB_SERVER_AWARE",
        "SOURCES",
        "PRE_BUILD",
        "PRE_LINK",
        "POST_BUILD",
        "TARGET",
        "APPEND",
        "DEPFILE",
        "ALL",
        "CODEGEN",
        "DEPENDS_EXPLICIT_ONLY",
        "OUTPUT_VARIABLE",
        "ERROR_VARIABLE",
        "RESULT_VARIABLE",
        "RESULTS_VARIABLE",
        "INPUT_FILE",
        "OUTPUT_FILE",
        "ERROR_FILE",
        "OUTPUT_QUIET",
        "ERROR_QUIET",
        "OUTPUT_STRIP_TRAILING_WHITESPACE",
        "ERROR_STRIP_TRAILING_WHITESPACE",
        "TIMEOUT",
        "ENCODING",
        "ECHO_OUTPUT_VARIABLE",
        "ECHO_ERROR_VARIABLE",
        "COMMAND_ERROR_IS_FATAL",
        "COMMAND_ECHO",
        "ARGS",
    }
)
_ENV_STRONG = re.compile(
    r"debian/rules|\$ENV\{(?:RPM_\w+|DEB_\w+)\}|dpkg-buildpackage|rpmbuild"
    r"|/etc/debian_version|/etc/redhat-release"
)
_VARREF = re.compile(r"\$(?:ENV|CACHE)?\{([A-Za-z_][\w.+-]*)\}")


class _CMakeAnalyzer:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.test_tree = F.in_test_tree(path)
        self.hits: list[Hit] = []
        self.flows: dict[str, Flow] = {}
        self.literals: dict[str, list[str]] = {}
        self.tainted: dict[str, Flow] = {}
        self.unpacked: dict[str, Flow] = {}
        """Directories a data archive (not a source archive) is unpacked into."""

    def hit(self, rule: str, sev: Severity, line: int, why: str, reads: list[str] = []) -> None:  # noqa: B006
        self.hits.append(Hit(rule, sev, line, why, tuple(dict.fromkeys(reads))))

    def arg_flow(self, s: str) -> Flow:
        f = Flow()
        for m in _VARREF.finditer(s):
            f.merge(self.flows.get(m.group(1)))
        return f

    def path_flow(self, s: str) -> Flow:
        f = self.arg_flow(s).copy()
        expanded = self.expand(s)
        if F.fixture_kind(expanded) or F.fixture_kind(s) or F.FIXPATH in f.tags:
            f.add(F.DATA, s)
        elif F.is_test_text(expanded):
            f.add(F.TESTTEXT, s)  # text from a test directory: data, not code
        return f

    def expand(self, s: str, depth: int = 0) -> str:
        if "${" not in s or depth > 3:
            return s

        def rep(m: re.Match[str]) -> str:
            lits = self.literals.get(m.group(1))
            return self.expand(lits[0], depth + 1) if lits else m.group(0)

        return _VARREF.sub(rep, s)

    def set_var(self, name: str, flow: Flow, literal: str | None) -> None:
        self.flows[name] = self.flows.get(name, Flow()).copy().merge(flow)
        if literal is not None:
            self.literals.setdefault(name, []).append(literal)

    def shell(self, cmd_groups: list[list[Arg]], line: int, pipe: bool, extra: str = "") -> Flow:
        from chainsight.analyzers.behaviour.shell import shell_snippet_flow

        texts = []
        for g in cmd_groups:
            if not g:
                continue
            texts.append(" ".join(shlex.quote(a.text) if a.text else "''" for a in g))
        if not texts:
            return Flow()
        code = (" | " if pipe else " ; ").join(texts) + extra
        return shell_snippet_flow(
            code, line, self.hits, self.flows, self.literals, self.path, self.tainted
        )

    @staticmethod
    def groups(args: list[Arg], start_kw: str = "COMMAND") -> list[list[Arg]]:
        out: list[list[Arg]] = []
        cur: list[Arg] | None = None
        for a in args:
            if not a.quoted and a.text == start_kw:
                cur = []
                out.append(cur)
                continue
            if not a.quoted and a.text in _KEYWORDS_END:
                cur = None
                continue
            if cur is not None:
                cur.append(a)
        return out

    def run(self) -> list[Hit]:
        for call in parse_cmake(self.text):
            try:
                self.call(call)
            except (IndexError, ValueError):
                continue
        last = -1
        for m in _ENV_STRONG.finditer(self.text):
            ln = self.text.count("\n", 0, m.start()) + 1
            if ln != last:
                last = ln
                self.hit(
                    F.R_ENV_GATE,
                    Severity.LOW,
                    ln,
                    "Behaves differently under a distribution's package build.",
                )
        return self.hits

    def call(self, c: Call) -> None:
        a = [x.text for x in c.args]
        name = c.name
        if name == "set" and a:
            vals = a[1:]
            vals = [v for v in vals if v not in ("CACHE", "PARENT_SCOPE", "FORCE")]
            if a[0] in _CTEST_COMMANDS:  # ctest runs each of these command lines
                from chainsight.analyzers.behaviour.shell import shell_snippet_flow

                for v in vals:
                    shell_snippet_flow(
                        v, c.line, self.hits, self.flows, self.literals, self.path, self.tainted
                    )
            f = Flow()
            for v in vals:
                f.merge(self.arg_flow(v))
                if F.fixture_kind(self.expand(v)):
                    f.add(F.FIXPATH, v)
            self.set_var(a[0], f, " ".join(vals) if vals else None)
        elif name == "file" and a:
            self.file_cmd(c, a)
        elif name == "string" and len(a) >= 3:
            self.string_cmd(c, a)
        elif name == "install" and "CODE" in a:
            # install(CODE "...") runs that CMake code when the package is installed
            for i, x in enumerate(c.args[:-1]):
                if not x.quoted and x.text == "CODE":
                    body = c.args[i + 1]
                    for inner in parse_cmake(body.text):
                        self.call(Call(inner.name, inner.args, body.line + inner.line - 1))
        elif name == "execute_process":
            groups = self.groups(c.args)
            for g in groups:
                self.unpack(g, a, c.line)
            extra = ""
            if "INPUT_FILE" in a:
                extra = " < " + shlex.quote(a[a.index("INPUT_FILE") + 1])
            before = len(self.hits)
            fl = self.shell(groups, c.line, pipe=True, extra=extra)
            if "OUTPUT_VARIABLE" in a:
                self.set_var(a[a.index("OUTPUT_VARIABLE") + 1], fl, None)
            quiet = "ERROR_QUIET" in a or "OUTPUT_QUIET" in a
            if quiet and any(
                h.rule_id in (F.R_DECODE_EXEC, F.R_DECODER_DATA) for h in self.hits[before:]
            ):
                self.hit(
                    F.R_SILENCED,
                    Severity.LOW,
                    c.line,
                    "The output and errors of this decoding command are thrown away.",
                )
            if "OUTPUT_FILE" in a and fl.tags & (F.OBFUSCATION_TAGS | {F.NET}):
                self.tainted[self.expand(a[a.index("OUTPUT_FILE") + 1])] = fl
        elif name in ("add_custom_command", "add_custom_target"):
            groups = self.groups(c.args)
            if name == "add_custom_target" and len(c.args) > 1 and not groups:
                rest = [x for x in c.args[1:] if x.text not in _KEYWORDS_END]
                groups = [rest]
            self.shell(groups, c.line, pipe=False)
        elif name == "exec_program" and a:
            args = a[a.index("ARGS") + 1] if "ARGS" in a else ""
            fl = self.shell(
                [[Arg(a[0], c.line, False)]], c.line, pipe=False, extra=(" " + args) if args else ""
            )
            if "OUTPUT_VARIABLE" in a:
                self.set_var(a[a.index("OUTPUT_VARIABLE") + 1], fl, None)
        elif name == "cmake_language" and a[:1] == ["EVAL"]:
            code = " ".join(a[2:]) if len(a) > 2 else ""
            self.sink(self.arg_flow(code), c.line, "cmake_language(EVAL)")
        elif name == "include" and a:
            target = self.expand(a[0])
            tf = self.tainted.get(target) or self.tainted.get(a[0])
            unpacked = self.unpacked_from(target)
            if tf is not None:
                self.sink(tf, c.line, "include() of a file written at configure time")
            elif unpacked is not None:
                self.sink(unpacked, c.line, "include() of a file unpacked from a data archive")
            else:
                self.sink(self.arg_flow(a[0]), c.line, "include()")
        elif name in ("fetchcontent_declare", "externalproject_add", "fetchcontent_populate"):
            keys = ("URL", "GIT_REPOSITORY", "SVN_REPOSITORY", "HG_REPOSITORY")
            urls = [a[i + 1] for i, x in enumerate(a[:-1]) if x in keys]
            if urls:
                self.hit(
                    F.R_NETWORK,
                    Severity.LOW,
                    c.line,
                    "A declared dependency is downloaded at configure/build time.",
                    urls[:2],
                )

    def file_cmd(self, c: Call, a: list[str]) -> None:
        op = a[0].upper()
        if op in ("READ", "STRINGS") and len(a) >= 3:
            pf = self.path_flow(a[1])
            fl = pf.copy()
            sliced = "OFFSET" in a or "LIMIT" in a or "LIMIT_INPUT" in a or "LIMIT_COUNT" in a
            if sliced:
                fl.add(F.SLICE)
            if "HEX" in a:
                fl.add(F.BLOB)
            self.set_var(a[2], fl, None)
            if F.DATA in pf.tags and not self.test_tree:
                self.hit(
                    F.R_READS_FIXTURE,
                    Severity.MEDIUM,
                    c.line,
                    "CMake code reads a binary file or a test fixture.",
                    list(pf.reads),
                )
                if sliced:
                    self.hit(
                        F.R_SLICE,
                        Severity.MEDIUM,
                        c.line,
                        "Bytes are read from a data file at an offset.",
                        list(pf.reads),
                    )
        elif op in ("GLOB", "GLOB_RECURSE") and len(a) >= 3:
            f = Flow()
            for g in a[2:]:
                if F.fixture_kind(self.expand(g)):
                    f.add(F.FIXPATH, g)
            self.set_var(a[1], f, None)
        elif op == "DOWNLOAD" and len(a) >= 2:
            self.hit(
                F.R_NETWORK,
                Severity.MEDIUM,
                c.line,
                "CMake downloads a file at configure time.",
                [a[1]],
            )
            if len(a) >= 3:
                self.tainted[self.expand(a[2])] = Flow().add(F.NET, a[1])
        elif op in ("WRITE", "APPEND", "CONFIGURE") and len(a) >= 3:
            content = " ".join(a[2:])
            fl = self.arg_flow(content)
            target = self.expand(a[1])
            if fl.tags & (F.OBFUSCATION_TAGS | {F.NET, F.DATA}):
                self.tainted[target] = fl
                self.tainted[a[1]] = fl
            if op == "APPEND" and re.search(
                r"(?:^|/)(?:[Mm]akefile|build\.ninja|libtool)$", target
            ):
                self.hit(
                    F.R_SELF_PATCH,
                    Severity.MEDIUM,
                    c.line,
                    f"Appends to the generated build file {a[1]}.",
                )
        elif op == "ARCHIVE_EXTRACT":
            src = a[a.index("INPUT") + 1] if "INPUT" in a else ""
            if src and F.is_data_archive(self.expand(src)):
                dest = a[a.index("DESTINATION") + 1] if "DESTINATION" in a[:-1] else ""
                self.unpacked[self.expand(dest).rstrip("/")] = Flow().add(F.DATA, src).add(F.DECODE)
                if not self.test_tree:
                    self.hit(
                        F.R_DECODER_DATA,
                        Severity.MEDIUM,
                        c.line,
                        "CMake decompresses a data file that is not a source archive.",
                        [src],
                    )

    def unpack(self, group: list[Arg], call_args: list[str], line: int) -> None:
        """``cmake -E tar x… ARCHIVE`` in an execute_process: a data archive unpacked
        into the WORKING_DIRECTORY (the build directory without one)."""
        words = [self.expand(x.text) for x in group]
        if len(words) < 4 or not (
            words[0] == "${CMAKE_COMMAND}" or posixpath.basename(words[0]) == "cmake"
        ):
            return
        if words[1:3] != ["-E", "tar"] or "x" not in words[3].lstrip("-"):
            return
        archives = [w for w in words[4:] if not w.startswith("-") and F.is_data_archive(w)]
        if not archives:
            return
        wd = ""
        if "WORKING_DIRECTORY" in call_args[:-1]:
            wd = self.expand(call_args[call_args.index("WORKING_DIRECTORY") + 1])
        self.unpacked[wd.rstrip("/")] = Flow().add(F.DATA, archives[0]).add(F.DECODE)
        if not self.test_tree:
            self.hit(
                F.R_DECODER_DATA,
                Severity.MEDIUM,
                line,
                "CMake unpacks a data file that is not a source archive.",
                archives[:1],
            )

    def unpacked_from(self, target: str) -> Flow | None:
        """The flow of the data archive ``target`` was unpacked from, if it was."""
        for root, flow in self.unpacked.items():
            if root and target.startswith(root + "/"):
                return flow
            if not root and target.startswith(_BUILD_DIR_VARS):
                return flow  # unpacked in the build directory, execute_process's default
        return None

    def string_cmd(self, c: Call, a: list[str]) -> None:
        op = a[0].upper()
        out: str | None = None
        ins: list[str] = []
        extra: set[str] = set()
        if op == "REPLACE" and len(a) >= 4:
            out, ins = a[3], a[1:3] + a[4:]
        elif op == "REGEX" and len(a) >= 5:
            out, ins = (a[4], a[5:]) if a[1].upper() == "REPLACE" else (a[3], a[4:])
        elif op == "SUBSTRING" and len(a) >= 5:
            out, ins = a[4], [a[1]]
            extra.add(F.SLICE)
        elif op in ("APPEND", "PREPEND", "CONCAT", "JOIN"):
            out, ins = (a[2], a[3:]) if op == "JOIN" else (a[1], a[2:])
        elif op in ("TOLOWER", "TOUPPER", "STRIP", "MAKE_C_IDENTIFIER", "CONFIGURE", "HEX"):
            out, ins = a[2], [a[1]]
        elif op == "ASCII":
            out, ins = a[-1], a[1:-1]
            if len(a) > 12:
                extra.add(F.DECODE)
        else:
            out, ins = a[-1], a[1:-1]
        fl = Flow()
        for s in ins:
            fl.merge(self.arg_flow(s))
            if not s.startswith("$") and s in self.flows:
                fl.merge(self.flows[s])
        for t in extra:
            fl.add(t)
        if F.SLICE in extra and F.DATA in fl.tags and not self.test_tree:
            self.hit(
                F.R_SLICE,
                Severity.MEDIUM,
                c.line,
                "A substring is cut out of data read from a binary/test file.",
                list(fl.reads),
            )
        if out:
            self.set_var(out, fl, None)

    def sink(self, fl: Flow, line: int, how: str) -> None:
        if fl.tags & F.OBFUSCATION_TAGS:
            sev = Severity.CRITICAL if fl.tags & {F.DATA, F.SLICE} else Severity.HIGH
            self.hit(
                F.R_DECODE_EXEC,
                sev,
                line,
                f"Decoded or deciphered data is handed to {how}.",
                list(fl.reads),
            )
        elif F.NET in fl.tags:
            self.hit(
                F.R_NETWORK,
                Severity.HIGH,
                line,
                f"Downloaded content is handed to {how}.",
                list(fl.reads),
            )
        elif fl.tags & {F.DATA, F.BLOB, F.TESTTEXT}:
            self.hit(
                F.R_EVAL_COMPUTED,
                Severity.HIGH,
                line,
                f"Content of a binary/test data file is handed to {how}.",
                list(fl.reads),
            )


_CTEST_COMMANDS = frozenset(
    {
        "CTEST_CUSTOM_PRE_TEST",
        "CTEST_CUSTOM_POST_TEST",
        "CTEST_CUSTOM_PRE_MEMCHECK",
        "CTEST_CUSTOM_POST_MEMCHECK",
    }
)
"""CTestCustom.cmake variables whose values ctest runs as commands around the tests."""
_BUILD_DIR_VARS = ("${CMAKE_BINARY_DIR}/", "${CMAKE_CURRENT_BINARY_DIR}/", "${PROJECT_BINARY_DIR}/")


def analyze_cmake(text: str, path: str = "") -> list[Hit]:
    return _CMakeAnalyzer(text, path).run()

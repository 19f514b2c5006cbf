"""Behaviour of Meson build files (meson.build; meson_options.txt has no code).

``run_command()`` runs at configure time; ``custom_target``, ``run_target``,
``generator`` and ``configure_file(command: ...)`` at build time. Their argument
lists are turned into command lines for the shell analyzer; ``fs.read()`` of a
fixture and string variables are carried through.
"""

from __future__ import annotations

import posixpath
import re
import shlex

from chainsight.analyzers.behaviour import _flow as F
from chainsight.analyzers.behaviour._flow import Flow, Hit
from chainsight.model import Severity

_TOKEN = re.compile(
    r"'''(?P<tq>.*?)'''|f?'(?P<sq>(?:\\.|[^'\\\n])*)'|(?P<id>[A-Za-z_][\w.]*(?:\(\))?)"
    r"|(?P<p>[\[\](),:{}/+])|(?P<num>\d+)|(?P<nl>\n)|(?P<ws>[ \t\r]+)|(?P<c>#[^\n]*)|(?P<o>.)",
    re.S,
)
_CALL = re.compile(
    r"\b(run_command|custom_target|run_target|configure_file|generator|find_program"
    r"|fs\.read|\w+\.read)\s*\("
)
_ASSIGN = re.compile(r"(?m)^[ \t]*([A-Za-z_]\w*)[ \t]*(\+?=)[ \t]*")
_ENV_STRONG = re.compile(r"debian/rules|RPM_ARCH|DEB_BUILD_\w+|dpkg-buildpackage|rpmbuild")
_SHELLS = re.compile(r"^(?:.*/)?(?:sh|bash|dash|zsh|ksh)$")


def _unescape(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def _strip_comments(text: str) -> str:
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        if m.lastgroup == "c":
            out.append(" " * len(m.group()))
        else:
            out.append(m.group())
    return "".join(out)


def _balanced(text: str, i: int) -> str:
    depth = 1
    j = i
    n = len(text)
    while j < n:
        m = _TOKEN.match(text, j)
        if m is None:
            j += 1
            continue
        tok = m.group()
        if m.lastgroup == "p":
            if tok in "([{":
                depth += 1
            elif tok in ")]}":
                depth -= 1
                if depth == 0:
                    return text[i:j]
        j = m.end()
    return text[i:]


class _MesonAnalyzer:
    def __init__(self, text: str, path: str) -> None:
        self.raw = text
        self.text = _strip_comments(text)
        self.path = path
        self.test_tree = F.in_test_tree(path)
        self.hits: list[Hit] = []
        self.literals: dict[str, list[str]] = {}
        self.flows: dict[str, Flow] = {}

    def line(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def items(self, args: str) -> tuple[list[str], dict[str, str]]:
        """Split call arguments into positional texts and keyword texts (top level)."""
        pos: list[str] = []
        kw: dict[str, str] = {}
        depth = 0
        cur: list[str] = []
        key: str | None = None
        for m in _TOKEN.finditer(args):
            tok, kind = m.group(), m.lastgroup
            if kind == "p" and tok in "([{":
                depth += 1
            elif kind == "p" and tok in ")]}":
                depth -= 1
            if depth == 0 and kind == "p" and tok == ",":
                (kw.__setitem__(key, "".join(cur)) if key else pos.append("".join(cur)))
                cur, key = [], None
                continue
            if depth == 0 and kind == "p" and tok == ":" and key is None and cur:
                key = "".join(cur).strip()
                cur = []
                continue
            cur.append(tok)
        if "".join(cur).strip():
            (kw.__setitem__(key, "".join(cur)) if key else pos.append("".join(cur)))
        return pos, kw

    def words(self, expr: str) -> list[str]:
        """Flatten an argument expression (string, identifier, array) into words; strings
        joined with ``+`` make one word, as Meson joins them."""
        out: list[str] = []
        join = False  # a ``+`` follows the last word: the next value extends it
        for m in _TOKEN.finditer(expr):
            kind = m.lastgroup
            word: str | None = None
            if kind == "tq":
                word = m.group("tq")
            elif kind == "sq":
                word = _unescape(m.group("sq"))
            elif kind == "id":
                name = m.group("id")
                if name.endswith("()"):
                    base = name.split(".")[0]
                    lits = self.literals.get(base)
                    word = lits[0] if lits else None
                else:
                    lits = self.literals.get(name)
                    if lits:
                        word = lits[0]
                    elif name not in ("true", "false"):
                        word = "${" + name + "}"
            elif kind == "p" and m.group() == "+":
                join = bool(out)
                continue
            elif kind in ("ws", "nl", "c"):
                continue
            else:
                join = False
                continue
            if word is None:
                join = False
            elif join:
                out[-1] += word
                join = False
            else:
                out.append(word)
        return out

    def collect(self) -> None:
        for m in _ASSIGN.finditer(self.text):
            name = m.group(1)
            rhs_end = self.text.find("\n", m.end())
            rhs = self.text[m.end() : rhs_end if rhs_end >= 0 else len(self.text)]
            cm = re.match(r"\s*(?:find_program|files|import)\s*\(", rhs)
            if cm:
                args = _balanced(self.text, m.end() + cm.end())
                ws = self.words(args)
                if ws:
                    val = posixpath.basename(ws[0]) if "find_program" in cm.group() else ws[0]
                    self.literals.setdefault(name, []).append(val)
                continue
            rm = re.match(r"\s*(?:fs|\w+)\.read\s*\(", rhs)
            if rm:
                args = _balanced(self.text, m.end() + rm.end())
                ws = self.words(args)
                f = Flow()
                if ws and F.fixture_kind(ws[0]):
                    f.add(F.DATA, ws[0])
                self.flows[name] = self.flows.get(name, Flow()).copy().merge(f)
                continue
            ws = self.words(rhs) if re.match(r"\s*['\[]", rhs) else []
            if ws:
                self.literals.setdefault(name, []).append(" ".join(ws))
                f = Flow()
                for w in ws:
                    if F.fixture_kind(w):
                        f.add(F.FIXPATH, w)
                if f:
                    self.flows[name] = self.flows.get(name, Flow()).copy().merge(f)

    def shell(self, argv: list[str], line: int) -> None:
        from chainsight.analyzers.behaviour.shell import shell_snippet_flow

        if not argv:
            return
        code = " ".join(
            w if w.startswith("${") and w.endswith("}") else shlex.quote(w) for w in argv
        )
        shell_snippet_flow(code, line, self.hits, self.flows, self.literals, self.path)

    def run(self) -> list[Hit]:
        if posixpath.basename(self.path) in ("meson_options.txt", "meson.options"):
            return self.hits
        self.collect()
        for m in _CALL.finditer(self.text):
            fn = m.group(1)
            args = _balanced(self.text, m.end())
            line = self.line(m.start())
            pos, kw = self.items(args)
            if fn == "run_command":
                argv = [w for p in pos for w in self.words(p)]
                self.shell(argv, line)
            elif fn in ("custom_target", "run_target", "generator", "configure_file"):
                cmd = kw.get("command")
                if cmd is None:
                    continue
                argv = self.words(cmd)
                inputs = self.words(kw.get("input", "")) if "input" in kw else []
                argv = [inputs[0] if (w == "@INPUT@" and inputs) else w for w in argv]
                self.shell(argv, line)
            elif fn.endswith(".read"):
                ws = self.words(pos[0]) if pos else []
                if ws and F.fixture_kind(ws[0]) and not self.test_tree:
                    self.hits.append(
                        Hit(
                            F.R_READS_FIXTURE,
                            Severity.MEDIUM,
                            line,
                            "Meson code reads a binary file or a test fixture.",
                            (ws[0],),
                        )
                    )
        last = -1
        for m in _ENV_STRONG.finditer(self.text):
            ln = self.line(m.start())
            if ln != last:
                last = ln
                self.hits.append(
                    Hit(
                        F.R_ENV_GATE,
                        Severity.LOW,
                        ln,
                        "Behaves differently under a distribution's package build.",
                    )
                )
        return self.hits


def analyze_meson(text: str, path: str = "") -> list[Hit]:
    return _MesonAnalyzer(text, path).run()

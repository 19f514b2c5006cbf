"""A tolerant shell lexer: pipelines, stages, words, redirections, substitutions.

It never raises and never runs anything. It understands enough of POSIX shell
(quotes, ``$(...)``, backticks, ``${...}``, process substitution, redirections,
subshell and brace groups, ``case`` patterns) to tell which word is a command,
what feeds what through a pipe, and which text is itself code. Whatever it does
not understand is kept as plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Word:
    raw: str
    """As written, quotes included."""
    text: str
    """Quotes removed, escapes resolved; substitutions kept as written."""
    pos: int
    substs: list[tuple[str, int]] = field(default_factory=list)
    """Bodies of ``$(...)``, backticks and ``<(...)`` in the word, with their offsets."""
    procsub: bool = False
    quoted: bool = False


@dataclass
class Redir:
    op: str
    """The operator with its descriptor, e.g. ``>``, ``2>``, ``>>``, ``<``, ``<<``, ``<<<``."""
    target: Word | None


@dataclass
class Stage:
    words: list[Word] = field(default_factory=list)
    redirs: list[Redir] = field(default_factory=list)
    pos: int = -1
    group: tuple[str, int] | None = None
    """Body and offset of a ``( ... )`` or ``{ ...; }`` group standing as this stage."""
    heredocs: list[str] = field(default_factory=list)
    """Delimiters of here-documents opened by this stage."""


@dataclass
class Pipeline:
    stages: list[Stage]
    case_pattern: bool = False
    """The text was a ``case`` pattern list (``a | b)``), not commands."""


_PLAIN = re.compile(r"[^\s'\"\\$`|&;<>()]+")
_DQ_PLAIN = re.compile(r"[^\"\\$`]+")
_REDIR = re.compile(r"(\d*|&)(>>|>&|>\||<<<|<<-|<<|<>|<&|>|<)")
_DELIM = re.compile(r"\s*(\\?)(['\"]?)([\w.-]+)\2")


class _Lexer:
    def __init__(self, s: str) -> None:
        self.s = s
        self.n = len(s)
        self.complete = True

    # ------------------------------------------------------------ helpers
    def _balanced(self, i: int, open_: str, close: str) -> tuple[str, int, bool]:
        """Scan from just after an opening bracket; return body, index after close, found."""
        s, n = self.s, self.n
        depth = 1
        j = i
        while j < n:
            c = s[j]
            if c == "\\":
                j += 2
                continue
            if c == "'":
                k = s.find("'", j + 1)
                if k < 0:
                    return s[i:], n, False
                j = k + 1
                continue
            if c == '"':
                j = self._skip_dq(j + 1)
                continue
            if c == "`":
                j = self._skip_bt(j + 1)
                continue
            if c == open_:
                depth += 1
            elif c == close:
                depth -= 1
                if depth == 0:
                    return s[i:j], j + 1, True
            j += 1
        return s[i:], n, False

    def _skip_dq(self, j: int) -> int:
        s, n = self.s, self.n
        while j < n:
            c = s[j]
            if c == "\\":
                j += 2
            elif c == '"':
                return j + 1
            elif c == "$" and s.startswith("$(", j):
                _, j, _ = self._balanced(j + 2, "(", ")")
            elif c == "`":
                j = self._skip_bt(j + 1)
            else:
                j += 1
        return n

    def _skip_bt(self, j: int) -> int:
        s, n = self.s, self.n
        while j < n:
            c = s[j]
            if c == "\\":
                j += 2
            elif c == "`":
                return j + 1
            else:
                j += 1
        return n

    def _backtick(self, i: int) -> tuple[str, int]:
        """i points after the opening backtick; return unescaped body and end."""
        s = self.s
        j = self._skip_bt(i)
        if j >= self.n and not s.endswith("`"):
            self.complete = False
            body = s[i:]
        else:
            body = s[i : j - 1]
        body = re.sub(r"\\([\\`$])", r"\1", body)
        return body, j

    # ------------------------------------------------------------ words
    def read_word(self, i: int) -> tuple[Word, int]:
        s, n = self.s, self.n
        start = i
        text: list[str] = []
        w = Word("", "", i)
        while i < n:
            m = _PLAIN.match(s, i)
            if m:
                text.append(m.group())
                i = m.end()
                if i >= n:
                    break
            c = s[i]
            if c in " \t\r\n;&|<>)":
                break
            if c == "(":
                body, j, _ = self._balanced(i + 1, "(", ")")
                text.append(s[i:j])
                i = j
            elif c == "'":
                j = s.find("'", i + 1)
                if j < 0:
                    self.complete = False
                    j = n
                text.append(s[i + 1 : j])
                w.quoted = True
                i = j + 1
            elif c == '"':
                i = self._read_dq(i + 1, text, w)
                w.quoted = True
            elif c == "\\":
                if i + 1 < n and s[i + 1] != "\n":
                    text.append(s[i + 1])
                i += 2
            elif c == "$":
                i = self._read_dollar(i, text, w)
            elif c == "`":
                body, j = self._backtick(i + 1)
                w.substs.append((body, i + 1))
                text.append(s[i:j])
                i = j
            else:  # pragma: no cover - _PLAIN covers everything else
                text.append(c)
                i += 1
        w.raw = s[start:i]
        w.text = "".join(text)
        return w, i

    def _read_dollar(self, i: int, text: list[str], w: Word) -> int:
        s = self.s
        if s.startswith("$((", i):
            _, j, _ = self._balanced(i + 3, "(", ")")
            if j < self.n and s[j : j + 1] == ")":
                j += 1
            text.append(s[i:j])
            return j
        if s.startswith("$(", i):
            body, j, found = self._balanced(i + 2, "(", ")")
            if not found:
                self.complete = False
            w.substs.append((body, i + 2))
            text.append(s[i:j])
            return j
        if s.startswith("${", i):
            _, j, _ = self._balanced(i + 2, "{", "}")
            text.append(s[i:j])
            return j
        text.append("$")
        return i + 1

    def _read_dq(self, i: int, text: list[str], w: Word) -> int:
        s, n = self.s, self.n
        while i < n:
            m = _DQ_PLAIN.match(s, i)
            if m:
                text.append(m.group())
                i = m.end()
                if i >= n:
                    break
            c = s[i]
            if c == '"':
                return i + 1
            if c == "\\":
                nxt = s[i + 1 : i + 2]
                if nxt in ("$", "`", '"', "\\"):
                    text.append(nxt)
                elif nxt != "\n":
                    text.append("\\" + nxt)
                i += 2
            elif c == "$":
                i = self._read_dollar(i, text, w)
            elif c == "`":
                body, j = self._backtick(i + 1)
                w.substs.append((body, i + 1))
                text.append(s[i:j])
                i = j
        self.complete = False
        return n

    # ------------------------------------------------------------ commands
    def run(self) -> list[Pipeline]:
        s, n = self.s, self.n
        pipes: list[Pipeline] = []
        stages: list[Stage] = []
        cur = Stage()
        i = 0

        def end_stage() -> None:
            nonlocal cur
            if cur.words or cur.redirs or cur.group:
                if cur.group and cur.words:
                    cur.group = None  # "(a|b) cmd": a case pattern, not a subshell
                stages.append(cur)
            cur = Stage()

        def end_pipe(case: bool = False) -> None:
            nonlocal stages
            end_stage()
            if stages:
                pipes.append(Pipeline(stages, case_pattern=case))
            stages = []

        while i < n:
            c = s[i]
            if c in " \t\r":
                i += 1
                continue
            if c == "\\" and s.startswith("\\\n", i):
                i += 2
                continue
            if c in "\n;":
                end_pipe()
                i += 1
                continue
            if c == "&":
                if s.startswith("&&", i):
                    end_pipe()
                    i += 2
                    continue
                if not s.startswith("&>", i):
                    end_pipe()
                    i += 1
                    continue
            if c == "|":
                if s.startswith("||", i):
                    end_pipe()
                    i += 2
                else:
                    end_stage()
                    i += 2 if s.startswith("|&", i) else 1
                continue
            if c == ")":
                end_pipe(case=bool(cur.words or stages))
                i += 1
                continue
            if c == "#":
                j = s.find("\n", i)
                i = n if j < 0 else j
                continue
            if cur.pos < 0:
                cur.pos = i
            if c == "(":
                body, j, found = self._balanced(i + 1, "(", ")")
                if not found:
                    i += 1  # an unclosed group: its body follows on later lines
                    continue
                if not cur.words and cur.group is None:
                    cur.group = (body, i + 1)
                i = j
                continue
            if c == "{" and not cur.words and s[i + 1 : i + 2] in (" ", "\t", "\n", ""):
                body, j, found = self._balanced(i + 1, "{", "}")
                if found and cur.group is None:
                    cur.group = (body, i + 1)
                    i = j
                else:
                    i += 1
                continue
            if c == "}" and not cur.words and s[i + 1 : i + 2] in (" ", "\t", "\n", ";", ""):
                end_pipe()
                i += 1
                continue
            m = _REDIR.match(s, i) if (c in "<>&" or c.isdigit()) else None
            if m and (m.group(1) == "" or m.group(1) == "&" or m.group(1).isdigit()):
                op = m.group(1) + m.group(2)
                j = m.end()
                if m.group(2) in ("<", ">") and s.startswith("(", j) and m.group(1) == "":
                    body, k, found = self._balanced(j + 1, "(", ")")
                    if not found:
                        self.complete = False
                    w = Word(s[i:k], s[i:k], i, [(body, j + 1)], procsub=True)
                    cur.words.append(w)
                    i = k
                    continue
                if m.group(2) in ("<<", "<<-"):
                    dm = _DELIM.match(s, j)
                    if dm:
                        cur.heredocs.append(dm.group(3))
                        cur.redirs.append(Redir(op, Word(dm.group(3), dm.group(3), j)))
                        i = dm.end()
                        continue
                if m.group(2) in (">&", "<&"):
                    k = j
                    while k < n and (s[k].isdigit() or s[k] == "-"):
                        k += 1
                    if k > j:
                        cur.redirs.append(Redir(op + s[j:k], None))
                        i = k
                        continue
                while j < n and s[j] in " \t":
                    j += 1
                if j < n and s[j] not in "\n;&|)":
                    tw, j = self.read_word(j)
                else:
                    tw = None
                cur.redirs.append(Redir(op, tw))
                i = j
                continue
            w, i2 = self.read_word(i)
            if i2 == i:  # safety: never loop
                i += 1
                continue
            cur.words.append(w)
            i = i2
        end_pipe()
        return pipes


def lex(text: str) -> tuple[list[Pipeline], bool]:
    """Parse shell text into pipelines; the flag is False if a quote or ``$(`` is open."""
    lx = _Lexer(text)
    pipes = lx.run()
    return pipes, lx.complete


def iter_pipelines(pipes: list[Pipeline]) -> list[Pipeline]:
    """The pipelines and those of their groups, depth first (for collecting assignments)."""
    out: list[Pipeline] = []
    stack = list(reversed(pipes))
    while stack:
        p = stack.pop()
        out.append(p)
        for st in p.stages:
            if st.group:
                inner, _ = lex(st.group[0])
                stack.extend(reversed(inner))
    return out

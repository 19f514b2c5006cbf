"""Behaviour of npm install-time code: ``package.json`` lifecycle scripts and JavaScript.

Lifecycle commands (``preinstall``, ``install``, ``postinstall``, ``prepare``...) are
shell and go to the shell analyzer. JavaScript is read with a comment-stripping
scanner and regular expressions: variables carry tags from decoders
(``Buffer.from(x, 'base64')``, ``atob``, ``zlib.*Sync``, ``createDecipheriv``,
XOR over ``charCodeAt``), fixture reads and downloads to the sinks that run code
(``eval``, ``Function``, ``vm``, ``child_process``, ``module._compile``, a file
written and then required or spawned). A plain ``node-gyp rebuild`` or
``node install.js`` says nothing.
"""

from __future__ import annotations

import json
import re

from chainsight.analyzers.behaviour import _flow as F
from chainsight.analyzers.behaviour._flow import Flow, Hit
from chainsight.analyzers.behaviour.ciphers import looks_like_stream_cipher
from chainsight.model import Severity

LIFECYCLE = (
    "preinstall",
    "install",
    "postinstall",
    "preprepare",
    "prepare",
    "postprepare",
    "prepublish",
    "preuninstall",
    "uninstall",
    "postuninstall",
)

_DECODE = re.compile(
    r"Buffer\.from\s*\([^;]*?,\s*['\"`](?:base64|base64url|hex|latin1|binary|ucs2)['\"`]"
    r"|new\s+Buffer\s*\([^;]*?,\s*['\"`](?:base64|hex)['\"`]|\batob\s*\("
    r"|zlib\.\w*(?:inflate|gunzip|unzip|[bB]rotliDecompress|decompress)\w*"
    r"|\b(?:inflate|gunzip|unzip|inflateRaw|brotliDecompress)Sync\s*\("
    r"|createDecipheriv?\s*\(|String\.fromCharCode\s*\(\s*\.\.\.|\bunescape\s*\("
    r"|\.split\(\s*(?:''|\"\")\s*\)\s*\.reverse\(\)\s*\.join\("
    r"|Buffer\.from\s*\(\s*\[(?:\s*(?:0x)?[0-9a-fA-F]+\s*,){16}"
)
_CIPHER = re.compile(
    r"charCodeAt\s*\([^)]*\)\s*\^|\^\s*\w+(?:\[[^\]]*\])?\.charCodeAt\s*\("
    r"|String\.fromCharCode\s*\([^)]*\^"  # fromCharCode(c ^ 23): XOR-ed char codes
)
_SHIFT = re.compile(r"\bfromCharCode\s*\(\s*[^;]*?[)\]]\s*[-+]\s*(?:0x[0-9a-fA-F]+|\d+)\s*\)")
"""``String.fromCharCode(buf.readUInt16LE(i) - 0x4e00)``, ``fromCharCode(a[i] + 3)``:
each code read from somewhere is shifted by a constant (a Caesar-like cipher). Only
tags a flow: alone it is common in honest code."""
_NET = re.compile(
    r"\bhttps?\.(?:get|request)\s*\(|(?<![\w$.])(?<!function )fetch\s*\(|\baxios\b"
    r"|require\(\s*['\"](?:request|node-fetch|got|axios|needle|superagent|undici)['\"]\s*\)"
    r"|\bnet\.(?:connect|createConnection)\s*\(|new\s+WebSocket\s*\(|\bdns\.(?:lookup|resolve\w*)\s*\("
    r"|\bXMLHttpRequest\b|\bdgram\.createSocket\s*\("
)
_READ = re.compile(r"\b(?:readFileSync|readFile|createReadStream)\s*\(")
_WRITE = re.compile(
    r"\b(?:fs\.)?(?:writeFileSync|writeFile|promises\.writeFile|appendFileSync)"
    r"\s*\("
)
_SINK = re.compile(
    r"(?<![\w$.])eval\s*\(|new\s+Function\s*\(|(?<![\w$.])Function\s*\("
    r"|\.(?:runInNewContext|runInThisContext|runInContext|compileFunction)\s*\("
    r"|new\s*\(?\s*(?:vm|require\s*\(\s*['\"](?:node:)?vm['\"]\s*\))\s*\.Script\s*\)?\s*\("
    r"|\._compile\s*\("
    r"|(?<![\w$])(?:child_process\.|cp\.|childProcess\.)?(?:exec|execSync|spawn|spawnSync"
    r"|execFile|execFileSync|fork)\s*\(|\.stdin\.(?:write|end)\s*\(|(?<![\w$.])require\s*\("
    r"|\.then\s*\(\s*(?:eval|Function)\s*\)"
    r"|\b(?:global|globalThis|window|self)\s*\[[^\]]+\]\s*\("
)
_ASSIGN = re.compile(
    r"(?:\b(?:const|let|var)\s+|(?<![\w$.=!<>]))([A-Za-z_$][\w$]*)"
    r"\s*(?:[-+*/%|&^]|\*\*|<<|>>>?)?=(?![=>])\s*"
)
_DESTRUCTURE = re.compile(r"\b(?:const|let|var)\s*[\[{]([^\]}=;]*)[\]}]\s*=(?![=>])\s*")
"""``const [a, b] = …``, ``let {x, y} = …``: every name gets the whole right-hand side."""
_ENV_STRONG = re.compile(r"DEB_BUILD_\w+|RPM_ARCH|debian/rules|dpkg-buildpackage|rpmbuild")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_STR = re.compile(r"'((?:\\.|[^'\\\n])*)'|\"((?:\\.|[^\"\\\n])*)\"|`((?:\\.|[^`\\])*)`")


def strip_comments(src: str) -> str:
    """Blank out // and /* */ comments, keeping strings and line numbers."""
    out: list[str] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in "'\"`":
            j = i + 1
            while j < n and src[j] != c:
                if src[j] == "\\":
                    j += 1
                elif src[j] == "\n" and c != "`":
                    break
                j += 1
            out.append(src[i : j + 1])
            i = j + 1
            continue
        if c == "/" and i + 1 < n and src[i + 1] == "/":
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
            continue
        if c == "/" and i + 1 < n and src[i + 1] == "*":
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _balanced_args(src: str, i: int, limit: int = 20000) -> str:
    """``i`` points just after an opening bracket; return the text up to its match
    (at most ``limit`` characters; string literals are skipped whole)."""
    depth = 1
    j = i
    n = min(len(src), i + limit)
    while j < n:
        c = src[j]
        if c in "'\"`":
            k = j + 1
            while k < n and src[k] != c:
                k += 2 if src[k] == "\\" else 1
            j = k + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return src[i:j]
        j += 1
    return src[i:j]


def _rhs(src: str, i: int, limit: int = 20000) -> str:
    """An assignment's right-hand side from ``i``: up to ``;``, ``,`` or a closing
    bracket at depth 0, or a line end that does not continue the expression (at most
    ``limit`` characters)."""
    depth = 0
    j = i
    n = min(len(src), i + limit)
    while j < n:
        c = src[j]
        if c in "'\"`":
            k = j + 1
            while k < n and src[k] != c:
                k += 2 if src[k] == "\\" else 1
            j = k + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (
            c in ";,"
            or (c == "\n" and not src[i:j].rstrip().endswith(("+", "(", ",", "=", "?", ":", ".")))
        ):
            break
        j += 1
    return src[i:j]


class _JsAnalyzer:
    def __init__(
        self,
        src: str,
        base_line: int,
        hits: list[Hit],
        spread: bool,
        test_tree: bool,
        argv: Flow | None = None,
    ) -> None:
        self.src = strip_comments(src)
        self.argv = argv
        """What the program's file arguments carry (``node -e CODE FILE``)."""
        self.base = base_line
        self.hits = hits
        self.spread = spread
        self.test_tree = test_tree
        self.vars: dict[str, list[str]] = {}
        self.env: dict[str, Flow] = {}
        self.tainted: dict[str, Flow] = {}
        self.total = Flow()
        self.uses_cp = "child_process" in self.src

    def line(self, pos: int) -> int:
        return self.base + self.src.count("\n", 0, pos) if self.spread else self.base

    def hit(self, rule: str, sev: Severity, pos: int, why: str, reads: list[str]) -> None:
        self.hits.append(Hit(rule, sev, self.line(pos), why, tuple(dict.fromkeys(reads))))

    def expr_flow(self, text: str, depth: int = 0) -> Flow:
        f = Flow()
        if _DECODE.search(text):
            f.add(F.DECODE)
        if _CIPHER.search(text) or _SHIFT.search(text):
            f.add(F.CIPHER)
        if _NET.search(text):
            f.add(F.NET)
        for m in _READ.finditer(text):
            arg = _balanced_args(text, m.end())
            for s in _strings(arg):
                if F.fixture_kind(s):
                    f.add(F.DATA, s)
            for ident in _IDENT.findall(arg):
                vf = self.env.get(ident)
                if vf and vf.tags & {F.DATA, F.TESTTEXT}:
                    f.merge(vf)
        for s in _strings(text):
            if len(s) >= 80 and re.fullmatch(r"[A-Za-z0-9+/=_\-\s]+", s):
                f.add(F.BLOB)
        if depth < 4:
            for ident in set(_IDENT.findall(text)):
                vf = self.env.get(ident)
                if vf is not None:
                    f.merge(vf)
        if re.search(r"\.(?:slice|subarray|substr|substring)\s*\(\s*-?\d", text) and (
            F.DATA in f.tags
        ):
            f.add(F.SLICE)
        return f

    def collect(self) -> None:
        src = self.src
        if self.argv is not None:
            self.env["argv"] = self.argv.copy()  # process.argv
        for m in _ASSIGN.finditer(src):
            name = m.group(1)
            if name in ("const", "let", "var", "return", "if"):
                continue
            self.vars.setdefault(name, []).append(_rhs(src, m.end()))
        for m in _DESTRUCTURE.finditer(src):
            rhs = _rhs(src, m.end())
            for name in _IDENT.findall(m.group(1)):
                self.vars.setdefault(name, []).append(rhs)
        for name, rhss in self.vars.items():  # path constants
            for r in rhss:
                for s in _strings(r):
                    if F.fixture_kind(s):
                        self.env.setdefault(name, Flow()).add(F.DATA, s)
        for _ in range(3):
            for name, rhss in self.vars.items():
                fl = self.env.get(name, Flow()).copy()
                for r in rhss:
                    fl.merge(self.expr_flow(r, 1))
                if fl:
                    self.env[name] = fl

    def run(self) -> Flow:
        self.collect()
        src = self.src
        for m in _WRITE.finditer(src):
            args = _balanced_args(src, m.end())
            parts = _split_args(args)
            if len(parts) >= 2:
                fl = self.expr_flow(parts[1])
                if fl.tags & (F.OBFUSCATION_TAGS | {F.NET}):
                    self.tainted[parts[0].strip()] = fl
                    for s in _strings(parts[0]):
                        self.tainted[s] = fl
        for m in _SINK.finditer(src):
            token = m.group(0)
            if token.startswith(".then"):
                stmt_start = src.rfind(";", 0, m.start()) + 1
                fl = self.expr_flow(src[stmt_start : m.start()])
                self.sink(fl, m.start(), "eval of a promise result")
                continue
            args = _balanced_args(src, m.end())
            if re.match(
                r"(?:child_process\.|cp\.|childProcess\.)?(?:exec|execSync|spawn|spawnSync"
                r"|execFile|execFileSync|fork)\s*\(",
                token.lstrip("."),
            ) and not (self.uses_cp or token.startswith(("child_process", "cp.", "childProcess"))):
                continue
            if token.startswith("require"):
                key = args.strip()
                tf = self.tainted.get(key) or next(
                    (self.tainted[s] for s in _strings(args) if s in self.tainted), None
                )
                if tf is not None:
                    self.sink(tf, m.start(), "require() of a file written at install time")
                continue
            fl = self.expr_flow(args)
            parts = _split_args(args)
            first = parts[0].strip() if parts else ""
            tf = self.tainted.get(first) or next(
                (self.tainted[s] for s in _strings(first) if s in self.tainted), None
            )
            if tf is not None:
                fl.merge(tf)
            how = token.rstrip("( ").strip(".")
            self.sink(fl, m.start(), f"{how}()")
            # a literal shell command given to exec/execSync: read it as shell
            lits = _strings(first) if re.match(r"(?:child_process\.)?exec", how) else []
            if lits and first[:1] in "'\"`":
                from chainsight.analyzers.behaviour.shell import shell_snippet_flow

                shell_snippet_flow(lits[0], self.line(m.start()), self.hits)
        for m in _DECODE.finditer(src):
            stmt = src[max(0, m.start() - 200) : m.end() + 200]
            fl = self.expr_flow(stmt)
            if fl.tags & {F.DATA, F.BLOB} and not self.test_tree:
                what = "an embedded encoded blob" if F.BLOB in fl.tags else "a data file"
                self.hit(
                    F.R_DECODER_DATA,
                    Severity.MEDIUM,
                    m.start(),
                    f"Install code decodes {what}.",
                    list(fl.reads),
                )
            self.total.merge(fl)
        for m in _READ.finditer(src):
            fl = self.expr_flow(src[m.start() : m.end() + 300])
            if F.DATA in fl.tags and not self.test_tree:
                self.hit(
                    F.R_READS_FIXTURE,
                    Severity.MEDIUM,
                    m.start(),
                    "Install code reads a binary file or a test fixture.",
                    list(fl.reads),
                )
        last_net = -1
        for m in _NET.finditer(src):
            ln = self.line(m.start())
            if ln == last_net:
                continue
            last_net = ln
            self.total.add(F.NET)
            urls = re.findall(r"https?://[^\s'\"`)]+", src[m.start() : m.start() + 300])[:1]
            self.hit(
                F.R_NETWORK, Severity.MEDIUM, m.start(), "Install code reaches the network.", urls
            )
        for m in _ENV_STRONG.finditer(src):
            self.hit(
                F.R_ENV_GATE,
                Severity.LOW,
                m.start(),
                "Behaves differently under a distribution's package build.",
                [],
            )
        if looks_like_stream_cipher(src):
            self.hit(
                F.R_STREAM_CIPHER,
                Severity.HIGH,
                0,
                "An RC4-like byte-permutation cipher in install code.",
                [],
            )
            self.total.add(F.CIPHER)
        for m in _CIPHER.finditer(src):
            self.hit(
                F.R_CIPHER,
                Severity.MEDIUM,
                m.start(),
                "Characters are XOR-ed with a key: a cipher hiding data from review.",
                [],
            )
            break
        return self.total

    def sink(self, fl: Flow, pos: int, how: str) -> None:
        if fl.tags & F.OBFUSCATION_TAGS:
            sev = Severity.CRITICAL if fl.tags & {F.DATA, F.SLICE} else Severity.HIGH
            self.hit(
                F.R_DECODE_EXEC,
                sev,
                pos,
                f"Decoded or deciphered data is handed to {how}.",
                list(fl.reads),
            )
        elif F.NET in fl.tags:
            self.hit(
                F.R_NETWORK,
                Severity.HIGH,
                pos,
                f"Downloaded content is handed to {how}.",
                list(fl.reads),
            )
        elif fl.tags & {F.DATA, F.TESTTEXT}:
            self.hit(
                F.R_EVAL_COMPUTED,
                Severity.HIGH,
                pos,
                f"Content of a binary/test data file is handed to {how}.",
                list(fl.reads),
            )


def _strings(text: str) -> list[str]:
    return [a or b or c for a, b, c in _STR.findall(text)]


def _split_args(args: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    cur: list[str] = []
    i = 0
    n = len(args)
    while i < n:
        c = args[i]
        if c in "'\"`":
            k = i + 1
            while k < n and args[k] != c:
                k += 2 if args[k] == "\\" else 1
            cur.append(args[i : k + 1])
            i = k + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


def js_snippet_flow(
    code: str, line: int, hits: list[Hit], spread: bool = False, argv: Flow | None = None
) -> Flow:
    """Analyse JavaScript given inline (``node -e``) or as a here-document; ``argv``
    is what the program's file arguments carry (``process.argv``)."""
    return _JsAnalyzer(code, line, hits, spread, False, argv).run()


def analyze_js(text: str, path: str = "") -> list[Hit]:
    hits: list[Hit] = []
    if len(text) > 3_000_000:
        return hits
    _JsAnalyzer(text, 1, hits, True, F.in_test_tree(path)).run()
    return hits


def analyze_package_json(text: str, path: str = "") -> list[Hit]:
    """Lifecycle scripts of a package.json, read as shell."""
    from chainsight.analyzers.behaviour.shell import shell_snippet_flow

    hits: list[Hit] = []
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return hits
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return hits
    for key in LIFECYCLE:
        cmd = scripts.get(key)
        if not isinstance(cmd, str) or not cmd.strip():
            continue
        pos = text.find(json.dumps(key) + ":")
        if pos < 0:
            pos = text.find(json.dumps(key))
        line = text.count("\n", 0, pos) + 1 if pos >= 0 else 1
        shell_snippet_flow(cmd, line, hits, path=path)
    return hits

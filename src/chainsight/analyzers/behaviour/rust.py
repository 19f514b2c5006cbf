"""Behaviour of Rust build scripts (``build.rs``).

``std::process::Command`` invocations are turned into command lines for the shell
analyzer; ``let`` bindings carry tags from ``include_bytes!``/``fs::read`` of
fixtures, decoders (base64, flate2, xz2, zstd, hex), XOR loops and downloads to
the commands, to the standard input of an interpreter, or to a file written and
then executed.
"""

from __future__ import annotations

import re
import shlex

from chainsight.analyzers.behaviour import _flow as F
from chainsight.analyzers.behaviour._flow import Flow, Hit
from chainsight.analyzers.behaviour.js import _balanced_args, _split_args, strip_comments
from chainsight.model import Severity

_DECODE = re.compile(
    r"(?:base64|b64|STANDARD|URL_SAFE\w*|engine|BASE64\w*)\w*(?:::|\.)decode\w*\s*\("
    r"|\b(?:Gz|Zlib|Deflate|Xz|Lzma|Bz|MultiGz)Decoder\b|zstd::(?:decode_all|stream::decode\w*)"
    r"|lzma_rs::\w*decompress|\bhex::decode\s*\(|\bdecompress\w*\s*\(|\binflate\w*\s*\("
)
_CIPHER = re.compile(
    r"\|\s*&?\s*\w+\s*\|\s*\*?\w+\s*\^|\^\s*(?:key|k)\b|\bRc4\b|\bChaCha\w*::new"
    r"|\bAes\w*::new|\.rotate_(?:left|right)\s*\(|\|\s*&?\s*\w+\s*\|\s*!\s*\*?\w+"
)
_SLICE = re.compile(r"\[\s*\w*\s*\.\.=?\s*\w*\s*\]")
"""``data[4096..]``, ``data[a..b]``: bytes cut out at offsets."""
_DATA = re.compile(
    r"(?:include_bytes!|include_str!|fs::read(?:_to_string)?|File::open)\s*\(\s*"
    r"(?:concat!\s*\([^)]*?)?\"([^\"]+)\""
)
_NET = re.compile(r"\b(?:reqwest|ureq|attohttpc|minreq|curl|hyper)::|TcpStream::connect")
_LET = re.compile(
    r"\b(?:let|const|static)\s+(?:mut\s+)?(?:(?:Ok|Some)\s*\(\s*(?:mut\s+)?)?([A-Za-z_]\w*)\s*\)?"
    r"\s*(?::[^=;]+)?=\s*"
)
"""``let x =``, ``let mut x: T =``, ``let Ok(x) =`` / ``if let Some(x) =``, and
``const X: &str =`` / ``static X: T =``."""
_FN = re.compile(r"\bfn\s+([a-z_]\w*)\s*(?:<[^>{]*>)?\s*\([^)]*\)[^{;]*\{")
_CALLED = re.compile(r"\b([a-z_]\w*)\s*\(")
_CMD = re.compile(r"(?:process::)?Command::new\s*\(")
_STR = re.compile(r"\"((?:\\.|[^\"\\])*)\"")
_INTERP = re.compile(r"^(?:.*/)?(?:sh|bash|dash|zsh|python[\d.]*|perl|node|ruby)$")


def _stmt(src: str, i: int) -> str:
    depth = 0
    j = i
    n = len(src)
    while j < n and j - i < 20000:
        c = src[j]
        if c == '"':
            k = j + 1
            while k < n and src[k] != '"':
                k += 2 if src[k] == "\\" else 1
            j = k + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif c == ";" and depth == 0:
            break
        j += 1
    return src[i:j]


class _RustAnalyzer:
    def __init__(self, text: str, path: str) -> None:
        self.src = strip_comments(text)
        self.path = path
        self.hits: list[Hit] = []
        self.env: dict[str, Flow] = {}
        self.tainted: dict[str, Flow] = {}
        self.fn_bodies: dict[str, str] = {
            m.group(1): _balanced_args(self.src, m.end()) for m in _FN.finditer(self.src)
        }
        """Functions of the file by name -> body (what a call of one carries)."""
        self._in_fn: set[str] = set()

    def line(self, pos: int) -> int:
        return self.src.count("\n", 0, pos) + 1

    def flow(self, text: str, depth: int = 0) -> Flow:
        f = Flow()
        if _DECODE.search(text):
            f.add(F.DECODE)
        if _CIPHER.search(text):
            f.add(F.CIPHER)
        if _NET.search(text):
            f.add(F.NET)
        for m in _DATA.finditer(text):
            if F.fixture_kind(m.group(1)):
                f.add(F.DATA, m.group(1))
        if depth < 3:
            for ident in set(re.findall(r"[A-Za-z_]\w*", text)):
                vf = self.env.get(ident)
                if vf is not None:
                    f.merge(vf)
            for name in set(_CALLED.findall(text)):  # a function of this file: its body
                body = self.fn_bodies.get(name)
                if body is not None and name not in self._in_fn:
                    self._in_fn.add(name)
                    try:
                        f.merge(self.flow(body, depth + 1))
                    finally:
                        self._in_fn.discard(name)
        if F.DATA in f.tags and _SLICE.search(text):
            f.add(F.SLICE)
        return f

    def run(self) -> list[Hit]:
        src = self.src
        lets = [(m.group(1), _stmt(src, m.end())) for m in _LET.finditer(src)]
        for _ in range(3):
            for name, rhs in lets:
                fl = self.flow(rhs, 1)
                if fl:
                    self.env[name] = self.env.get(name, Flow()).copy().merge(fl)
        for m in re.finditer(r"\b(?:fs::write|File::create)\s*\(", src):
            parts = _split_args(_balanced_args(src, m.end()))
            stmt = _stmt(src, m.start())
            fl = self.flow(parts[1]) if len(parts) > 1 else self.flow(stmt)
            # a file written with decoded, downloaded or fixture bytes: running it runs them
            if fl.tags & (F.OBFUSCATION_TAGS | {F.NET, F.DATA}):
                key = parts[0].strip().lstrip("&")
                self.tainted[key] = fl
                for s in _STR.findall(parts[0]):
                    self.tainted[s] = fl
        for m in _DATA.finditer(src):
            if F.fixture_kind(m.group(1)) and not F.in_test_tree(self.path):
                self.hits.append(
                    Hit(
                        F.R_READS_FIXTURE,
                        Severity.MEDIUM,
                        self.line(m.start()),
                        "The build script reads a binary file or a test fixture.",
                        (m.group(1),),
                    )
                )
        for m in _DECODE.finditer(src):
            stmt = src[max(0, m.start() - 300) : m.end() + 300]
            fl = self.flow(stmt)
            if F.DATA in fl.tags:
                self.hits.append(
                    Hit(
                        F.R_DECODER_DATA,
                        Severity.MEDIUM,
                        self.line(m.start()),
                        "The build script decodes a data file.",
                        tuple(fl.reads),
                    )
                )
                break
        for m in _NET.finditer(src):
            self.hits.append(
                Hit(
                    F.R_NETWORK,
                    Severity.MEDIUM,
                    self.line(m.start()),
                    "The build script reaches the network.",
                )
            )
            break
        for m in _CMD.finditer(src):
            self.command(m.start(), m.end())
        return self.hits

    def command(self, start: int, after: int) -> None:
        from chainsight.analyzers.behaviour.shell import shell_snippet_flow

        src = self.src
        prog_expr = _balanced_args(src, after).strip()
        chain = _stmt(src, start)
        line = self.line(start)
        lits = _STR.findall(prog_expr)
        prog = lits[0] if lits else "${" + re.sub(r"\W", "", prog_expr.split(".")[0]) + "}"
        tf = self.tainted.get(prog_expr.lstrip("&"))
        if tf is None and lits:
            tf = self.tainted.get(lits[0])
        if tf is not None:
            self.sink(tf, line, "execution of a file written by the build script")
        argv = [prog]
        flows = dict(self.env)

        def expr_word(expr: str) -> str:
            s: list[str] = _STR.findall(expr)
            if s and expr.strip().startswith('"'):
                return s[0]
            name = f"__arg{len(flows)}"
            flows[name] = self.flow(expr)
            return "${" + name + "}"

        for am in re.finditer(r"\.(args?)\s*\(", chain):
            inner = _balanced_args(chain, am.end())
            if am.group(1) == "arg":
                argv.append(expr_word(inner))
            else:
                for part in _split_args(inner.strip().lstrip("&").strip("[]")):
                    if part.strip():
                        argv.append(expr_word(part))
        if _INTERP.match(prog):
            for am in re.finditer(r"\.args?\s*\(", chain):
                inner = _balanced_args(chain, am.end()).strip().lstrip("&").strip("[]")
                for part in _split_args(inner):
                    written = self.tainted.get(part.strip().lstrip("&").strip())
                    if written is not None:
                        self.sink(written, line, f"{prog} running a file written by the build")
        code = " ".join(a if a.startswith("${") else shlex.quote(a) for a in argv)
        shell_snippet_flow(code, line, self.hits, flows, {}, self.path, self.tainted)
        if _INTERP.match(prog) and "stdin" in chain:
            for wm in re.finditer(r"write_all\s*\(", src[start:]):
                fl = self.flow(_balanced_args(src, start + wm.end()))
                self.sink(fl, line, f"the standard input of {prog}")
                break

    def sink(self, fl: Flow, line: int, how: str) -> None:
        if fl.tags & F.OBFUSCATION_TAGS:
            sev = Severity.CRITICAL if fl.tags & {F.DATA, F.SLICE} else Severity.HIGH
            self.hits.append(
                Hit(
                    F.R_DECODE_EXEC,
                    sev,
                    line,
                    f"Decoded or deciphered data is handed to {how}.",
                    tuple(fl.reads),
                )
            )
        elif F.NET in fl.tags:
            self.hits.append(
                Hit(
                    F.R_NETWORK,
                    Severity.HIGH,
                    line,
                    f"Downloaded content is handed to {how}.",
                    tuple(fl.reads),
                )
            )


def analyze_build_rs(text: str, path: str = "") -> list[Hit]:
    return _RustAnalyzer(text, path).run()

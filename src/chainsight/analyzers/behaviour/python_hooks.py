"""Behaviour of Python build hooks (setup.py, hatch_build.py, conanfile.py, ...).

Parsed with :mod:`ast` (never imported or run). A small flow-insensitive taint
analysis follows values from decoders (``base64.b64decode``, ``zlib.decompress``,
``codecs.decode(..., 'rot13')``, XOR loops...), fixture reads and downloads to the
sinks that run code (``exec``, ``eval``, ``compile``, ``os.system``,
``subprocess``, a file written and then executed). Shell command strings given
to ``os.system``/``subprocess`` are analysed by the shell analyzer.
"""

from __future__ import annotations

import ast
import re
import shlex

from chainsight.analyzers.behaviour import _flow as F
from chainsight.analyzers.behaviour._flow import Flow, Hit
from chainsight.analyzers.behaviour.ciphers import is_cipher_mapping, looks_like_stream_cipher
from chainsight.model import Severity

_DECODERS = frozenset(
    {
        "base64.b64decode",
        "base64.b32decode",
        "base64.b16decode",
        "base64.b85decode",
        "base64.a85decode",
        "base64.decodebytes",
        "base64.decodestring",
        "base64.standard_b64decode",
        "base64.urlsafe_b64decode",
        "base64.b32hexdecode",
        "binascii.a2b_base64",
        "binascii.unhexlify",
        "binascii.a2b_hex",
        "binascii.a2b_uu",
        "bytes.fromhex",
        "bytearray.fromhex",
        "zlib.decompress",
        "gzip.decompress",
        "bz2.decompress",
        "lzma.decompress",
        "marshal.loads",
        "pickle.loads",
        "cPickle.loads",
        "zlib.decompressobj",
        "lzma.LZMADecompressor",
        "bz2.BZ2Decompressor",
        "quopri.decodestring",
        "uu.decode",
        "zstandard.decompress",
        "brotli.decompress",
        "lz4.frame.decompress",
        "Crypto.Cipher.AES.new",
        "Crypto.Cipher.ARC4.new",
        "cryptography.fernet.Fernet",
    }
)
_DECODE_OPENERS = frozenset(
    {"gzip.open", "lzma.open", "bz2.open", "gzip.GzipFile", "lzma.LZMAFile", "bz2.BZ2File"}
)
_READ_OPENERS = frozenset(
    {"open", "io.open", "codecs.open", "builtins.open", "os.open", "numpy.fromfile", "np.fromfile"}
)
_NET = re.compile(
    r"^(?:urllib\.request\.(?:urlopen|urlretrieve|Request|build_opener)|urllib\.urlopen"
    r"|urllib\.urlretrieve|urllib2\.urlopen|requests\.(?:get|post|request|Session|head)"
    r"|http\.client\.HTTPS?Connection|httplib\.HTTPS?Connection|socket\.socket"
    r"|socket\.create_connection|httpx\.\w+|urllib3\.\w+|aiohttp\.\w+|ftplib\.FTP\w*"
    r"|pycurl\.Curl|smtplib\.\w+|telnetlib\.\w+|paramiko\.\w+)$"
)
_EXEC_SINKS = frozenset(
    {
        "exec",
        "eval",
        "compile",
        "builtins.exec",
        "builtins.eval",
        "execfile",
        "runpy.run_path",
        "runpy.run_module",
    }
)
_UNPICKLERS = re.compile(
    r"^(?:c?[Pp]ickle|_pickle|dill|cloudpickle|joblib|marshal)\.(?:loads?|Unpickler)$"
    r"|^(?:pandas|pd)\.read_pickle$"
)
"""Deserializers that run code: a pickle names callables and calls them as it loads (and
``marshal`` loads code objects). Loading a data file with one is running it."""
_IMPORTERS = ("__import__", "importlib.import_module")
_HARMLESS_BUILTINS = frozenset({"print", "len", "open", "str", "int", "repr", "isinstance"})
_SHELL_SINKS = re.compile(
    r"^(?:os\.(?:system|popen|popen2|popen3|execl|execlp|execle|execv|execvp|execvpe|spawnl"
    r"|spawnlp|spawnv|spawnvp|posix_spawn|posix_spawnp)|subprocess\.(?:call|run|Popen"
    r"|check_call|check_output|getoutput|getstatusoutput)|commands\.getoutput"
    r"|commands\.getstatusoutput|pty\.spawn|asyncio\.create_subprocess_(?:exec|shell))$"
)
_INTERP = re.compile(r"^(?:.*/)?(?:sh|bash|dash|zsh|ksh|python[\d.]*|perl|node|ruby)$")
_ENV_STRONG = re.compile(
    r"debian/rules|RPM_ARCH|RPM_BUILD_ROOT|DEB_(?:BUILD|HOST)_\w+"
    r"|dpkg-buildpackage|rpmbuild|/etc/debian_version"
)
_BLOB = re.compile(r"^[A-Za-z0-9+/=_\-\s]{80,}$|^(?:[0-9a-fA-F]{2}){40,}$")


def _const_str(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
        v = node.value
        return v if isinstance(v, str) else v.decode("latin-1")
    return None


class _PyAnalyzer:
    def __init__(
        self,
        tree: ast.AST,
        base_line: int,
        hits: list[Hit],
        spread: bool,
        test_tree: bool,
        argv: Flow | None = None,
    ) -> None:
        self.tree = tree
        self.argv = argv
        """What the program's arguments carry (``python -c CODE FILE``), if anything."""
        self.base = base_line
        self.hits = hits
        self.spread = spread
        self.test_tree = test_tree
        self.alias: dict[str, str] = {}
        self.env: dict[str, Flow] = {}
        self.consts: dict[str, str] = {}
        self.handles: dict[str, str] = {}  # file handle name -> path constant
        self.ctypes_handles: set[str] = set()
        self.returns: dict[str, list[ast.expr]] = {}
        """Function and method names of the file -> the values they return."""
        self._returning: set[str] = set()
        """Names bound to a library loaded with ctypes (``libc = ctypes.CDLL(None)``)."""
        self.tainted: dict[str, Flow] = {}
        self.total = Flow()
        self._emit = False
        self._memo: dict[int, Flow] = {}

    # ------------------------------------------------------------------ helpers
    def line(self, node: ast.AST) -> int:
        ln = getattr(node, "lineno", 1)
        return self.base + ln - 1 if self.spread else self.base

    def hit(self, rule: str, sev: Severity, node: ast.AST, why: str, reads: list[str]) -> None:
        if not self._emit:
            return
        ln = self.line(node)
        self.hits.append(Hit(rule, sev, ln, why, tuple(dict.fromkeys(reads))))

    def dotted(self, node: ast.AST) -> str:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            parts.append(self.alias.get(node.id, node.id))
        elif isinstance(node, ast.Call):
            fn = self.dotted(node.func)
            mod = self.str_value(node.args[0]) if node.args else None
            if fn in ("__import__", "importlib.import_module", "builtins.__import__") and mod:
                parts.append(mod)
            else:
                parts.append(fn + "()")
        else:
            parts.append("?")
        return ".".join(reversed(parts))

    def str_value(self, node: ast.AST) -> str | None:
        s = _const_str(node)
        if s is not None:
            return s
        if isinstance(node, ast.Name):
            return self.consts.get(node.id)
        if isinstance(node, ast.JoinedStr):
            out = []
            for v in node.values:
                if isinstance(v, ast.Constant) and isinstance(v.value, str):
                    out.append(v.value)
                else:
                    out.append("*")
            return "".join(out)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            a, b = self.str_value(node.left), self.str_value(node.right)
            if a is not None or b is not None:
                return (a or "*") + (b or "*")
        if isinstance(node, ast.Call):
            name = self.dotted(node.func)
            if name in ("os.path.join", "pathlib.Path", "Path", "pathlib.PurePath"):
                pieces = [self.str_value(a) for a in node.args]
                if any(p is not None for p in pieces):
                    return "/".join(p or "*" for p in pieces)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):  # Path / "x"
            a, b = self.str_value(node.left), self.str_value(node.right)
            if a is not None or b is not None:
                return (a or "*") + "/" + (b or "*")
        return None

    def path_flow(self, node: ast.AST) -> Flow:
        f = self.flow(node)
        s = self.str_value(node)
        if s and F.fixture_kind(s):
            f = f.copy().add(F.DATA, s)
        return f

    # ------------------------------------------------------------------ flows
    def flow(self, node: ast.AST | None) -> Flow:
        if node is None:
            return Flow()
        got = self._memo.get(id(node))
        if got is not None:
            return got
        res = self._flow(node)
        self._memo[id(node)] = res
        return res

    def _flow(self, node: ast.AST) -> Flow:
        if isinstance(node, ast.Constant):
            s = _const_str(node)
            if s and len(s) >= 80 and _BLOB.match(s):
                return Flow().add(F.BLOB)
            return Flow()
        if (
            self.argv is not None
            and isinstance(node, ast.Name | ast.Attribute)
            and self.dotted(node) == "sys.argv"
        ):
            return self.argv
        if isinstance(node, ast.Name):
            return self.env.get(node.id, Flow())
        if isinstance(node, ast.Call):
            if self.argv is not None and self.dotted(node.func) == "fileinput.input":
                return self.argv.copy().merge(self.call_flow(node))
            return self.call_flow(node)
        if isinstance(node, ast.Subscript):
            f = self.flow(node.value).copy()
            sl = node.slice
            if isinstance(sl, ast.Slice):
                step = sl.step
                if (
                    isinstance(step, ast.UnaryOp)
                    and isinstance(step.op, ast.USub)
                    and f.tags & {F.DATA, F.BLOB, F.DECODE}
                ):
                    f.add(F.DECODE)
                elif (sl.lower is not None or sl.upper is not None) and F.DATA in f.tags:
                    f.add(F.SLICE)
                    if not self.test_tree:
                        self.hit(
                            F.R_SLICE,
                            Severity.MEDIUM,
                            node,
                            "Bytes are cut out of a data file at offsets.",
                            list(f.reads),
                        )
            return f
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitXor):
            f = self.flow(node.left).copy().merge(self.flow(node.right))
            if f.tags & {F.DATA, F.BLOB, F.DECODE} or any(
                self._key_byte(side) for side in (node.left, node.right)
            ):
                f.add(F.CIPHER)
            return f
        out = Flow()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr | ast.comprehension | ast.keyword):
                out.merge(self.flow(child))
        return out

    def _ctypes_libc(self, func: ast.AST) -> bool:
        """``ctypes.CDLL(None).system``, ``libc.system`` with ``libc = ctypes.CDLL(…)``."""
        if not isinstance(func, ast.Attribute):
            return False
        recv = func.value
        if isinstance(recv, ast.Name):
            return recv.id in self.ctypes_handles
        return isinstance(recv, ast.Call) and self.dotted(recv.func).startswith("ctypes.")

    def _builtin_by_name(self, func: ast.AST) -> bool:
        """A builtin fetched by name instead of called by it (exec hidden from readers):
        ``__import__("builtins").__dict__[x]``, ``vars(builtins)[x]``,
        ``getattr(builtins, x)``."""

        def is_builtins(n: ast.AST) -> bool:
            if isinstance(n, ast.Name):
                return n.id in ("__builtins__",) or self.alias.get(n.id, n.id) == "builtins"
            if isinstance(n, ast.Call) and self.dotted(n.func) in (
                "__import__",
                "importlib.import_module",
            ):
                return bool(n.args) and self.str_value(n.args[0]) == "builtins"
            if isinstance(n, ast.Attribute) and n.attr == "__dict__":
                return is_builtins(n.value)
            if isinstance(n, ast.Call) and self.dotted(n.func) == "vars" and n.args:
                return is_builtins(n.args[0])
            return False

        if isinstance(func, ast.Subscript):
            return is_builtins(func.value)
        if isinstance(func, ast.Call) and self.dotted(func.func) == "getattr" and func.args:
            name = self.str_value(func.args[1]) if len(func.args) > 1 else None
            return is_builtins(func.args[0]) and name not in _HARMLESS_BUILTINS
        return False

    def _key_byte(self, node: ast.AST) -> bool:
        """``key[i % len(key)]``, ``key[i]``: one byte or character of a constant
        string, as XOR with a repeating key takes it (``x ^ key[...]`` is a cipher
        whatever ``x`` holds)."""
        return (
            isinstance(node, ast.Subscript)
            and not isinstance(node.slice, ast.Slice)
            and isinstance(node.value, ast.Name)
            and bool(self.consts.get(node.value.id))
        )

    def call_flow(self, node: ast.Call) -> Flow:
        name = self.dotted(node.func)
        short = name.rsplit(".", 1)[-1]
        local = name if name in self.returns else None
        if local is None and name.startswith("self.") and short in self.returns:
            local = short
        if local is not None and local not in self._returning:
            # a function of this file: what it returns flows out of the call
            self._returning.add(local)
            try:
                returned = Flow()
                for value in self.returns[local]:
                    returned.merge(self.flow(value))
            finally:
                self._returning.discard(local)
            if returned:
                return returned
        args_flow = Flow()
        for a in node.args:
            args_flow.merge(self.flow(a))
        for kw in node.keywords:
            args_flow.merge(self.flow(kw.value))
        recv = Flow()
        if isinstance(node.func, ast.Attribute):
            recv = self.flow(node.func.value)
        f = Flow().merge(args_flow).merge(recv)

        if name in _DECODERS or (
            short in ("b64decode", "b85decode", "unhexlify", "a2b_base64", "decompress", "fromhex")
            and name not in _NET_NAMES
        ):
            f.add(F.DECODE)
            self.decoder_hit(node, name, args_flow.copy().merge(recv))
        elif name == "codecs.decode" or (short == "decode" and len(node.args) >= 1):
            enc = self.str_value(node.args[-1]) if node.args else None
            if enc is None:
                for kw in node.keywords:
                    if kw.arg == "encoding":
                        enc = self.str_value(kw.value)
            if enc and re.match(r"(?:rot_?13|base_?64|hex|zlib|bz2|uu|quopri)", enc.lower()):
                f.add(F.CIPHER if "rot" in enc.lower() else F.DECODE)
                self.decoder_hit(node, f"{name}({enc!r})", args_flow.copy().merge(recv))
                if "rot" in enc.lower():
                    self.hit(
                        F.R_CIPHER,
                        Severity.MEDIUM,
                        node,
                        "rot13 is a substitution cipher used to hide text from review.",
                        [],
                    )
        elif name in _DECODE_OPENERS:
            pf = self.path_flow(node.args[0]) if node.args else Flow()
            f.merge(pf).add(F.DECODE)
            self.decoder_hit(node, name, pf)
            self.read_hit(node, pf)
        elif name in _READ_OPENERS or short in ("read_bytes", "read_text", "fromfile"):
            target = (
                node.args[0]
                if node.args
                else (node.func.value if isinstance(node.func, ast.Attribute) else None)
            )
            if target is not None:
                pf = self.path_flow(target)
                f.merge(pf)
                self.read_hit(node, pf)
        elif name.endswith("maketrans") or short == "maketrans":
            if len(node.args) >= 2:
                s1, s2 = self.str_value(node.args[0]), self.str_value(node.args[1])
                if s1 and s2 and is_cipher_mapping(list(s1), list(s2)):
                    f.add(F.CIPHER)
                    self.hit(
                        F.R_CIPHER,
                        Severity.MEDIUM,
                        node,
                        "A translation table that permutes characters: a substitution cipher.",
                        [],
                    )
        elif _NET.match(name) or name in _NET_NAMES:
            f.add(F.NET)
            url = self.str_value(node.args[0]) if node.args else None
            self.hit(
                F.R_NETWORK,
                Severity.MEDIUM,
                node,
                f"Build code reaches the network ({name}).",
                [url] if url else [],
            )
        elif short == "seek" and F.DATA in recv.tags and node.args:
            f.add(F.SLICE)
            if not self.test_tree:
                self.hit(
                    F.R_SLICE,
                    Severity.MEDIUM,
                    node,
                    "Seeks to an offset in a data file.",
                    list(recv.reads),
                )
        elif name in ("reversed",) and args_flow.tags & {F.DATA, F.BLOB}:
            f.add(F.DECODE)
        elif _SHELL_SINKS.match(name) and name.endswith(
            ("check_output", "getoutput", "popen", "getstatusoutput")
        ):
            f.merge(self.command_flow(node, name, emit=False))
        return f

    def decoder_hit(self, node: ast.AST, name: str, src: Flow) -> None:
        if src.tags & {F.DATA, F.BLOB}:
            what = "an embedded encoded blob" if F.BLOB in src.tags else "a data file"
            self.hit(
                F.R_DECODER_DATA,
                Severity.MEDIUM,
                node,
                f"{name} decodes {what} at build time.",
                list(src.reads),
            )

    def read_hit(self, node: ast.AST, pf: Flow) -> None:
        if F.DATA in pf.tags and not self.test_tree:
            self.hit(
                F.R_READS_FIXTURE,
                Severity.MEDIUM,
                node,
                "Build code reads a binary file or a test fixture.",
                list(pf.reads),
            )

    # ------------------------------------------------------------------ sinks
    def sink(self, flow: Flow, node: ast.AST, how: str) -> None:
        if flow.tags & F.OBFUSCATION_TAGS:
            sev = Severity.CRITICAL if flow.tags & {F.DATA, F.SLICE} else Severity.HIGH
            self.hit(
                F.R_DECODE_EXEC,
                sev,
                node,
                f"Decoded or deciphered data is handed to {how}.",
                list(flow.reads),
            )
        elif F.NET in flow.tags:
            self.hit(
                F.R_NETWORK,
                Severity.HIGH,
                node,
                f"Downloaded content is handed to {how}.",
                list(flow.reads),
            )
        elif flow.tags & {F.DATA, F.TESTTEXT}:
            self.hit(
                F.R_EVAL_COMPUTED,
                Severity.HIGH,
                node,
                f"Content of a binary/test data file is handed to {how}.",
                list(flow.reads),
            )

    def command_flow(self, node: ast.Call, name: str, emit: bool) -> Flow:
        """Flow produced by running a command (and emit its own signals)."""
        from chainsight.analyzers.behaviour.shell import shell_snippet_flow

        out = Flow()
        if not node.args:
            return out
        a0 = node.args[0]
        shell_kw = any(
            kw.arg == "shell" and isinstance(kw.value, ast.Constant) and kw.value.value is True
            for kw in node.keywords
        )
        text = self.str_value(a0)
        sink_hits: list[Hit] = self.hits if (emit and self._emit) else []
        argv: list[str] | None = None
        if isinstance(a0, ast.List | ast.Tuple):
            argv = [self.str_value(e) or "$X" for e in a0.elts]
        if text is not None and (
            shell_kw or name.startswith(("os.system", "os.popen", "commands.", "subprocess.get"))
        ):
            out.merge(shell_snippet_flow(text, self.line(node), sink_hits))
        elif argv:
            if len(argv) >= 3 and _INTERP.match(argv[0]) and argv[1] in ("-c", "-e"):
                out.merge(
                    shell_snippet_flow(argv[2], self.line(node), sink_hits)
                    if "sh" in argv[0]
                    else Flow()
                )
            else:
                out.merge(
                    shell_snippet_flow(
                        " ".join(shlex.quote(x) if x != "$X" else x for x in argv),
                        self.line(node),
                        sink_hits,
                    )
                )
        return out

    def visit_sinks(self) -> None:
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            name = self.dotted(node.func)
            short = name.rsplit(".", 1)[-1]
            if name in _EXEC_SINKS and node.args:
                fl = self.flow(node.args[0])
                if name.startswith("runpy"):
                    p = self.str_value(node.args[0])
                    fl = self.tainted.get(p or "", fl)
                self.sink(fl, node, f"Python {short}()")
            elif _SHELL_SINKS.match(name) and node.args:
                a0 = node.args[0]
                fl = self.flow(a0)
                argv0 = None
                if isinstance(a0, ast.List | ast.Tuple) and a0.elts:
                    argv0 = self.str_value(a0.elts[0])
                    for e in a0.elts:
                        ev = self.str_value(e)
                        if ev is not None and ev in self.tainted:
                            self.sink(self.tainted[ev], node, "execution of a file written here")
                            break
                    if len(a0.elts) >= 3 and argv0 and _INTERP.match(argv0):
                        fl = fl.copy().merge(self.flow(a0.elts[2]))
                p = self.str_value(a0)
                if p is not None and p in self.tainted:
                    self.sink(self.tainted[p], node, "execution as a program")
                self.sink(fl, node, f"a command ({name})")
                for kw in node.keywords:
                    if kw.arg == "input":
                        self.sink(self.flow(kw.value), node, f"the standard input of {name}")
                self.command_flow(node, name, emit=True)
            elif _UNPICKLERS.match(name) and node.args:
                self.sink(self.flow(node.args[0]), node, f"{name}() (unpickling runs code)")
            elif name == "zipimport.zipimporter" and node.args:
                archive = self.str_value(node.args[0])
                fl = self.path_flow(node.args[0])
                if archive and F.is_data_archive(archive):
                    fl = fl.copy().add(F.DATA, archive)
                self.sink(fl, node, "an import of code from that archive (zipimport)")
            elif short in ("system", "popen") and self._ctypes_libc(node.func) and node.args:
                self.sink(self.flow(node.args[0]), node, f"libc {short}() through ctypes")
            elif node.args and self._builtin_by_name(node.func):
                self.sink(self.flow(node.args[0]), node, "a builtin looked up by name")
            elif short == "communicate" and node.args:
                self.sink(self.flow(node.args[0]), node, "a child process's standard input")
            elif short == "write" and isinstance(node.func, ast.Attribute) and node.args:
                recv = node.func.value
                path = None
                if isinstance(recv, ast.Name):
                    path = self.handles.get(recv.id)
                elif isinstance(recv, ast.Call) and self.dotted(recv.func) in _READ_OPENERS:
                    path = self.str_value(recv.args[0]) if recv.args else None
                fl = self.flow(node.args[0])
                if path and fl.tags & (F.OBFUSCATION_TAGS | {F.NET}):
                    self.tainted[path] = fl
            elif short in ("write_bytes", "write_text") and isinstance(node.func, ast.Attribute):
                path = self.str_value(node.func.value)
                fl = self.flow(node.args[0]) if node.args else Flow()
                if path and fl.tags & (F.OBFUSCATION_TAGS | {F.NET}):
                    self.tainted[path] = fl

    # ------------------------------------------------------------------ driver
    def collect(self) -> None:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.returns.setdefault(node.name, []).extend(
                    r.value
                    for r in ast.walk(node)
                    if isinstance(r, ast.Return) and r.value is not None
                )
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        self.alias[a.asname] = a.name
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    self.alias[a.asname or a.name] = f"{node.module}.{a.name}"
        for _ in range(3):
            self._memo = {}
            for node in ast.walk(self.tree):
                if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                    value = node.value
                    if value is None:
                        continue
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    if isinstance(value, ast.Call) and self.dotted(value.func).startswith(
                        "ctypes."
                    ):
                        self.ctypes_handles.update(n for t in targets for n in _names(t))
                    fl = self.flow(value)
                    s = self.str_value(value)
                    for t in targets:
                        for name in _names(t):
                            self.env[name] = self.env.get(name, Flow()).copy().merge(fl)
                            if s is not None:
                                self.consts.setdefault(name, s)
                elif isinstance(node, ast.For | ast.comprehension):
                    fl = self.flow(node.iter)
                    for name in _names(node.target):
                        self.env[name] = self.env.get(name, Flow()).copy().merge(fl)
                elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                    fl = self.flow(node.context_expr)
                    for name in _names(node.optional_vars):
                        self.env[name] = self.env.get(name, Flow()).copy().merge(fl)
                        ce = node.context_expr
                        if isinstance(ce, ast.Call) and ce.args:
                            p = self.str_value(ce.args[0])
                            if p:
                                self.handles[name] = p
        # the writes that create executable files must be known before the sinks
        self._emit = False
        self.visit_sinks()

    def run(self) -> Flow:
        self.collect()
        self._emit = True
        self._memo = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                self.total.merge(self.call_flow(node))
        self.visit_sinks()
        self.env_gates()
        return self.total

    def env_gates(self) -> None:
        for node in ast.walk(self.tree):
            s = _const_str(node)
            if s and _ENV_STRONG.search(s):
                self.hit(
                    F.R_ENV_GATE,
                    Severity.LOW,
                    node,
                    "Behaves differently under a distribution's package build.",
                    [],
                )


_NET_NAMES = frozenset({"urlopen", "urlretrieve"})


def _names(t: ast.AST) -> list[str]:
    if isinstance(t, ast.Name):
        return [t.id]
    if isinstance(t, ast.Tuple | ast.List):
        return [n for e in t.elts for n in _names(e)]
    if isinstance(t, ast.Attribute):
        return [t.attr]
    return []


def _parse(code: str) -> ast.AST | None:
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


_PY2_DECODE = re.compile(
    r"b64decode|decodestring|decompress|\.decode\(\s*['\"](?:base64|hex|"
    r"zlib|rot13|rot_13)['\"]|unhexlify"
)
_PY2_SINK = re.compile(r"\b(?:exec|eval|os\.system|os\.popen|subprocess\.\w+|execfile)\b")


def _fallback(text: str, base: int, hits: list[Hit], spread: bool) -> Flow:
    """Python 2 or broken files: a line-level approximation."""
    out = Flow()
    for i, ln in enumerate(text.split("\n")):
        line = base + i if spread else base
        dec = bool(_PY2_DECODE.search(ln))
        if dec:
            out.add(F.DECODE)
        if dec and _PY2_SINK.search(ln):
            hits.append(
                Hit(
                    F.R_DECODE_EXEC,
                    Severity.HIGH,
                    line,
                    "Decoded data is executed on the same line.",
                )
            )
        if re.search(r"\burllib2?\.urlopen|\burlretrieve|requests\.get", ln):
            out.add(F.NET)
            hits.append(Hit(F.R_NETWORK, Severity.MEDIUM, line, "Build code reaches the network."))
    return out


def python_snippet_flow(
    code: str,
    line: int,
    hits: list[Hit],
    spread: bool = False,
    test_tree: bool = False,
    argv: Flow | None = None,
) -> Flow:
    """Analyse Python code (``python -c``, a here-document, a whole file); ``argv``
    is what the program's file arguments carry (``sys.argv``, ``fileinput``)."""
    tree = _parse(code)
    if tree is None:
        return _fallback(code, line, hits, spread)
    an = _PyAnalyzer(tree, line, hits, spread, test_tree, argv)
    flow = an.run()
    if looks_like_stream_cipher(code):
        hits.append(
            Hit(
                F.R_STREAM_CIPHER,
                Severity.HIGH,
                line,
                "An RC4-like byte-permutation cipher in build code.",
            )
        )
        flow.add(F.CIPHER)
    return flow


def analyze_python(text: str, path: str = "") -> list[Hit]:
    hits: list[Hit] = []
    test_tree = F.in_test_tree(path)
    tree = _parse(text)
    if tree is None:
        _fallback(text, 1, hits, True)
        return hits
    an = _PyAnalyzer(tree, 1, hits, True, test_tree)
    an.run()
    if looks_like_stream_cipher(text):
        m = re.search(r"\b256\b", text)
        ln = text.count("\n", 0, m.start()) + 1 if m else 1
        hits.append(
            Hit(
                F.R_STREAM_CIPHER,
                Severity.HIGH,
                ln,
                "A 256-entry byte table with element swaps: an RC4-like stream cipher "
                "in build code.",
            )
        )
    return hits

"""Files Python build backends write into sdists and wheels.

PKG-INFO and ``*.egg-info/`` / ``*.dist-info/`` metadata, ``setup.cfg``'s
``[egg_info]`` section, ``pyproject.toml`` rewritten by a backend (version made
static, comments dropped), setup.py files generated from pyproject metadata,
and generated version files. Each is checked against content: metadata must
name this project and version, generated code must be nothing but literals.
"""

from __future__ import annotations

import ast
import base64
import configparser
import csv
import io
import posixpath
import re
import tomllib
from typing import Any

from chainsight.analyzers.context import AuditContext, Difference, Explanation
from chainsight.model import Category, Status


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _project_names(ctx: AuditContext) -> set[str]:
    names: set[str] = set()
    text = ctx.text(ctx.source, "pyproject.toml")
    if text:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            data = {}
        for key in (
            ("project", "name"),
            ("tool", "poetry", "name"),
            ("tool", "flit", "metadata", "module"),
        ):
            cur: Any = data
            for k in key:
                cur = cur.get(k) if isinstance(cur, dict) else None
            if isinstance(cur, str):
                names.add(_norm(cur))
    cfg = ctx.text(ctx.source, "setup.cfg")
    if cfg:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(cfg)
            if parser.has_option("metadata", "name"):
                names.add(_norm(parser.get("metadata", "name")))
        except configparser.Error:
            pass
    setup = ctx.text(ctx.source, "setup.py")
    if setup:
        m = re.search(r"\bname\s*=\s*['\"]([\w.-]+)['\"]", setup)
        if m:
            names.add(_norm(m.group(1)))
    if ctx.release:
        names.add(_norm(ctx.release.name))
    return names


def _metadata_matches(ctx: AuditContext, text: str) -> tuple[bool, str]:
    from email.parser import HeaderParser  # only for sdists and wheels

    headers = HeaderParser().parsestr(text)
    name = headers.get("Name") or ""
    version = headers.get("Version") or ""
    problems = []
    if _norm(name) not in _project_names(ctx):
        problems.append(f"Name {name!r} is not this project's")
    if ctx.release and version and _norm(version) != _norm(ctx.release.version):
        problems.append(f"Version {version!r} differs from the release {ctx.release.version!r}")
    if problems:
        return False, "; ".join(problems)
    return True, f"metadata for {name} {version}"


def explain_python_metadata(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status is not Status.ARTIFACT_ONLY:
        return None
    path = d.path
    base = posixpath.basename(path)
    parent = posixpath.basename(posixpath.dirname(path))
    if path == "PKG-INFO" or (
        base in ("PKG-INFO", "METADATA") and parent.endswith((".egg-info", ".dist-info"))
    ):
        text = ctx.text(ctx.artifact, path)
        if text is None:
            return None
        ok, detail = _metadata_matches(ctx, text)
        return Explanation(
            Category.PYTHON_METADATA, ok, f"core metadata written by the build backend ({detail})"
        )
    if parent.endswith(".egg-info"):
        if base == "SOURCES.txt":
            return _sources_txt(ctx, path)
        if base in (
            "top_level.txt",
            "dependency_links.txt",
            "requires.txt",
            "entry_points.txt",
            "not-zip-safe",
            "zip-safe",
            "namespace_packages.txt",
            "PKG-INFO",
        ):
            return Explanation(
                Category.PYTHON_METADATA,
                True,
                f"setuptools egg-info file {base} (data only, never executed)",
            )
        return None
    if parent.endswith(".dist-info") or ("/licenses/" in path and ".dist-info/" in path):
        if base == "RECORD":
            return Explanation(
                Category.PYTHON_METADATA,
                True,
                "wheel RECORD (its hashes are checked against the members)",
            )
        if (
            base
            in (
                "WHEEL",
                "top_level.txt",
                "entry_points.txt",
                "INSTALLER",
                "REQUESTED",
                "direct_url.json",
                "zip-safe",
                "metadata.json",
            )
            or ".dist-info/licenses/" in path
        ):
            return Explanation(
                Category.PYTHON_METADATA, True, f"wheel metadata file {base} (data only)"
            )
        if base.startswith(("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS")):
            return Explanation(Category.PYTHON_METADATA, True, "license copied into the wheel")
    if path == "setup.cfg":
        return _setup_cfg_egg_info(ctx, path, None)
    return None


def _sources_txt(ctx: AuditContext, path: str) -> Explanation:
    text = ctx.text(ctx.artifact, path) or ""
    listed = {ln.strip() for ln in text.splitlines() if ln.strip()}
    present = set(ctx.artifact.paths())
    missing = sorted(p for p in listed if p not in present)
    if not missing:
        return Explanation(
            Category.PYTHON_METADATA,
            True,
            f"SOURCES.txt lists {len(listed)} files, all present in the sdist",
        )
    return Explanation(
        Category.PYTHON_METADATA,
        False,
        f"SOURCES.txt lists {len(missing)} file(s) the sdist lacks, e.g. {missing[0]}",
    )


def explain_setup_cfg(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.path != "setup.cfg" or d.status is not Status.MODIFIED:
        return None
    return _setup_cfg_egg_info(ctx, d.path, ctx.text(ctx.source, d.path))


def _setup_cfg_egg_info(
    ctx: AuditContext, path: str, source_text: str | None
) -> Explanation | None:
    a = ctx.text(ctx.artifact, path)
    if a is None:
        return None
    pa = configparser.ConfigParser(interpolation=None)
    ps = configparser.ConfigParser(interpolation=None)
    try:
        pa.read_string(a)
        ps.read_string(source_text or "")
    except configparser.Error:
        return None
    sections_a = {s: dict(pa.items(s)) for s in pa.sections() if s != "egg_info"}
    sections_s = {s: dict(ps.items(s)) for s in ps.sections() if s != "egg_info"}
    if sections_a != sections_s:
        return None
    egg = dict(pa.items("egg_info")) if pa.has_section("egg_info") else {}
    if set(egg) - {"tag_build", "tag_date", "tag_svn_revision", "egg_base"}:
        return None
    return Explanation(
        Category.PYTHON_METADATA, True, "setuptools added only an [egg_info] tag section"
    )


def _strip_toml(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    project = dict(out.get("project", {}))
    project.pop("version", None)
    dyn = [x for x in project.get("dynamic", []) if x != "version"]
    if dyn:
        project["dynamic"] = dyn
    else:
        project.pop("dynamic", None)
    if project:
        out["project"] = project
    tool = dict(out.get("tool", {}))
    for name in (
        "setuptools_scm",
        "hatch",
        "poetry",
        "pdm",
        "versioneer",
        "setuptools-scm",
        "poetry-dynamic-versioning",
        "uv-dynamic-versioning",
    ):
        if name in tool and isinstance(tool[name], dict):
            sub = dict(tool[name])
            sub.pop("version", None)
            for k in ("dynamic-versioning", "version-file", "write_to", "version_file"):
                sub.pop(k, None)
            tool[name] = sub
    out["tool"] = tool
    return out


def explain_backend_rewrite(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status is not Status.MODIFIED:
        return None
    base = posixpath.basename(d.path)
    if base not in ("pyproject.toml", "Cargo.toml"):
        return None
    a = ctx.text(ctx.artifact, d.path)
    s = ctx.text(ctx.source, d.path)
    if a is None or s is None:
        return None
    try:
        ta, ts = tomllib.loads(a), tomllib.loads(s)
    except tomllib.TOMLDecodeError:
        return None
    if ta == ts:
        return Explanation(
            Category.BUILD_BACKEND_REWRITE,
            True,
            "same TOML data; only comments, order or formatting changed",
        )
    if base == "pyproject.toml" and _strip_toml(ta) == _strip_toml(ts):
        version = ta.get("project", {}).get("version")
        ok = (
            version is None
            or ctx.release is None
            or _norm(str(version)) == _norm(ctx.release.version)
        )
        return Explanation(
            Category.BUILD_BACKEND_REWRITE,
            ok,
            f"build backend made the version static ({version}); nothing else changed",
        )
    return None


# -- generated Python code: literals only ------------------------------------

_ALLOWED_IMPORTS = {
    "typing",
    "setuptools",
    "distutils.core",
    "__future__",
    "json",
    "typing_extensions",
}


def literal_only_module(text: str) -> bool:
    """True when a module only binds literals (a generated version or metadata file)."""
    return _literal_only_module(text, allow_setup_call=False)


def _literal_only_module(text: str, allow_setup_call: bool) -> bool:
    """True when a module only binds literals (and may call setuptools' setup(**literals)).

    Names may only refer to what the module itself bound to literals or imported
    from an allowed module, so ``setup = exec`` or ``x = os.system`` never pass.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    known: set[str] = set()
    setup_names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # docstring
        if isinstance(node, ast.ImportFrom) and (node.module or "") in _ALLOWED_IMPORTS:
            for alias in node.names:
                bound = alias.asname or alias.name
                known.add(bound)
                if alias.name == "setup" and node.module in ("setuptools", "distutils.core"):
                    setup_names.add(bound)
            continue
        if isinstance(node, ast.Import) and all(a.name in _ALLOWED_IMPORTS for a in node.names):
            known.update((a.asname or a.name).split(".")[0] for a in node.names)
            continue
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            value = node.value
            if value is not None and not _is_literal(value, known):
                return False
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in _bound_names(target):
                    setup_names.discard(name)
                    known.add(name)
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            continue
        if isinstance(node, ast.FunctionDef) and _returns_json_of_name(node):
            known.add(node.name)
            continue
        if (
            allow_setup_call
            and isinstance(node, ast.Expr)
            and _is_setup_call(node.value, known, setup_names)
        ):
            continue
        return False
    return True


def _bound_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _bound_names(elt)]
    return ["<attribute-or-subscript>"]


def _is_literal(node: ast.AST, known: set[str]) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_is_literal(e, known) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(
            (k is None or _is_literal(k, known)) and _is_literal(v, known)
            for k, v in zip(node.keys, node.values, strict=True)
        )
    if isinstance(node, ast.Name):
        return node.id in known  # an earlier literal binding or an allowed import
    if isinstance(node, ast.Subscript):  # typing: Tuple[int, ...]
        return _is_literal(node.value, known) and _is_literal(node.slice, known)
    if isinstance(node, ast.Attribute):  # typing.Tuple
        return _is_literal(node.value, known)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # type unions
        return _is_literal(node.left, known) and _is_literal(node.right, known)
    if isinstance(node, ast.Starred):
        return _is_literal(node.value, known)
    return False


def _is_type_checking(test: ast.AST) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Constant) and test.value is False
    )


def _returns_json_of_name(fn: ast.FunctionDef) -> bool:
    body = [
        n for n in fn.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
    ]
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return False
    value = body[0].value
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "loads"
        and isinstance(value.func.value, ast.Name)
        and value.func.value.id == "json"
        and len(value.args) == 1
        and isinstance(value.args[0], ast.Name)
    )


def _is_setup_call(node: ast.AST, known: set[str], setup_names: set[str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if not (isinstance(func, ast.Name) and func.id in setup_names):
        return False
    return all(_is_literal(a, known) for a in node.args) and all(
        _is_literal(k.value, known) for k in node.keywords
    )


_VERSION_FILE = re.compile(
    r"(^|/)(_?_?version_?_?|_version|version_info|__about__|_build_info)"
    r"\.py$"
)


def explain_version_file(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status not in (Status.ARTIFACT_ONLY, Status.MODIFIED):
        return None
    if not _VERSION_FILE.search(d.path):
        return None
    text = ctx.text(ctx.artifact, d.path)
    if text is None or len(text) > 20_000:
        return None
    if not _literal_only_module(text, allow_setup_call=False):
        return None
    if ctx.release and ctx.release.version not in text and _norm(ctx.release.version) not in text:
        return Explanation(
            Category.VERSION_FILE,
            False,
            "generated version file (literals only) but it does not mention "
            f"version {ctx.release.version}",
        )
    return Explanation(
        Category.VERSION_FILE,
        True,
        "generated version file: only literal assignments (setuptools-scm, "
        "hatch-vcs, versioneer style)",
    )


_FORBIDDEN_SETUP_KEYS = frozenset(
    {
        "setup_requires",
        "dependency_links",
        "cmdclass",
        "ext_modules",
        "libraries",
        "distclass",
        "script_args",
        "script_name",
        "options",
        "command_options",
    }
)
"""setup() arguments that fetch or run code at build time; generated setup.py files
(poetry-core, pdm) never write them."""


def _eval_literal(node: ast.AST, env: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [_eval_literal(e, env) for e in node.elts]
    if isinstance(node, ast.Dict):
        out: dict[Any, Any] = {}
        for k, v in zip(node.keys, node.values, strict=True):
            if k is None:
                out.update(_eval_literal(v, env))
            else:
                out[_eval_literal(k, env)] = _eval_literal(v, env)
        return out
    if isinstance(node, ast.Name):
        return env[node.id]
    raise ValueError("not a literal")


def _setup_arguments(text: str) -> dict[str, Any] | None:
    """The keyword arguments of the module's setup() call, with literal bindings resolved."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    env: dict[str, Any] = {}
    found: dict[str, Any] | None = None
    for node in tree.body:
        try:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                env[node.targets[0].id] = _eval_literal(node.value, env)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                found = {}
                for kw in node.value.keywords:
                    value = _eval_literal(kw.value, env)
                    if kw.arg is None:
                        found.update(value)
                    else:
                        found[kw.arg] = value
        except (KeyError, ValueError, TypeError):
            return None
    return found


def _declared_dependencies(ctx: AuditContext) -> set[str] | None:
    text = ctx.text(ctx.source, "pyproject.toml")
    if not text:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    names: set[str] = set()
    project = data.get("project", {})
    specs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        specs += list(extra)
    for spec in specs:
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", str(spec))
        if m:
            names.add(_norm(m.group(1)))
    poetry = data.get("tool", {}).get("poetry", {})
    for key in poetry.get("dependencies", {}):
        names.add(_norm(key))
    for group in poetry.get("group", {}).values():
        names.update(_norm(k) for k in group.get("dependencies", {}))
    return names


def explain_generated_setup(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.path != "setup.py" or d.status is not Status.ARTIFACT_ONLY:
        return None
    text = ctx.text(ctx.artifact, d.path)
    if text is None or "pyproject.toml" not in ctx.source:
        return None
    script = _poetry_build_script(ctx)
    hook = ""
    if script is not None:
        # poetry-core 1.x calls the declared build script, which git has
        module = script[: -len(".py")].replace("/", ".")
        call = f"\nfrom {module} import *\nbuild(setup_kwargs)\n"
        if call in text:
            text = text.replace(call, "\n", 1)
            hook = f"; it calls the build script {script} that pyproject.toml declares"
    if not _literal_only_module(text, allow_setup_call=True):
        return None
    args = _setup_arguments(text)
    declared = _declared_dependencies(ctx)
    if args is None or declared is None:
        return None
    if _FORBIDDEN_SETUP_KEYS & set(args):
        return None
    requires = args.get("install_requires", []) or []
    for req in requires if isinstance(requires, list) else [requires]:
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", str(req))
        if m and _norm(m.group(1)) not in declared:
            return None
    if "name" in args and _norm(str(args["name"])) not in _project_names(ctx):
        return None
    if (
        ctx.release
        and "version" in args
        and _norm(str(args["version"])) != _norm(ctx.release.version)
    ):
        return None
    return Explanation(
        Category.GENERATED_SETUP,
        True,
        "setup.py generated from pyproject.toml (poetry-core style): only literal data, "
        "one setup() call, and dependencies pyproject.toml declares" + hook,
    )


def _poetry_build_script(ctx: AuditContext) -> str | None:
    """The build script pyproject.toml declares to poetry-core (``[tool.poetry.build]
    script``, poetry 1's ``[tool.poetry] build``) when git has it unchanged."""
    raw = ctx.text(ctx.source, "pyproject.toml")
    try:
        poetry = tomllib.loads(raw or "").get("tool", {}).get("poetry", {})
    except tomllib.TOMLDecodeError:
        return None
    build = poetry.get("build")
    script = build.get("script") if isinstance(build, dict) else build
    if not isinstance(script, str) or not script.endswith(".py"):
        return None
    src, art = ctx.source.get(script), ctx.artifact.get(script)
    if src is None or art is None or src.blob_id != art.blob_id:
        return None
    return script


def wheel_record_problems(record_text: str, sha256_by_path: dict[str, str]) -> list[str]:
    """Members whose sha256 disagrees with the wheel's RECORD (or are missing from it)."""
    problems: list[str] = []
    listed: set[str] = set()
    for row in csv.reader(io.StringIO(record_text)):
        if not row:
            continue
        path, digest = row[0], row[1] if len(row) > 1 else ""
        listed.add(path)
        if not digest:
            continue
        algo, _, value = digest.partition("=")
        if algo != "sha256":
            continue
        actual = sha256_by_path.get(path)
        if actual is None:
            problems.append(f"{path}: listed in RECORD but not in the wheel")
            continue
        encoded = base64.urlsafe_b64encode(bytes.fromhex(actual)).rstrip(b"=").decode()
        if encoded != value:
            problems.append(f"{path}: sha256 differs from RECORD")
    for path in sha256_by_path:
        if path not in listed and not path.endswith(".dist-info/RECORD"):
            problems.append(f"{path}: in the wheel but not listed in RECORD")
    return problems

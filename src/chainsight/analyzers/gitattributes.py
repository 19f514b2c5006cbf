"""Read ``.gitattributes`` files of a source tree (export-ignore, export-subst, eol).

Only the attributes that change what ``git archive`` produces are of interest.
Patterns follow gitignore rules: a pattern without a slash matches a name in
any directory below the file; one with a slash is anchored to the file's
directory; ``**`` spans directories.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from chainsight.trees import FileTree


@dataclass(frozen=True)
class _Rule:
    base: str
    regex: re.Pattern[str]
    attrs: dict[str, str | bool]


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    anchored = "/" in pattern.rstrip("/")
    pat = pattern.lstrip("/")
    dir_only = pat.endswith("/")
    pat = pat.rstrip("/")
    out = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pat.startswith("/**", i) and i + 3 == len(pat):
            out.append("/.*")
            i += 3
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pat.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
            else:
                out.append("[" + pat[i + 1 : j].replace("!", "^", 1) + "]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    # a directory pattern matches everything below it
    suffix = "/.*" if dir_only else "(?:/.*)?"
    return re.compile(f"^{prefix}{body}{suffix}$")


class GitAttributes:
    """Attributes of paths in one tree, from every .gitattributes file in it."""

    def __init__(self, tree: FileTree) -> None:
        self._rules: list[_Rule] = []
        files = sorted(
            (p for p in tree if posixpath.basename(p) == ".gitattributes"),
            key=lambda p: p.count("/"),
        )
        for path in files:
            data = tree.read(path)
            if not data:
                continue
            base = posixpath.dirname(path)
            for line in data.decode("utf-8", "replace").splitlines():
                line = line.strip()
                if not line or line.startswith("#") or line.startswith("[attr]"):
                    continue
                parts = line.split()
                pattern, specs = parts[0], parts[1:]
                attrs: dict[str, str | bool] = {}
                for spec in specs:
                    if spec.startswith("-"):
                        attrs[spec[1:]] = False
                    elif spec.startswith("!"):
                        attrs.pop(spec[1:], None)
                    elif "=" in spec:
                        k, v = spec.split("=", 1)
                        attrs[k] = v
                    else:
                        attrs[spec] = True
                self._rules.append(_Rule(base, _pattern_regex(pattern), attrs))

    def get(self, path: str, attr: str) -> str | bool | None:
        value: str | bool | None = None
        for rule in self._rules:  # later (deeper) rules override earlier ones
            if attr not in rule.attrs:
                continue
            rel = path
            if rule.base:
                if not path.startswith(rule.base + "/"):
                    continue
                rel = path[len(rule.base) + 1 :]
            if rule.regex.match(rel):
                value = rule.attrs[attr]
        return value

    def is_set(self, path: str, attr: str) -> bool:
        return self.get(path, attr) is True


class GitIgnore:
    """Which paths the ``.gitignore`` files of one tree exclude (the tag's own view of
    what is generated and kept out of git). Deeper files and later lines win; ``!``
    re-includes."""

    def __init__(self, tree: FileTree) -> None:
        self._rules: list[tuple[str, re.Pattern[str], bool]] = []
        files = sorted(
            (p for p in tree if posixpath.basename(p) == ".gitignore"),
            key=lambda p: p.count("/"),
        )
        for path in files:
            data = tree.read(path)
            if not data or len(data) > 256 * 1024:
                continue
            base = posixpath.dirname(path)
            for line in data.decode("utf-8", "replace").splitlines():
                line = line.rstrip()
                if not line or line.startswith("#"):
                    continue
                negated = line.startswith("!")
                pattern = line[1:] if negated else line
                if pattern:
                    self._rules.append((base, _pattern_regex(pattern), not negated))

    def ignored(self, path: str) -> bool:
        result = False
        for base, regex, ignore in self._rules:
            rel = path
            if base:
                if not path.startswith(base + "/"):
                    continue
                rel = path[len(base) + 1 :]
            if regex.match(rel):
                result = ignore
        return result

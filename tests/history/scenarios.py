"""The three histories the issue asks for, scripted on realistic timelines.

- :func:`takeover`: xz's own slow timeline — a sole maintainer since 2009; a
  newcomer's first commit on 2022-01-28, patches applied by the maintainer for
  ten to eleven months, committing themselves from 2022-12-15, tagging releases
  with a new key from 2023-03-18 (fourteen months), rewriting the bug-report
  address in 2023-06, and adding opaque "test files" one day before a release
  (2024-02-23) and replacing them on the release day (2024-03-09).
- :func:`healthy`: four maintainers since 2008 who take turns tagging releases
  with their own keys, thirty occasional contributors, binary fixtures added by
  maintainers before releases, and a new maintainer who joins in 2015, commits
  from late 2016 and tags from mid-2019.
- :func:`honest_handover`: a sole maintainer hands over to a successor who has
  contributed since 2014; the handover is announced in MAINTAINERS by the
  maintainer in January 2020; the successor tags from March 2020 with their own
  key; no contact rewrites, no opaque binaries.
"""

from __future__ import annotations

import random
from pathlib import Path

from history.scripted import Person, Script, noise_binary, ts, weekly

DAY = 86_400

CONFIGURE_AC = """AC_INIT([proj], [{version}], [{bugs}], [proj], [{url}])
AC_CONFIG_SRCDIR([src/main.c])
AC_PROG_CC
AC_OUTPUT
"""


def _configure(version: str, bugs: str, url: str = "https://project.example/proj/") -> str:
    return CONFIGURE_AC.format(version=version, bugs=bugs, url=url)


def _contributors(n: int, seed: int) -> list[Person]:
    rng = random.Random(seed)
    first = [
        "Ana",
        "Ben",
        "Chen",
        "Dana",
        "Eli",
        "Fay",
        "Gus",
        "Hana",
        "Ivo",
        "Jo",
        "Kai",
        "Lia",
        "Mo",
        "Nia",
        "Oto",
        "Pia",
        "Quin",
        "Rui",
        "Sol",
        "Tea",
    ]
    last = ["Berg", "Costa", "Dahl", "Egger", "Fox", "Grün", "Holm", "Ito", "Jensen", "Kim"]
    people = []
    for i in range(n):
        f, la = rng.choice(first), rng.choice(last)
        people.append(Person(f"{f} {la} {i}", f"{f.lower()}.{i}@contrib.example"))
    return people


def takeover(root: Path) -> Path:
    lars = Person("Lars Maintainer", "lars@project.example")
    jin = Person("Jin Newcomer", "jinnew@mail.example")
    helpers = _contributors(12, seed=1)
    s = Script()
    rng = random.Random(7)
    s.commit(
        "2009-01-10",
        lars,
        {
            "configure.ac": _configure("0.1", "lars@project.example"),
            "src/main.c": "int main(void) { return 0; }\n",
            "README": "proj: a compressor\n",
        },
        "Initial import",
    )
    events: list[tuple[int, str]] = []
    for t in weekly("2009-01-17", "2023-01-01"):
        events.append((t, "lars"))
    for t in weekly("2023-01-01", "2024-03-20", 21):
        events.append((t, "lars"))
    for t in weekly("2009-03-01", "2022-01-01", 61):
        events.append((t, "helper"))
    for t in weekly("2022-01-28", "2022-12-15", 21):
        events.append((t, "jin-patch"))
    for t in weekly("2022-12-15", "2024-03-20", 4):
        events.append((t, "jin"))
    releases = [
        (ts(f"{y}-{m:02d}-15") + 3 * 3600, f"v{y - 2008}.{i}")
        for y in range(2009, 2023)
        for i, m in ((0, 5), (1, 11))
    ]
    releases += [(ts("2023-01-11"), "v5.4.1")]
    jin_releases = [
        (ts("2023-03-18"), "v5.4.2"),
        (ts("2023-08-02"), "v5.4.4"),
        (ts("2023-11-01"), "v5.4.5"),
        (ts("2024-02-24"), "v5.6.0"),
    ]
    special = {
        ts("2023-06-10"): "bugs",
        ts("2024-02-23"): "binaries",
        ts("2024-03-09T08:00"): "update-binaries",
    }
    for t, what in special.items():
        events.append((t, what))
    events.sort()
    ri = 0
    jri = 0
    for t, who in events:
        while ri < len(releases) and releases[ri][0] <= t:
            s.tag(releases[ri][1], releases[ri][0], lars, key="lars-key")
            ri += 1
        while jri < len(jin_releases) and jin_releases[jri][0] <= t:
            s.tag(jin_releases[jri][1], jin_releases[jri][0], jin, key="jin-key")
            jri += 1
        if who == "lars":
            s.commit(t, lars, message="liblzma: maintenance")
        elif who == "helper":
            s.commit(t, rng.choice(helpers), committer=lars, message="Fix a typo")
        elif who == "jin-patch":
            s.commit(t, jin, committer=lars, message="Tests: add a test")
        elif who == "jin":
            s.commit(t, jin, message="Tests: refactor")
        elif who == "bugs":
            s.commit(
                t,
                jin,
                {"configure.ac": _configure("5.4.3", "proj-bugs@newhost.example")},
                "Build: update the bug report address",
            )
        elif who == "binaries":
            s.commit(
                t,
                jin,
                {
                    "tests/files/bad-3-corrupt_lzma2.xz": noise_binary(1),
                    "tests/files/good-large_compressed.lzma": noise_binary(2),
                },
                "Tests: Add a few test files.",
            )
        elif who == "update-binaries":
            s.commit(
                t,
                jin,
                {
                    "tests/files/bad-3-corrupt_lzma2.xz": noise_binary(3),
                    "tests/files/good-large_compressed.lzma": noise_binary(4),
                },
                "Tests: Update two test files.",
            )
    while jri < len(jin_releases):
        s.tag(jin_releases[jri][1], jin_releases[jri][0], jin, key="jin-key")
        jri += 1
    s.tag("v5.6.1", ts("2024-03-09T10:00"), jin, key="jin-key")
    return s.build(root)


def healthy(root: Path) -> Path:
    maintainers = [
        Person("Ada Founder", "ada@proj.example"),
        Person("Bo Core", "bo@proj.example"),
        Person("Cy Core", "cy@proj.example"),
        Person("Di Core", "di@proj.example"),
    ]
    eve = Person("Eve Joiner", "eve@joiner.example")
    helpers = _contributors(30, seed=2)
    rng = random.Random(3)
    s = Script()
    s.commit(
        "2008-02-01",
        maintainers[0],
        {
            "configure.ac": _configure("0.1", "bugs@proj.example"),
            "src/main.c": "int main(void) { return 0; }\n",
        },
        "Initial import",
    )
    events: list[tuple[int, str]] = []
    for i in range(len(maintainers)):
        for t in weekly(f"2008-0{2 + i}-10", "2024-06-01", 9 + i):
            events.append((t, f"m{i}"))
    for t in weekly("2008-06-01", "2024-06-01", 11):
        events.append((t, "helper"))
    for t in weekly("2015-03-02", "2016-09-01", 30):
        events.append((t, "eve-patch"))
    for t in weekly("2016-09-01", "2024-06-01", 12):
        events.append((t, "eve"))
    for y in range(2010, 2024):
        events.append((ts(f"{y}-09-20"), "fixture"))
    events.append((ts("2018-04-02"), "https"))
    events.sort()
    releases = []
    k = 0
    for y in range(2008, 2024):
        for m in (3, 6, 9, 12) if y > 2008 else (9, 12):
            taggers = maintainers if (y, m) < (2019, 6) else [*maintainers, eve]
            who = taggers[k % len(taggers)]
            k += 1
            releases.append((ts(f"{y}-{m:02d}-28"), f"v{y - 2007}.{m // 3}", who))
    ri = 0
    for t, what in events:
        while ri < len(releases) and releases[ri][0] <= t:
            rt, name, who = releases[ri]
            s.tag(name, rt, who, key=f"key-{who.email}")
            ri += 1
        if what.startswith("m"):
            s.commit(t, maintainers[int(what[1])], message="Improve the decoder")
        elif what == "helper":
            s.commit(t, rng.choice(helpers), committer=rng.choice(maintainers), message="Fix")
        elif what == "eve-patch":
            s.commit(t, eve, committer=rng.choice(maintainers), message="Add a test")
        elif what == "eve":
            s.commit(t, eve, message="Refactor the tests")
        elif what == "fixture":
            n = t // DAY
            s.commit(
                t,
                rng.choice(maintainers),
                {f"tests/files/case-{n}.bin": noise_binary(n)},
                "Tests: add a fixture",
            )
        elif what == "https":
            s.commit(
                t,
                maintainers[0],
                {
                    "configure.ac": _configure(
                        "9.0", "bugs@proj.example", "https://www.proj.example/"
                    )
                },
                "Build: new URL",
            )
    return s.build(root)


def honest_handover(root: Path) -> Path:
    mel = Person("Mel Maintainer", "mel@tool.example")
    sam = Person("Sam Successor", "sam@successor.example")
    helpers = _contributors(10, seed=4)
    rng = random.Random(5)
    s = Script()
    s.commit(
        "2008-01-05",
        mel,
        {
            "configure.ac": _configure("0.1", "bugs@tool.example"),
            "src/main.c": "int main(void) { return 0; }\n",
            "MAINTAINERS": "Maintainer: Mel Maintainer <mel@tool.example>\n",
        },
        "Initial import",
    )
    events: list[tuple[int, str]] = []
    for t in weekly("2008-01-12", "2020-01-01"):
        events.append((t, "mel"))
    for t in weekly("2020-01-15", "2024-06-01", 45):
        events.append((t, "mel"))
    for t in weekly("2008-05-01", "2024-06-01", 50):
        events.append((t, "helper"))
    for t in weekly("2014-05-03", "2016-05-01", 21):
        events.append((t, "sam-patch"))
    for t in weekly("2016-05-02", "2020-01-01", 14):
        events.append((t, "sam"))
    for t in weekly("2020-01-02", "2024-06-01", 5):
        events.append((t, "sam"))
    events.append((ts("2020-01-10"), "announce"))
    events.sort()
    releases = [
        (ts(f"{y}-{m:02d}-20"), f"v{y - 2007}.{i}", mel if y < 2020 else sam)
        for y in range(2008, 2024)
        for i, m in ((0, 4), (1, 10))
    ]
    ri = 0
    for t, what in events:
        while ri < len(releases) and releases[ri][0] <= t:
            rt, name, who = releases[ri]
            s.tag(name, rt, who, key=f"key-{who.email}")
            ri += 1
        if what == "mel":
            s.commit(t, mel, message="Improve the parser")
        elif what == "helper":
            s.commit(t, rng.choice(helpers), committer=mel, message="Fix a bug")
        elif what == "sam-patch":
            s.commit(t, sam, committer=mel, message="Add tests")
        elif what == "sam":
            s.commit(t, sam, message="Refactor")
        elif what == "announce":
            s.commit(
                t,
                mel,
                {
                    "MAINTAINERS": "Maintainer: Sam Successor <sam@successor.example>\n"
                    "Former maintainer: Mel Maintainer\n"
                },
                "Hand over maintenance to Sam Successor\n\n"
                "Sam Successor, who has contributed since 2014, is the new maintainer.",
            )
    return s.build(root)

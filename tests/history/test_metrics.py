"""Truck factor (Avelino et al.), contributor absence factor, single maintainer, funding."""

from __future__ import annotations

import json
from pathlib import Path

from chainsight.history.analysis import HistoryRequest, analyse
from history.scripted import Person, Script, weekly

A = Person("Ann Able", "ann@x.example")
B = Person("Bea Bold", "bea@x.example")
C = Person("Cal Calm", "cal@x.example")


def test_truck_factor_counts_owners_of_half_the_files(tmp_path: Path) -> None:
    s = Script()
    # Ann creates and keeps 6 files, Bea 3, Cal 1: removing Ann orphans 6 of 10
    for i, t in enumerate(weekly("2020-01-01", "2020-03-20")[:10]):
        who = A if i < 6 else B if i < 9 else C
        s.commit(t, who, {f"f{i}.c": f"{i}\n"})
        s.commit(t + 3600, who, {f"f{i}.c": f"{i} more\n"})
    report = analyse(HistoryRequest(str(s.build(tmp_path / "one.git"))))
    assert report.metrics.truck_factor == 1
    assert report.metrics.truck_factor_people == ("Ann Able",)
    assert report.metrics.truck_factor_files == 10
    assert report.metrics.contributor_absence_factor == 1

    s = Script()
    for i, t in enumerate(weekly("2020-01-01", "2020-03-20")):
        who = (A, B, C)[i % 3]
        s.commit(t, who, {f"f{i}.c": f"{i}\n"})
    shared = analyse(HistoryRequest(str(s.build(tmp_path / "shared.git")))).metrics
    assert shared.truck_factor == 2
    assert shared.contributor_absence_factor == 2


def test_single_maintainer_and_funding_links(tmp_path: Path) -> None:
    s = Script()
    s.commit(
        "2020-01-01",
        A,
        {
            ".github/FUNDING.yml": "github: [ann, bea]\nopen_collective: proj\ncustom: "
            "https://donate.example/proj\nko_fi: # none\n",
            "pyproject.toml": '[project.urls]\nHomepage = "https://proj.example"\n'
            'Funding = "https://fund.example/proj"\n',
            "package.json": json.dumps(
                {
                    "funding": [
                        {"type": "patreon", "url": "https://patreon.com/ann"},
                        "https://paypal.example/ann",
                    ]
                }
            ),
            "debian/upstream/metadata": "Donation: https://debian-donate.example\n",
        },
    )
    for t in weekly("2020-01-08", "2021-06-01"):
        s.commit(t, A)
    s.tag("v1.0", "2021-06-02", A)
    m = analyse(HistoryRequest(str(s.build(tmp_path / "r.git")))).metrics
    assert m.single_maintainer
    assert "Ann Able made 100%" in m.single_maintainer_reason
    urls = {f.url for f in m.funding}
    assert urls == {
        "https://github.com/sponsors/ann",
        "https://github.com/sponsors/bea",
        "https://opencollective.com/proj",
        "https://donate.example/proj",
        "https://fund.example/proj",
        "https://patreon.com/ann",
        "https://paypal.example/ann",
        "https://debian-donate.example",
    }
    assert "homepage (pyproject.toml): https://proj.example" in m.contacts

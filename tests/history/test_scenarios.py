"""The issue's three histories: the slow takeover is caught (and was catchable on the
day after the new key's first release), the healthy project and the honest handover
are not flagged high."""

from __future__ import annotations

from pathlib import Path

from chainsight.history.analysis import HistoryRequest, analyse
from chainsight.history.model import HistoryReport
from chainsight.model import Severity


def _escalation(report: HistoryReport, who: str):  # type: ignore[no-untyped-def]
    hits = [
        f for f in report.findings if f.rule_id == "history-trust-escalation" and who in f.title
    ]
    assert len(hits) == 1, [f.title for f in report.findings]
    return hits[0]


def _person(report: HistoryReport, ident: str):  # type: ignore[no-untyped-def]
    return next(p for p in report.people if p.id == ident)


def test_takeover_is_caught_the_day_after_the_new_key_signed_a_release(takeover_repo: Path) -> None:
    report = analyse(HistoryRequest(str(takeover_repo), until="2023-03-19"))
    finding = _escalation(report, "Jin Newcomer")
    assert finding.severity is Severity.HIGH
    text = "\n".join(e.text for e in finding.evidence)
    assert "2022-01-28 [first-contribution]" in text
    assert "[role-gained] Jin Newcomer commits as committer from 2022-12-" in text
    assert "[release-signer-change] release v5.4.2: tagged by Jin Newcomer" in text
    assert "signed with a new key" in text
    # nothing from after the cut-off date
    assert all(e.time <= report.until for e in report.events)  # type: ignore[operator]
    assert not any(e.kind == "opaque-binary-before-release" for e in report.events)


def test_takeover_before_the_first_new_release_has_no_high_finding(takeover_repo: Path) -> None:
    report = analyse(HistoryRequest(str(takeover_repo), until="2023-03-01"))
    assert not report.has_finding_at_or_above(Severity.HIGH)
    # but the rise is already on the timeline
    kinds = {e.kind for e in report.events if e.who == "jin-newcomer"}
    assert {"first-contribution", "role-gained", "committer-handover"} <= kinds


def test_full_takeover_flags_the_binaries_the_contact_rewrite_and_the_chain(
    takeover_repo: Path,
) -> None:
    report = analyse(HistoryRequest(str(takeover_repo)))
    finding = _escalation(report, "Jin Newcomer")
    assert finding.severity is Severity.HIGH
    binaries = [f for f in report.findings if f.rule_id == "history-opaque-binary-before-release"]
    assert [f.severity for f in binaries] == [Severity.HIGH, Severity.HIGH]
    assert "1 days before release v5.6.0" in binaries[0].message
    assert "tests/files/bad-3-corrupt_lzma2.xz (added)" in binaries[0].message
    assert "0 days before release v5.6.1" in binaries[1].message
    assert "(replaced)" in binaries[1].message
    contact = [f for f in report.findings if f.rule_id == "history-contact-rewrite"]
    assert len(contact) == 1
    assert "lars@project.example -> proj-bugs@newhost.example" in contact[0].message
    jin = _person(report, "jin-newcomer")
    assert jin.escalation_score >= 0.9
    names = {c.name for c in jin.components}
    assert {
        "release signer change",
        "opaque binaries before a release",
        "contact rewrite",
        "rapid rise",
        "newcomer",
    } <= names
    # the maintainer is not blamed
    assert _person(report, "lars-maintainer").escalation_score < 0.1


def test_healthy_project_raises_no_high_finding(healthy_repo: Path) -> None:
    report = analyse(HistoryRequest(str(healthy_repo)))
    assert not report.has_finding_at_or_above(Severity.HIGH), [
        (f.rule_id, f.message) for f in report.findings if f.severity.rank >= 3
    ]
    assert not [f for f in report.findings if f.rule_id == "history-trust-escalation"]
    # binary fixtures added by long-standing maintainers before releases are not reported
    assert not any(e.kind == "opaque-binary-before-release" for e in report.events)
    assert report.metrics.truck_factor >= 2
    assert not report.metrics.single_maintainer


def test_honest_handover_no_high_and_at_most_half_the_takeover_score(
    handover_repo: Path, takeover_repo: Path
) -> None:
    honest = analyse(HistoryRequest(str(handover_repo)))
    attack = analyse(HistoryRequest(str(takeover_repo)))
    assert not honest.has_finding_at_or_above(Severity.HIGH), [
        (f.rule_id, f.message) for f in honest.findings
    ]
    sam = _person(honest, "sam-successor")
    jin = _person(attack, "jin-newcomer")
    assert sam.escalation_score <= jin.escalation_score / 2
    # the announcement was found and lowered the score
    assert any(c.name == "handover announced" and c.value < 0 for c in sam.components)
    # the change of release manager is still on record
    assert any(
        e.kind == "release-signer-change" and e.who == "sam-successor" for e in honest.events
    )

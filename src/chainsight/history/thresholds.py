"""Every threshold the history rules use, in one place.

docs/rules.md ("Repository history") gives the reasoning for each; change the
two together.
"""

from __future__ import annotations

DAY = 86_400
MONTH = 30.44 * DAY
YEAR = 365.25 * DAY

ESTABLISHED_AFTER = 2 * YEAR
"""A project is *established* two years after its first commit: people who arrive
before that are founders or early contributors, never newcomers."""

NEWCOMER_WINDOW = 3 * YEAR
"""A person is a *newcomer* for three years after their first contribution (to an
established project). xz's attacker added the payload 25 months after their
first commit; a window shorter than that misses the real, slow ramp."""

RAPID_RISE_WINDOW = 2 * YEAR
"""*Rapid* rise: a newcomer reaches a role within two years of the first commit.
xz: 10.5 months to committer, 14 months to release tagger."""

INITIAL_ROLE_PERIOD = 180 * DAY
"""Roles held within the project's first six months are the founders' roles, not
gains."""

MAINLINE_COMMITS_FOR_ROLE = 3
"""Commits someone committed themselves on the main line before that counts as commit
rights (a single fast-forwarded commit of a contributor does not)."""

OUTSIDER_COMMITS = 3
OUTSIDER_SPAN = 90 * DAY
"""A *groomed* rise: before gaining commit or release rights, the person had at least
three commits applied or merged by others over at least 90 days. xz's attacker had
eleven months of patches applied by the maintainer; maintainers appointed by a
project's governance (GNU) have rights from their first commits. Only a groomed
newcomer's release-signer change is high."""

RELEASE_WINDOW = 30 * DAY
"""*Shortly before a release*: at most 30 days before a release tag. xz's binary
test files came 1 day and 0 days before 5.6.0 and 5.6.1."""

TOP_AUTHOR_MIN_COMMITS = 10
"""A quarter needs this many commits before its top author counts as a role."""

TOP_AUTHOR_MIN_SHARE = 0.35
"""...and the top author at least this share of them."""

MAIN_COMMITTER_MIN_QUARTERS = 4
"""A committer handover needs the previous main committer to have held the role for
at least four quarters (a year)."""

DORMANT_GAP = 365 * DAY
"""A maintainer silent for a year, then active again (or silent since)."""

BURST_COMMITS = 10
"""Commits within 90 days of a return that make it a burst."""

HANDOVER_ANNOUNCE_BEFORE = 2 * YEAR
HANDOVER_ANNOUNCE_AFTER = 90 * DAY
"""A handover announcement counts from two years before to 90 days after the
successor's first release tag."""

BINARY_SNIFF_BYTES = 8192
MAX_BLOBS_SNIFFED = 20_000
"""Opaque-file checks read at most this many blob heads (nearest releases first)."""

SINGLE_MAINTAINER_SHARE = 0.8
"""Single maintainer: one person made at least 80 % of the commits (as committer)
in the last two years and tagged every release in that time."""

ACTIVITY_WINDOW = YEAR

SCORE_HIGH = 0.6
SCORE_MEDIUM = 0.35
"""Escalation score bands of the trust-escalation finding."""

"""``chainsight history``: who holds which role in a repository over time, and the
patterns of a slow takeover (see docs/rules.md, "Repository history")."""

"""Every rule id the code can emit is documented in docs/rules.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULE_LITERAL = re.compile(
    r'(?:Finding\(\s*|rule_id\s*=\s*|^\s*R_\w+\s*=\s*)"([a-z0-9]+(?:-[a-z0-9]+)+)"', re.MULTILINE
)


def test_every_rule_id_in_the_code_is_in_docs_rules_md() -> None:
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for path in (ROOT / "src" / "chainsight").rglob("*.py"):
        for rule in RULE_LITERAL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(rule, str(path.relative_to(ROOT)))
    assert len(found) > 40  # the pattern still sees the rules
    missing = {rule: where for rule, where in found.items() if f"`{rule}`" not in doc}
    assert not missing, f"undocumented rule ids: {missing}"

"""Every action the code audits has a Chinese label, so the audit pages never show a raw code."""

from __future__ import annotations

import re
from pathlib import Path

from tongban.audit.service import ACTION_LABELS

SRC = Path(__file__).resolve().parents[2] / "src" / "tongban"
PATTERNS = [re.compile(r'\baction="([a-z_]+\.[a-z_]+)"'), re.compile(r'audit_action="([a-z_]+\.[a-z_]+)"'),
            re.compile(r'_audit\(session, actor, "([a-z_]+\.[a-z_]+)"')]


def test_every_audited_action_has_a_chinese_label() -> None:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in PATTERNS:
            found |= set(pattern.findall(text))
    assert len(found) > 40
    missing = sorted(a for a in found if a not in ACTION_LABELS and a != "audit.search")
    assert missing == []

"""Renderers: an AuditReport in JSON, SARIF 2.1.0 or text."""

from __future__ import annotations

FORMATS = ("text", "json", "sarif")

"""Analyzers: pure functions from trees to explained records and findings."""

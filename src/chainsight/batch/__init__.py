"""Batches: audit many package targets (a dependency set) concurrently, resumably.

- ``runner``: concurrent audits with an injectable audit function; one failure
  never stops the set;
- ``store``: finished results on disk, keyed by target + chainsight version +
  options, reused by a rerun;
- ``output``: ``chainsight.batch/1`` JSON, one aggregated SARIF run, the summary table;
- ``command``: what ``chainsight audit -r FILE`` / several targets runs;
- ``registry_audit``: the default audit function (the registry package audit).
"""

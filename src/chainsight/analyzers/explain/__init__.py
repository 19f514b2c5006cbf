"""Explain every difference between an artifact and its source tree.

Explainers are tried in order; the first that recognises a difference wins.
What none recognises is ``unexplained``; a refuser placed first
(``release.refuse_tampered_cython``) can also answer ``unexplained`` outright, so
that no later, name-based explainer vouches for a file its content contradicts.
Order matters: content-checked explanations come before name-based ones, so that a
file both relocated and named like a generated file is reported as relocated
(verified).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from chainsight.analyzers.classify import is_build_time
from chainsight.analyzers.context import AuditContext, Difference, Explanation
from chainsight.analyzers.explain import autotools, git_export, gnulib, python, release
from chainsight.model import Category, FileRecord

Explainer = Callable[[AuditContext, Difference], Explanation | None]

EXPLAINERS: tuple[Explainer, ...] = (
    release.refuse_tampered_cython,
    git_export.explain_submodule,
    release.explain_empty_file,
    git_export.explain_symlink_copy,
    git_export.explain_relocated,
    git_export.explain_line_endings,
    git_export.explain_export_subst,
    git_export.explain_export_ignore,
    python.explain_python_metadata,
    python.explain_setup_cfg,
    python.explain_backend_rewrite,
    python.explain_generated_setup,
    python.explain_version_file,
    release.explain_template_instance,
    release.explain_version_stamp_file,
    release.explain_npm_publish,
    release.explain_cargo_package,
    autotools.explain_gettext,
    release.explain_changelog,
    release.explain_release_stamping,
    autotools.explain_autotools_output,
    autotools.explain_autotools_aux,
    autotools.explain_m4_macro,
    gnulib.explain_gnulib_copy,
    gnulib.explain_generated_parser,
    release.explain_rendered_docs,
    release.explain_compiled_output,
    release.explain_build_rule_output,
    release.explain_vendored,
    release.explain_meson_subproject,
    release.explain_module_install,
    release.explain_ignored_output,
    git_export.explain_vcs_excluded,
    git_export.explain_omitted,
)


def explain_all(
    ctx: AuditContext,
    differences: Iterable[Difference],
    explainers: tuple[Explainer, ...] = EXPLAINERS,
) -> list[FileRecord]:
    records: list[FileRecord] = []
    for d in differences:
        found = None
        for explainer in explainers:
            found = explainer(ctx, d)
            if found is not None:
                break
        if found is None:
            found = Explanation(Category.UNEXPLAINED, False, "nothing explains this difference")
        records.append(
            FileRecord(
                path=d.path,
                status=found.status or d.status,
                category=found.category,
                verified=found.verified,
                build_time=is_build_time(d.path) or _runs_at_install(ctx, d.path),
                explanation=found.text,
                source_path=found.source_path,
            )
        )
    return records


def _runs_at_install(ctx: AuditContext, path: str) -> bool:
    """Run when the package is built or installed, though not by its name: a file a
    package.json lifecycle script runs, or one the build imports by declaration."""
    return path in ctx.install_scripts or path in ctx.build_hook_files

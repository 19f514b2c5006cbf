"""Packages as people install them: registry targets, downloads and their cache."""

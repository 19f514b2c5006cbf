"""Fixtures for the registry tests: throwaway OpenPGP keys for the Debian archive tests."""

from debian_fixture import gpg_keys

__all__ = ["gpg_keys"]

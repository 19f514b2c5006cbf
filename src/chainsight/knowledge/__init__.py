"""Data and loaders: what upstream tools install, generator signatures, indicators."""

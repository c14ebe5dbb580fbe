"""Readers of the official file formats (see docs/FORMATS.md)."""

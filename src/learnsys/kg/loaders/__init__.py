"""Loaders for each published reference format; each names file and line on a malformed row."""

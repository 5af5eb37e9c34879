"""Filled in by its capability."""

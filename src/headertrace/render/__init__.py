"""Renderings of a trace: JSON and the terminal. Renderers never re-parse headers."""

"""Shared web layer: Jinja2 environment, base layout, vendored static files."""

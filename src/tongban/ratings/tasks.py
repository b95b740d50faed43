"""Periodic job of 好差评 (filled in with the service)."""

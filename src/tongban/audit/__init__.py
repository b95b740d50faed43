"""审计留痕: the append-only, hash-chained audit log."""

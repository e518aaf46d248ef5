"""Analysis of what the ledger recorded: frames, metrics and charts, as pure functions (no I/O)."""

"""(NormalizedStatement, Ledger) -> Reconciliation: matching and reason classification. Pure."""

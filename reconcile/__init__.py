"""(NormalizedStatement, Ledger) -> Reconciliation: matching and reason classification. Pure."""

from reconcile.engine import reconcile
from reconcile.options import ReconcileOptions

__all__ = ["ReconcileOptions", "reconcile"]

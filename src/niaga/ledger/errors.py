"""What the ledger refuses, each with the code and HTTP status the API answers with."""

from niaga.core.errors import NiagaError


class LedgerError(NiagaError):
    code = "ledger_invalid"
    status = 422


class InsufficientFunds(LedgerError):
    code = "insufficient_funds"
    status = 409


class TransferConflict(LedgerError):
    """The id was used before for a different request."""

    code = "transfer_id_reused"
    status = 409


class PendingResolved(LedgerError):
    code = "pending_resolved"
    status = 409

"""The audit trail over GraphQL: who did what to which object, for auditors."""

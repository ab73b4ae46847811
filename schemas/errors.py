"""Error codes shared by the engine and the API."""

from enum import Enum


class ErrorCode(str, Enum):
    """Why a request was refused; stable, machine-readable."""

    REQUIRED = "REQUIRED"
    INVALID = "INVALID"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    WRONG_STATUS = "WRONG_STATUS"  # the object's status does not allow this change (not a transition)
    CONFLICT = "CONFLICT"
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"  # a member's points balance is short of a redemption
    STALE_PLAN = "STALE_PLAN"  # a work order or technician changed since the dispatch plan was made
    INFEASIBLE = "INFEASIBLE"  # the technician cannot fit the work order into his day (the reason says why)
    BAD_GLOBAL_ID = "BAD_GLOBAL_ID"
    BAD_CURSOR = "BAD_CURSOR"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    UNAUTHENTICATED = "UNAUTHENTICATED"  # no or bad credentials
    FORBIDDEN = "FORBIDDEN"  # authenticated, but the role lacks the permission
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL_ERROR = "INTERNAL_ERROR"

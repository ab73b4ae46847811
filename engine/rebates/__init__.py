"""Channel settlements: dealer rebates by period and target, promotion rebates and price
protection; policies are rule documents whose conditions engine.rules evaluates, volumes are
aggregated in numpy over the order lines the store hands in."""

from engine.rebates.document import check_protection_document, check_rebate_document

__all__ = ["check_protection_document", "check_rebate_document"]

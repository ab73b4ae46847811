"""API tests of the sales domain: orders, their lifecycle, targets."""

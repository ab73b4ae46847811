"""Seeded demo data for one metro area (Shanghai): generated as plain rows, bulk-loaded."""

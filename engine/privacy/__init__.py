"""Personal data: encryption at rest, keyed lookup hashes, masking."""

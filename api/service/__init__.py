"""GraphQL for the service domain: service networks, technicians and work orders."""

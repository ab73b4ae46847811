"""GraphQL for the channel domain: dealers and stores."""

"""GraphQL for the consumer domain: members and their product registrations."""

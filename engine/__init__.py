"""crm-engine: the rules-and-optimization engine of a home-appliance brand's CRM."""

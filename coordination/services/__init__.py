"""Use cases: check permission, apply the domain rule, write the row and its audit event, commit."""

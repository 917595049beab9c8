"""The coordinator's desk: what needs them today, gathered from the domains' services."""

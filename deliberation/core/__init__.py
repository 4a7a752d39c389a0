"""The core every stage builds on: deliberations and their stages, roles, access rules."""

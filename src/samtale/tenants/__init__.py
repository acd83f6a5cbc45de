"""Tenants (shops) and their people: creating, listing, looking up."""

"""What every scpln REST endpoint shares: errors, permissions, pagination, schema.

The per-app endpoints live in each app's ``api/`` package; this package holds
only the cross-cutting policy, so an endpoint cannot answer errors, refuse
writes or page its results differently from the others.
"""

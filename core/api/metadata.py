"""What ``OPTIONS`` answers: the endpoint's name, description, parsers and renderers.

DRF's default metadata also describes the write forms, which makes it load the
object a detail URL names (through ``get_object``) — something our views do
through selectors instead. The OpenAPI schema is the description of inputs.
"""

from __future__ import annotations

from rest_framework.metadata import SimpleMetadata


class Metadata(SimpleMetadata):
    def determine_actions(self, request, view) -> dict:
        return {}

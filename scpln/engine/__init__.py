"""scpln engine: pure numpy/pandas planning and PSI simulation library (no Django).

Importing this package stays cheap on purpose: the CLI and the Django apps import it
for ``ENGINE_VERSION`` alone, so submodules are imported where they are used.
"""

ENGINE_VERSION = "1.1.0"

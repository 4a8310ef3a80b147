"""Entry point of ``python -m scpln.engine``."""

from scpln.engine.cli import main

raise SystemExit(main())

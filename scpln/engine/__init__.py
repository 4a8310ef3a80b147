"""scpln engine: pure numpy/pandas planning and PSI simulation library (no Django)."""

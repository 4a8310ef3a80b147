"""The planning workbench: the PSI grid of a plan version, edits, locks and recalculation."""

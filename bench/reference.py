"""Where the benchmarks find the reference inputs: the shared folder beside the repository."""

from __future__ import annotations

from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference"
CANONICAL = SHARED / "canonical"
PLANNING = SHARED / "planning"
# the canonical reference samples, smallest first
SAMPLES = ("mono_node_sample_2Mths", "multi_node_sample_3Mths", "multi_node_sample_6Mths")

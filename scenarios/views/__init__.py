"""The scenario and config pages of the web UI (scenarios, configs, the retired run path)."""

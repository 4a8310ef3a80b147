"""An app that exists only in the test suite: it brings job types of its own."""

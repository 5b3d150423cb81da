"""Scenario configuration: the schema of a scenario file and its loader."""

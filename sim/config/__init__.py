"""Scenario and study configuration: the schema, its introspection and the YAML loader."""

"""Conformance properties: one pytest module per property, each parametrized over the registry."""

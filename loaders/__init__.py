"""Loaders: sources (reference data, records) → RDF with provenance → named graphs."""

LOADER_VERSION = "0.1.0"

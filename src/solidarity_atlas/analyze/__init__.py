"""Analyses across documents: copies of a statement, the co-signature network, timelines."""

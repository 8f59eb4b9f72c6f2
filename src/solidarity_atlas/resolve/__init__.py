"""Resolve: map raw mentions (places, organisations, persons) to canonical entities."""

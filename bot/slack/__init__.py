"""slack layer."""

"""workflow layer."""

"""Bolt registration: each listener acks, then delegates to the engine, the reads or the task registry."""

"""Pure renderers: Block Kit and text from the engine's and service layer's values; no I/O."""

"""The service layer: validate, plan, execute, verify and reconcile each database operation."""

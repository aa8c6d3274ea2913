"""dbops: Slack chat-ops for DigitalOcean Managed Databases."""

__version__ = "0.1.0"

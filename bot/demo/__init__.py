"""The demo: the whole dbops story on embedded defaults, with local stand-ins for Slack and DigitalOcean."""

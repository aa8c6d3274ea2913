"""Slack Web API adapters: notifier, user groups, channels, workspace checks, view updates."""

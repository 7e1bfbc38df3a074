"""Conversation: the agent, the offline planner, the chat apps and the CLI."""

"""Tastemaker's capabilities: each module or package has one job.

Importing this package switches model hubs off unless the user opted in, so
no code path can stall on a download (see tools.settings).
"""

from tools.settings import apply_hub_policy

apply_hub_policy()

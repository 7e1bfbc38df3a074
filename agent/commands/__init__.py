"""One module per `tastemaker` sub-command; each defines register(subparsers)."""

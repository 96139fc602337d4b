"""The node operator's command line: ``python -m services.operator <command>``.

Each command is a module of this package with a function ``register(subparsers)`` that adds its
subparser and sets ``func`` (called with the parsed arguments; it returns the exit status). Modules
whose names start with an underscore are helpers, not commands. A new command is a new module: the
entry point finds it.
"""

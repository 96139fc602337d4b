"""The node operator's command line: python -m services.operator <command>."""

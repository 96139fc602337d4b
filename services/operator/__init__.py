"""The node operator's command line: tasks an operator runs against the node's services."""

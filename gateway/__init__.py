"""The Brobygger HTTP gateway.

In node mode it serves one organisation's REST JSON API over that node's four
gRPC services; in hub mode it serves the federation's statistics API over the
hub's FederationService. Build it with :func:`gateway.app.create_app`; run it
with ``python -m gateway``.
"""

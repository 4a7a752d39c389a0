"""A public deliberation: the core (``core``), the live forum (``forum``), the
policy-recommendation report (``report``) and the pages that gather them (``site``).

The layers and what lives where: docs/architecture.md.
"""

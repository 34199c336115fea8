"""Certificates in the web layer: issuance, downloads, the ``flask cert`` commands."""

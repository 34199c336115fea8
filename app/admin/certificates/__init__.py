"""Certificates in the browser (证书管理): the list with filters, revoking with a reason
and re-issuing, for system admins; the domain work is ``app.certificate.services``."""

"""Background work: scoring, certificates, the notebook and deadlines, off the request path."""

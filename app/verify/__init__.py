"""The public verification page: anyone checks a certificate by number and name, or QR link."""

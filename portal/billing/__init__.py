"""Invoices, their lines, and the money rules (integer minor units throughout)."""

"""Reports for the business owner, aggregated in SQL."""

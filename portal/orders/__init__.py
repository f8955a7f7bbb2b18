"""Orders of products: placing (stock reserved), cancelling (stock released, refund asked)."""

"""Notes kept by hand."""

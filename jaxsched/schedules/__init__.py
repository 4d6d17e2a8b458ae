"""The native catalog, one module per family."""

"""The provincial digital-workforce reporting hub."""

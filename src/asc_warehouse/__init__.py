"""Adult Social Care metrics warehouse: load, validate, build and publish."""

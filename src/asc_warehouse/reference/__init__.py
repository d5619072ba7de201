"""Reference data from outside the council: loaders that refresh the population seeds."""

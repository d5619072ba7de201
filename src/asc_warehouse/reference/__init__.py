"""Reference data from outside the council: loaders that refresh the population seeds and the
official ASCOF series seeds."""

"""The product's knowledge as data files, and the loaders that read them once per process."""

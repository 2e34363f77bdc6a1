"""Hops -> origin, verdict and findings. Pure: no I/O."""

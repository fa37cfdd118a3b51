"""Bot clients that speak the real game protocol, for load tests and benchmarks."""

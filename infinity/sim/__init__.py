"""The simulation core: zones as arrays, systems as functions over them. No I/O."""

"""The galaxy: star systems, their bodies and the gates between them, made from a seed."""

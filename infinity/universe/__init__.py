"""The universe host: every zone of this process, who owns which ship, and the zone loops."""

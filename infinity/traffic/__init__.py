"""Scripted non-player traffic (miners, patrols, traders) so a new player is not alone.

Pilots act only by submitting the same commands a player sends.
"""

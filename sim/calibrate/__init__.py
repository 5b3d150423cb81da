"""Calibrate a client base from a transaction export: reading, BTYD fits, the command."""

"""Replay with pywb: the server, the article list, pywb's own virtual environment."""

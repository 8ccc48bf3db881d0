"""WACZ snapshots: the package format, the manifest, building and verifying a snapshot."""

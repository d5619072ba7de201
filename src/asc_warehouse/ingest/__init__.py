"""Load a night's files.

The landing contract and scan, whole-file checks, row quarantine rules, pseudonymisation and the
loaders of every feed (CLD, OPEL, hospital, safeguarding, DoLS).
"""

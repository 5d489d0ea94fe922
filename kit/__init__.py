"""Classroom Kit: an offline-first classroom server for places the internet rarely reaches."""

__version__ = "0.1.0"

"""luoshi (落实): carry out business-environment action plans end to end."""

__version__ = "0.1.0"

"""The base class of every error the store reports to a user (the CLI prints these without a traceback)."""


class StoreError(Exception):
    """A refused store operation, with a message fit for the user."""

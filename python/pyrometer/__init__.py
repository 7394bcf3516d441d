"""pyrometer: performance analysis for Python programs.

Under ``pyrometer lines`` the native engine (``_pyrometer``) times the functions
marked with :func:`profile`. Imported in a program that runs under plain Python,
``profile`` leaves functions unchanged, so decorated code runs either way.
"""

__all__ = ["profile"]

try:
    from _pyrometer import profile
except ImportError:  # not running under pyrometer
    def profile(func=None):
        """Mark ``func`` for line timing under ``pyrometer lines``; a no-op here."""
        return func

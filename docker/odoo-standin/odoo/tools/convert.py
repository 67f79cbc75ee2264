class ParseError(ValueError):
    """Raised when a data file of a module cannot be loaded (same class path as Odoo's)."""

"""The few helpers of odoo.tools that addons commonly import (stand-in)."""
import contextlib
import html as _html
import logging
import os

from standin.config import config  # noqa: F401

from . import convert, float_utils  # noqa: F401
from .float_utils import float_compare, float_is_zero, float_round  # noqa: F401

DEFAULT_SERVER_DATE_FORMAT = '%Y-%m-%d'
DEFAULT_SERVER_TIME_FORMAT = '%H:%M:%S'
DEFAULT_SERVER_DATETIME_FORMAT = '%s %s' % (DEFAULT_SERVER_DATE_FORMAT, DEFAULT_SERVER_TIME_FORMAT)


def html_escape(text):
    return _html.escape(str(text))


def ustr(value, *args, **kwargs):
    return value.decode() if isinstance(value, bytes) else str(value)


def file_open(name, mode='r', filter_ext=None, env=None):
    from standin.modules import get_module_path
    module, _, rest = name.partition('/')
    path = get_module_path(module)
    full = os.path.join(path, rest) if path else None
    if not full or not os.path.isfile(full):
        raise FileNotFoundError('File not found: %s' % name)
    return open(full, mode)


def file_path(name, filter_ext=None, env=None):
    from standin.modules import get_module_path
    module, _, rest = name.partition('/')
    path = get_module_path(module)
    full = os.path.join(path, rest) if path else None
    if not full or not os.path.exists(full):
        raise FileNotFoundError('File not found: %s' % name)
    return full


class mute_logger(logging.Handler):
    """Context manager / decorator silencing the given loggers, like odoo.tools.mute_logger."""

    def __init__(self, *loggers):
        super().__init__()
        self.loggers = loggers
        self.old = {}

    def __enter__(self):
        for name in self.loggers:
            lg = logging.getLogger(name)
            self.old[name] = (lg.propagate, lg.handlers)
            lg.propagate, lg.handlers = False, [self]

    def __exit__(self, *exc):
        for name, (propagate, handlers) in self.old.items():
            lg = logging.getLogger(name)
            lg.propagate, lg.handlers = propagate, handlers

    def __call__(self, func):
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        wrapper.__name__ = func.__name__
        return wrapper

    def emit(self, record):
        pass


@contextlib.contextmanager
def ignore(*exc):
    try:
        yield
    except exc:
        pass

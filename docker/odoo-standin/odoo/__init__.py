"""Stand-in `odoo` package: only the small subset that addons and their tests import.

The server itself lives in the `standin` package; see docker/odoo-standin/README.md."""
import sys as _sys

from standin import release as _release

SUPERUSER_ID = 1
version_info = _release.version_info
evented = False
multi_process = False


def _(source, *args, **kwargs):
    if args:
        return source % args
    if kwargs:
        return source % kwargs
    return source


_lt = _


def registry(database_name=None):
    from standin.registry import Registry
    return Registry.get(database_name)


from . import api, exceptions, fields, models, release, tools  # noqa: E402,F401

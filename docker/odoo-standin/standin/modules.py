"""Module discovery on the addons path and `__manifest__.py` reading (a Python literal)."""
import ast
import logging
import os
import re

from . import release
from .config import config

_logger = logging.getLogger('odoo.modules.module')
BUILTIN_ADDONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'odoo', 'addons')
MANIFEST_NAMES = ('__manifest__.py', '__openerp__.py')
_VERSION_RE = re.compile(r'^[0-9]+\.[0-9]+(?:\.[0-9]+)?$')


def addons_paths():
    """Builtin addons first, then the data dir's addons, then the configured paths (like Odoo)."""
    paths = [BUILTIN_ADDONS]
    data_addons = config.addons_data_dir
    try:
        os.makedirs(data_addons, exist_ok=True)
    except OSError:
        pass
    if os.path.isdir(data_addons):
        paths.append(data_addons)
    for p in (config.get('addons_path') or '').split(','):
        p = p.strip()
        if not p:
            continue
        p = os.path.abspath(os.path.expanduser(p))
        if p not in paths:
            paths.append(p)
    return paths


def check_addons_path():
    """Odoo refuses an addons path entry that is not an addons directory."""
    for p in (config.get('addons_path') or '').split(','):
        p = p.strip()
        if not p:
            continue
        path = os.path.abspath(os.path.expanduser(p))
        if not os.path.isdir(path):
            return 'option addons_path: no such directory: %r' % path
        if not any(os.path.isfile(os.path.join(path, d, m)) for d in os.listdir(path) for m in MANIFEST_NAMES) \
                and os.listdir(path):
            return 'option addons_path: the path %r is not a valid addons directory' % path
    return None


def get_module_path(name):
    for path in addons_paths():
        candidate = os.path.join(path, name)
        if any(os.path.isfile(os.path.join(candidate, m)) for m in MANIFEST_NAMES):
            return candidate
    return None


def get_modules():
    names = set()
    for path in addons_paths():
        if not os.path.isdir(path):
            continue
        for entry in os.listdir(path):
            if any(os.path.isfile(os.path.join(path, entry, m)) for m in MANIFEST_NAMES):
                names.add(entry)
    return sorted(names)


def adapt_version(version):
    serie = release.serie
    if version == serie or not version.startswith(serie + '.'):
        base_version = version
        version = '%s.%s' % (serie, version)
    else:
        base_version = version[len(serie) + 1:]
    if not _VERSION_RE.match(base_version):
        raise ValueError('Invalid version %r. Modules should have a version in format `x.y`, `x.y.z`, `%s.x.y` or `%s.x.y.z`.'
                         % (base_version, serie, serie))
    return version


def load_manifest(name, path=None):
    path = path or get_module_path(name)
    if not path:
        return None
    for m in MANIFEST_NAMES:
        fname = os.path.join(path, m)
        if os.path.isfile(fname):
            break
    manifest = {
        'application': False, 'author': 'Odoo S.A.', 'auto_install': False, 'category': 'Uncategorized',
        'depends': [], 'description': '', 'installable': True, 'license': 'LGPL-3', 'summary': '',
        'version': '1.0', 'data': [], 'demo': [], 'name': name, 'website': '',
    }
    with open(fname, encoding='utf-8') as f:
        manifest.update(ast.literal_eval(f.read()))
    if not manifest.get('depends') and name != 'base':
        manifest['depends'] = ['base']
    manifest['version'] = adapt_version(str(manifest['version']))
    manifest['addons_path'] = os.path.dirname(path)
    manifest['path'] = path
    auto = manifest.get('auto_install')
    if isinstance(auto, (list, tuple, set)):
        manifest['auto_install'] = set(auto)
    elif auto:
        manifest['auto_install'] = set(manifest['depends'])
    else:
        manifest['auto_install'] = None
    return manifest

"""Odoo's RPC services (odoo/service/common.py and db.py, reached through odoo.http.dispatch_rpc):
`common.version` and the `db` service with Odoo's two locks — `list_db` (False: listing and every
management method refused, whatever the master password) and the master password `admin_passwd`
(Odoo's default `admin` when the config file sets none). The `object` service is not served.

Differences with Odoo, because the image has no PostgreSQL client tools: `dump` in `zip` format
writes the database's tables in COPY format (data only, no schema) instead of pg_dump's output,
other formats and `restore` end with Odoo's "Command `…` not found." error."""
import base64
import io
import json
import logging
import os
import shutil
import types
import zipfile

from . import db, release
from .config import config

_logger = logging.getLogger('odoo.service.db')


def _access_denied():
    from odoo.exceptions import AccessDenied
    return AccessDenied()


# -- master password (odoo.tools.config.verify_admin_password) ----------------------------------
def verify_admin_password(password):
    """Plaintext or passlib pbkdf2-sha512 value in the config, like Odoo's CryptContext; an empty
    value forbids everything."""
    from .orm_models import verify_password
    stored = config.get('admin_passwd')
    if not stored or not password or not isinstance(password, str):
        return False
    return verify_password(password, str(stored))


def check_super(password):
    if password and verify_admin_password(password):
        return True
    raise _access_denied()


def _management(func):
    """odoo.service.db.check_db_management_enabled"""
    def guarded(*args, **kwargs):
        if not config.get('list_db'):
            _logger.error('Database management functions blocked, admin disabled database listing')
            raise _access_denied()
        return func(*args, **kwargs)
    guarded.__name__ = func.__name__
    return guarded


# -- methods without master password ----------------------------------------------------------------
def list_dbs(force=False):
    if not config.get('list_db') and not force:
        raise _access_denied()
    if not config.get('dbfilter') and config.get('db_name'):
        return sorted(d.strip() for d in config['db_name'].split(','))
    return db.list_dbs()


def exp_list(document=False):
    if not config.get('list_db'):
        raise _access_denied()
    return list_dbs()


def exp_db_exist(db_name):
    try:
        db.connect(db_name).close()
        return True
    except Exception:
        return False


def exp_list_lang():
    return [['en_US', 'English (US)']]


def exp_server_version():
    return release.version


# -- methods behind the master password (and list_db) ---------------------------------------------
def _terminate(cr, name):
    cr.execute('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid != pg_backend_pid()', (name,))


def _server_sql(*statements):
    cnx = db.connect('postgres')
    cnx.autocommit = True
    try:
        with cnx.cursor() as cr:
            for sql, params in statements:
                if sql == 'terminate':
                    _terminate(cr, params)
                else:
                    cr.execute(sql, params)
    finally:
        cnx.close()


@_management
def exp_create_database(db_name, demo, lang, user_password='admin', login='admin', country_code=None, phone=None):
    from . import dbcmd
    _logger.info('Create database `%s`.', db_name)
    if db.exists(db_name):
        raise db.DatabaseExists('database %r already exists!' % (db_name,))
    saved = {k: config.get(k) for k in ('init', 'without_demo', 'demo')}
    try:
        dbcmd.cmd_init(types.SimpleNamespace(database=db_name, force=False, with_demo=bool(demo), username=login, password=user_password))
    finally:
        config.update(saved)
    return True


@_management
def exp_duplicate_database(db_original_name, db_name, neutralize_database=False):
    from . import dbcmd
    if db.exists(db_name):
        raise db.DatabaseExists('database %r already exists!' % (db_name,))
    dbcmd.cmd_duplicate(types.SimpleNamespace(source=db_original_name, target=db_name, force=False, neutralize=bool(neutralize_database)))
    return True


@_management
def exp_drop(db_name):
    if db_name not in list_dbs(True):
        return False
    _server_sql(('terminate', db_name), ('DROP DATABASE "%s"' % db_name.replace('"', '""'), None))
    _logger.info('DROP DB: %s', db_name)
    shutil.rmtree(config.filestore(db_name), ignore_errors=True)
    return True


def _tables_as_copy(db_name):
    """Every table of the public schema, in pg_dump's COPY text format."""
    out = io.StringIO()
    out.write('-- Odoo stand-in dump of %s: table data only, COPY format (no pg_dump in this image)\n' % db_name)
    with db.cursor(db_name) as cr:
        cr.execute("""SELECT table_name FROM information_schema.tables
                       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name""")
        for (table,) in cr.fetchall():
            cr.execute("""SELECT column_name FROM information_schema.columns
                           WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position""", (table,))
            columns = ', '.join('"%s"' % c for (c,) in cr.fetchall())
            out.write('\nCOPY public."%s" (%s) FROM stdin;\n' % (table, columns))
            cr._obj.copy_expert('COPY public."%s" TO STDOUT' % table, out)
            out.write('\\.\n')
    return out.getvalue()


def _manifest(db_name):
    with db.cursor(db_name) as cr:
        cr.execute("SELECT name, latest_version FROM ir_module_module WHERE state = 'installed'")
        modules = dict(cr.fetchall())
        cr.execute('SHOW server_version_num')
        num = int(cr.fetchone()[0])
    return {'odoo_dump': '1', 'db_name': db_name, 'version': release.version, 'version_info': list(release.version_info),
            'major_version': release.major_version, 'pg_version': '%d.%d' % divmod(num // 100, 100), 'modules': modules}


@_management
def dump_db(db_name, stream, backup_format='zip'):
    _logger.info('DUMP DB: %s format %s', db_name, backup_format)
    if backup_format != 'zip':
        raise Exception('Command `pg_dump` not found.')
    with zipfile.ZipFile(stream, 'w', compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr('dump.sql', _tables_as_copy(db_name))
        z.writestr('manifest.json', json.dumps(_manifest(db_name), indent=4))
        root = config.filestore(db_name)
        for folder, _dirs, files in os.walk(root):
            for name in sorted(files):
                path = os.path.join(folder, name)
                z.write(path, os.path.join('filestore', os.path.relpath(path, root)))
    return stream


@_management
def exp_dump(db_name, format):
    buf = io.BytesIO()
    dump_db(db_name, buf, format)
    return base64.b64encode(buf.getvalue()).decode()


@_management
def exp_restore(db_name, data, copy=False):
    if exp_db_exist(db_name):
        _logger.warning('RESTORE DB: %s already exists', db_name)
        raise Exception('Database already exists')
    raise Exception('Command `psql` not found.')


@_management
def exp_rename(old_name, new_name):
    from . import dbcmd
    if db.exists(new_name):
        raise Exception("Couldn't rename database %s to %s: database \"%s\" already exists" % (old_name, new_name, new_name))
    _server_sql(('terminate', old_name))
    dbcmd.cmd_rename(types.SimpleNamespace(source=old_name, target=new_name, force=False))
    _logger.info('RENAME DB: %s -> %s', old_name, new_name)
    return True


@_management
def exp_change_admin_password(new_password):
    """Like Odoo: the new hash is taken in memory, then the config file is rewritten (which fails on
    a read-only file, after the in-memory change)."""
    from .orm_models import hash_password
    config['admin_passwd'] = hash_password(new_password)
    path = config.rcfile
    lines = []
    if path and os.path.exists(path):
        with open(path) as f:
            lines = [line for line in f.read().splitlines() if not line.strip().startswith('admin_passwd')]
    if not any(line.strip() == '[options]' for line in lines):
        lines.insert(0, '[options]')
    lines.insert(lines.index('[options]') + 1, 'admin_passwd = %s' % config['admin_passwd'])
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return True


@_management
def exp_migrate_databases(databases):
    raise Exception('migrate_databases is not available in the stand-in image')


NO_MASTER = {'db_exist': exp_db_exist, 'list': exp_list, 'list_lang': exp_list_lang, 'server_version': exp_server_version}
MASTER = {'create_database': exp_create_database, 'duplicate_database': exp_duplicate_database, 'drop': exp_drop,
          'dump': exp_dump, 'restore': exp_restore, 'rename': exp_rename,
          'change_admin_password': exp_change_admin_password, 'migrate_databases': exp_migrate_databases}


def db_dispatch(method, params):
    if method in NO_MASTER:
        return NO_MASTER[method](*params)
    if method in MASTER:
        passwd, params = params[0], params[1:]
        check_super(passwd)
        return MASTER[method](*params)
    raise KeyError('Method not found: %s' % method)


def common_dispatch(method, params):
    if method == 'version':
        return {'server_version': release.version, 'server_version_info': list(release.version_info),
                'server_serie': release.serie, 'protocol_version': 1}
    raise KeyError('exp_%s' % method)


def dispatch_rpc(service_name, method, params):
    """odoo.http.dispatch_rpc"""
    dispatch = {'common': common_dispatch, 'db': db_dispatch}[service_name]
    return dispatch(method, list(params or []))

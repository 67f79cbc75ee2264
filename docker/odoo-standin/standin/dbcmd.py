"""`odoo db [global options] <init|duplicate|rename|drop|dump|load>` (Odoo 17+, argparse).

Global database options must come before the sub-command, as with the real command."""
import argparse
import logging
import os
import shutil
import sys
import uuid

from . import db
from .config import config
from .log import init_logger

_logger = logging.getLogger('odoo.service.db')


def run(args):
    parser = argparse.ArgumentParser(prog='odoo db', description='Create, drop, dump, load databases')
    parser.add_argument('-c', '--config', dest='config')
    parser.add_argument('-D', '--data-dir', dest='data_dir')
    parser.add_argument('--addons-path', dest='addons_path')
    parser.add_argument('-r', '--db_user', dest='db_user')
    parser.add_argument('-w', '--db_password', dest='db_password')
    parser.add_argument('--pg_path', dest='pg_path')
    parser.add_argument('--db_host', dest='db_host')
    parser.add_argument('--db_port', dest='db_port')
    parser.add_argument('--db_sslmode', dest='db_sslmode')
    sub = parser.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('init')
    p.add_argument('database')
    p.add_argument('--with-demo', action='store_true')
    p.add_argument('--force', action='store_true')
    p.add_argument('--language', default='en_US')
    p.add_argument('--username', default='admin')
    p.add_argument('--password', default='admin')
    p.add_argument('--country')
    for name in ('duplicate', 'rename'):
        p = sub.add_parser(name)
        p.add_argument('-f', '--force', action='store_true')
        if name == 'duplicate':
            p.add_argument('-n', '--neutralize', action='store_true')
        p.add_argument('source')
        p.add_argument('target')
    p = sub.add_parser('drop')
    p.add_argument('database')
    p = sub.add_parser('dump')
    p.add_argument('database')
    p.add_argument('dump_path', nargs='?', default='-')
    p.add_argument('--format', default='zip')
    p.add_argument('--no-filestore', action='store_true')
    p = sub.add_parser('load')
    p.add_argument('database', nargs='?')
    p.add_argument('dump_file')
    p.add_argument('-f', '--force', action='store_true')
    p.add_argument('-n', '--neutralize', action='store_true')
    ns = parser.parse_args(args)
    cli_args = []
    for opt in ('config', 'data_dir', 'addons_path', 'db_user', 'db_password', 'db_host', 'db_port', 'db_sslmode'):
        value = getattr(ns, opt)
        if value:
            cli_args += ['--%s' % opt.replace('_', '-') if opt in ('data_dir', 'addons_path') else '--%s' % opt, value]
    config.parse(cli_args)
    init_logger(config)
    return globals()['cmd_' + ns.cmd](ns)


def _drop(name):
    cnx = db.connect('postgres')
    cnx.autocommit = True
    with cnx.cursor() as cr:
        cr.execute('DROP DATABASE IF EXISTS "%s"' % name)
    cnx.close()
    shutil.rmtree(config.filestore(name), ignore_errors=True)


def cmd_init(ns):
    from .registry import Registry
    if db.exists(ns.database):
        if not ns.force:
            sys.exit("Database %r already exists, use --force to drop it" % ns.database)
        _drop(ns.database)
    db.create_empty_database(ns.database)
    config['init'] = {'base': 1}
    config['without_demo'] = not ns.with_demo
    config['demo'] = {'all': 1} if ns.with_demo else {}
    Registry.new(ns.database, update_module=True)
    with db.cursor(ns.database) as cr:
        from .orm_models import hash_password
        cr.execute("UPDATE res_users SET login=%s, password=%s WHERE id=2", (ns.username, hash_password(ns.password)))


def cmd_duplicate(ns):
    if db.exists(ns.target):
        if not ns.force:
            sys.exit("Target %r already exists, use -f to drop it" % ns.target)
        _drop(ns.target)
    _logger.info('Duplicate database `%s` to `%s`.', ns.source, ns.target)
    cnx = db.connect('postgres')
    cnx.autocommit = True
    with cnx.cursor() as cr:
        cr.execute('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname=%s AND pid != pg_backend_pid()', (ns.source,))
        cr.execute('CREATE DATABASE "%s" ENCODING \'unicode\' TEMPLATE "%s"' % (ns.target, ns.source))
    cnx.close()
    with db.cursor(ns.target) as cr:
        cr.execute("UPDATE ir_config_parameter SET value=%s WHERE key='database.uuid'", (str(uuid.uuid1()),))
        cr.execute("UPDATE ir_config_parameter SET value=to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') WHERE key='database.create_date'")
        if ns.neutralize:
            from .neutralize import neutralize_database
            neutralize_database(cr)
    src = config.filestore(ns.source)
    if os.path.exists(src):
        shutil.copytree(src, config.filestore(ns.target))


def cmd_rename(ns):
    if db.exists(ns.target):
        if not ns.force:
            sys.exit("Target %r already exists, use -f to drop it" % ns.target)
        _drop(ns.target)
    cnx = db.connect('postgres')
    cnx.autocommit = True
    with cnx.cursor() as cr:
        cr.execute('ALTER DATABASE "%s" RENAME TO "%s"' % (ns.source, ns.target))
    cnx.close()
    src = config.filestore(ns.source)
    if os.path.exists(src):
        shutil.move(src, config.filestore(ns.target))


def cmd_drop(ns):
    if not db.exists(ns.database):
        sys.exit("Database %r does not exist" % ns.database)
    _drop(ns.database)


def cmd_dump(ns):
    sys.exit('odoo db dump needs pg_dump, which the stand-in image does not ship')


def cmd_load(ns):
    sys.exit('odoo db load needs psql, which the stand-in image does not ship')

"""`odoo neutralize -d DB [--stdout]` (odoo/cli/neutralize.py + odoo/modules/neutralize.py)."""
import logging
import optparse
import os
import sys

from . import db, modules
from .config import build_parser, config
from .log import init_logger

_logger = logging.getLogger('odoo.cli.neutralize')
_mlogger = logging.getLogger('odoo.modules.neutralize')


def get_installed_modules(cr):
    cr.execute("SELECT name FROM ir_module_module WHERE state IN ('installed', 'to upgrade', 'to remove')")
    return [r[0] for r in cr.fetchall()]


def get_neutralization_queries(names):
    for name in names:
        path = modules.get_module_path(name)
        if not path:
            continue
        fname = os.path.join(path, 'data', 'neutralize.sql')
        if os.path.isfile(fname):
            with open(fname) as f:
                yield f.read().strip()


def neutralize_database(cr):
    from .registry import initialize_sys_path
    initialize_sys_path()
    for query in get_neutralization_queries(get_installed_modules(cr)):
        cr.execute(query)
    _mlogger.info('Neutralization finished')


def run(args):
    parser = build_parser()
    group = optparse.OptionGroup(parser, 'Neutralize', 'Neutralize the database specified by the `-d` argument.')
    group.add_option('--stdout', action='store_true', dest='to_stdout', help='Output the neutralization SQL instead of applying it')
    parser.add_option_group(group)
    opt, _ = config.parse(args, parser)
    init_logger(config)
    dbname = config['db_name']
    if not dbname:
        _logger.error('Neutralize command needs a database name. Use "-d" argument')
        sys.exit(1)
    if not opt.to_stdout:
        _logger.info('Starting %s database neutralization', dbname)
    try:
        with db.cursor(dbname) as cr:
            if opt.to_stdout:
                from .registry import initialize_sys_path
                initialize_sys_path()
                print('BEGIN;')
                for query in get_neutralization_queries(get_installed_modules(cr)):
                    print(query.rstrip(';') + ';')
                print('COMMIT;')
            else:
                neutralize_database(cr)
    except Exception:
        _logger.critical('An error occurred during the neutralization. THE DATABASE IS NOT NEUTRALIZED!')
        sys.exit(1)

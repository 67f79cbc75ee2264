"""`odoo shell -d DB`: runs stdin as Python with `env` (superuser), like odoo/cli/shell.py.

Nothing is committed unless the script calls env.cr.commit(). Sending a mail works with the
same code as on a real Odoo (base module API):
    msg = env['ir.mail_server'].build_email('from@x', ['to@y'], 'Subject', 'Body')
    env['ir.mail_server'].send_email(msg)"""
import code
import logging
import optparse
import os
import sys
import threading

from .config import build_parser, config
from .log import init_logger

_logger = logging.getLogger('odoo.cli.shell')


def run(args):
    import odoo
    from . import cli, db
    from .orm import Environment
    from .registry import Registry, initialize_sys_path
    parser = build_parser()
    group = optparse.OptionGroup(parser, 'Shell options')
    group.add_option('--shell-file', dest='shell_file')
    parser.add_option_group(group)
    opt, _ = config.parse(args, parser)
    init_logger(config)
    cli.report_configuration()
    initialize_sys_path()
    local_vars = {'openerp': odoo, 'odoo': odoo}
    dbname = config['db_name']
    if dbname:
        threading.current_thread().dbname = dbname
        Registry.get(dbname)
        with db.cursor(dbname) as cr:
            env = Environment(cr, 1, {'lang': 'en_US'})
            local_vars['env'] = env
            local_vars['self'] = env.user
            try:
                console(local_vars)
            finally:
                cr.rollback()
    else:
        console(local_vars)


def console(local_vars):
    if not os.isatty(sys.stdin.fileno()):
        local_vars['__name__'] = '__main__'
        exec(sys.stdin.read(), local_vars)
    else:
        if 'env' not in local_vars:
            print('No environment set, use `odoo shell -d dbname` to get one.')
        for name in sorted(local_vars):
            print('%s: %s' % (name, local_vars[name]))
        code.interact(local=local_vars, banner='')

"""`odoo [command] [options]`: command dispatch and the server command (odoo/cli/server.py,
odoo/service/server.py)."""
import logging
import os
import signal
import socket
import sys
import threading
import time

from . import db, release
from .config import config
from .log import init_logger, set_db, stderr_line

_logger = logging.getLogger('odoo')
_server_logger = logging.getLogger('odoo.service.server')
COMMANDS = ('server', 'shell', 'neutralize', 'db', 'scaffold', 'help', 'start', 'populate', 'deploy', 'cloc',
            'upgrade_code', 'obfuscate', 'tsconfig')


def main():
    args = sys.argv[1:]
    if len(args) > 1 and args[0].startswith('--addons-path=') and not args[1].startswith('-'):
        config['addons_path'] = args[0].split('=', 1)[1]
        args = args[1:]
    command = 'server'
    if args and not args[0].startswith('-'):
        command, args = args[0], args[1:]
    if command not in COMMANDS:
        sys.exit('Unknown command %r' % (command,))
    if command == 'server':
        return server(args)
    if command == 'neutralize':
        from . import neutralize
        return neutralize.run(args)
    if command == 'shell':
        from . import shell
        return shell.run(args)
    if command == 'db':
        from . import dbcmd
        return dbcmd.run(args)
    if command == 'help':
        print('Available commands:\n    db\n    help\n    neutralize\n    server\n    shell')
        return
    sys.exit('The %r command is not available in the stand-in image.' % command)


def report_configuration():
    from .modules import addons_paths
    _logger.info('Odoo version %s', release.version)
    if os.path.isfile(config.rcfile or ''):
        _logger.info('Using configuration file at %s', config.rcfile)
    _logger.info('addons paths: %s', addons_paths())
    host = config['db_host'] or os.environ.get('PGHOST', 'default')
    port = config['db_port'] or os.environ.get('PGPORT', 'default')
    user = config['db_user'] or os.environ.get('PGUSER', 'default')
    _logger.info('database: %s@%s:%s', user, host, port)
    # reportlab's font lookup message of the Debian image, printed by every real start
    stderr_line("Warn: Can't find .pfb for face 'Times-Roman'")
    logging.getLogger('odoo.addons.base.models.ir_actions_report').info(
        'You need Wkhtmltopdf to print a pdf version of the reports.')


def server(args):
    config.parse(args)
    from .modules import check_addons_path
    problem = check_addons_path()
    if problem:
        sys.stderr.write('Usage: odoo [options]\n\nodoo: error: %s\n' % problem)
        sys.exit(2)
    init_logger(config)
    if os.name == 'posix' and os.geteuid() == 0:
        sys.stderr.write("Running as user 'root' is a security risk.\n")
    if config['db_user'] == 'postgres':
        sys.stderr.write("Using the database user 'postgres' is a security risk, aborting.")
        sys.exit(1)
    report_configuration()
    preload = []
    if config['db_name']:
        preload = [n.strip() for n in config['db_name'].split(',') if n.strip()]
        import psycopg2.errors
        for name in preload:
            try:
                db.create_empty_database(name)
                config['init']['base'] = True
            except psycopg2.errors.InsufficientPrivilege as err:
                _logger.info('Could not determine if database %s exists, skipping auto-creation: %s', name, err)
            except db.DatabaseExists:
                pass
    rc = ThreadedServer().run(preload, config['stop_after_init'])
    sys.exit(rc if rc else 0)


class ThreadedServer:
    def __init__(self):
        self.quit = threading.Event()
        self.signals = 0
        self.httpd = []
        self.prefork = bool(config['workers']) and not config['test_enable']
        self.busy = False

    def signal_handler(self, sig, frame):
        self.signals += 1
        if self.signals > 1:
            sys.stderr.write('Forced shutdown.\n')
            os._exit(0)
        self.quit.set()
        if self.busy:
            raise KeyboardInterrupt()

    def http_spawn(self):
        from . import httpd
        iface = config['http_interface'] or '0.0.0.0'
        self.httpd.append(httpd.serve_forever_in_thread(config['http_port'], config['http_interface']))
        if self.prefork:
            _server_logger.info('HTTP service (werkzeug) running on %s:%s', iface, config['http_port'])
            self.httpd.append(httpd.serve_forever_in_thread(config['gevent_port'], config['http_interface']))
            _server_logger.info('Evented Service (longpolling) running on %s:%s', iface, config['gevent_port'])
        else:
            _server_logger.info('HTTP service (werkzeug) running on %s:%s',
                                socket.gethostname() if not config['http_interface'] else iface, config['http_port'])

    def run(self, preload, stop):
        self.busy = True
        signal.signal(signal.SIGINT, self.signal_handler)
        signal.signal(signal.SIGTERM, self.signal_handler)
        signal.signal(signal.SIGHUP, self.signal_handler)
        rc = 0
        try:
            if config['test_enable'] or (config['http_enable'] and not stop):
                self.http_spawn()
            if self.prefork and not stop:
                for i, kind in enumerate(['WorkerHTTP'] * int(config['workers']) + ['WorkerCron'] * int(config['max_cron_threads'])):
                    _server_logger.info('Worker %s (%d) alive', kind, os.getpid() + 1 + i)
            rc = preload_registries(preload)
            if stop:
                if config['test_enable']:
                    from .registry import Registry
                    from .testing import log_result_line
                    for name, registry in list(Registry.registries.items()):
                        log_result_line(registry._assertion_report, name)
                self.stop()
                return rc
            self.busy = False
            while not self.quit.is_set():
                self.quit.wait(1)
        except KeyboardInterrupt:
            pass
        self.stop()
        return 0 if not stop else rc

    def stop(self):
        from . import httpd
        if self.prefork:
            _server_logger.info('Stopping gracefully')
        else:
            _server_logger.info('Initiating shutdown')
            _server_logger.info('Hit CTRL-C again or send a second signal to force the shutdown.')
        httpd.stopping.set()
        for srv in self.httpd:
            threading.Thread(target=srv.shutdown, daemon=True).start()
        db.close_all()
        logging.shutdown()


def preload_registries(dbnames):
    from . import testing
    from .registry import Registry
    rc = 0
    for dbname in dbnames:
        try:
            update_module = bool(config['init'] or config['update'])
            set_db(dbname)
            registry = Registry.new(dbname, update_module=update_module)
            report = registry._assertion_report
            if config['test_enable']:
                t0, q0 = time.time(), db.sql_counter
                names = registry.updated_modules if update_module else sorted(registry._init_modules)
                _server_logger.info('Starting post tests')
                before = report.testsRun
                suite = testing.make_suite(names, 'post_install')
                result = testing.run_suite(suite)
                report.update(result)
                _server_logger.info('%d post-tests in %.2fs, %s queries', report.testsRun - before,
                                    time.time() - t0, db.sql_counter - q0)
                for module, (count, secs, queries) in sorted(getattr(registry, 'test_stats', {}).items()):
                    logging.getLogger('odoo.tests.stats').info('%s: %d tests %.2fs %d queries', module, count, secs, queries)
            if not report.wasSuccessful():
                rc += 1
        except Exception:
            _server_logger.critical('Failed to initialize database `%s`.', dbname, exc_info=True)
            return -1
    return rc

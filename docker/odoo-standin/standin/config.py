"""Odoo's command-line options and config file (optparse, like odoo/tools/config.py).

Unknown options end with optparse's usage error and exit 2, exactly like Odoo."""
import configparser
import optparse
import os

from . import release

DEFAULTS = {
    'addons_path': '', 'data_dir': os.path.expanduser('~/.local/share/Odoo'),
    'db_host': False, 'db_port': False, 'db_user': False, 'db_password': False, 'db_name': False,
    'db_sslmode': 'prefer', 'db_maxconn': 64, 'db_template': 'template0', 'dbfilter': '',
    'init': {}, 'update': {}, 'without_demo': False, 'demo': {},
    'http_interface': '', 'http_port': 8069, 'gevent_port': 8072, 'http_enable': True,
    'proxy_mode': False, 'list_db': True, 'workers': 0, 'max_cron_threads': 2,
    'test_enable': False, 'test_tags': None, 'test_file': False, 'stop_after_init': False,
    'log_level': 'info', 'logfile': None, 'log_handler': [':INFO'], 'syslog': False,
    'smtp_server': 'localhost', 'smtp_port': 25, 'smtp_ssl': False, 'smtp_user': False,
    'smtp_password': False, 'email_from': False, 'from_filter': False,
    'server_wide_modules': 'base,web', 'admin_passwd': 'admin', 'unaccent': False,
    'dev_mode': [], 'limit_time_real': 120, 'limit_time_cpu': 60,
}
INT_KEYS = {'db_port', 'db_maxconn', 'http_port', 'gevent_port', 'workers', 'max_cron_threads',
            'smtp_port', 'limit_time_real', 'limit_time_cpu'}
BOOL_KEYS = {'proxy_mode', 'list_db', 'test_enable', 'stop_after_init', 'smtp_ssl', 'unaccent',
             'http_enable', 'syslog'}


def build_parser(prog='odoo'):
    p = optparse.OptionParser(prog=prog, usage='%prog [options]', version='Odoo Server %s' % release.version)
    a = p.add_option
    g = optparse.OptionGroup(p, 'Common options')
    g.add_option('-c', '--config', dest='config')
    g.add_option('-s', '--save', action='store_true', dest='save')
    g.add_option('-i', '--init', dest='init')
    g.add_option('-u', '--update', dest='update')
    g.add_option('--without-demo', dest='without_demo')
    g.add_option('-P', '--import-partial', dest='import_partial')
    g.add_option('--pidfile', dest='pidfile')
    g.add_option('--addons-path', dest='addons_path')
    g.add_option('--upgrade-path', dest='upgrade_path')
    g.add_option('--pre-upgrade-scripts', dest='pre_upgrade_scripts')
    g.add_option('--load', dest='server_wide_modules')
    g.add_option('-D', '--data-dir', dest='data_dir')
    p.add_option_group(g)
    g = optparse.OptionGroup(p, 'HTTP Service Configuration')
    g.add_option('--http-interface', dest='http_interface')
    g.add_option('-p', '--http-port', dest='http_port', type='int')
    g.add_option('--gevent-port', '--longpolling-port', dest='gevent_port', type='int')
    g.add_option('--no-http', dest='http_enable', action='store_false')
    g.add_option('--proxy-mode', dest='proxy_mode', action='store_true')
    g.add_option('--x-sendfile', dest='x_sendfile', action='store_true')
    p.add_option_group(g)
    g = optparse.OptionGroup(p, 'Web interface Configuration')
    g.add_option('--db-filter', dest='dbfilter')
    p.add_option_group(g)
    g = optparse.OptionGroup(p, 'Testing Configuration')
    g.add_option('--test-file', dest='test_file')
    g.add_option('--test-enable', action='store_true', dest='test_enable')
    g.add_option('--test-tags', dest='test_tags')
    g.add_option('--screencasts', dest='screencasts')
    g.add_option('--screenshots', dest='screenshots')
    p.add_option_group(g)
    g = optparse.OptionGroup(p, 'Logging Configuration')
    g.add_option('--logfile', dest='logfile')
    g.add_option('--syslog', action='store_true', dest='syslog')
    g.add_option('--log-handler', action='append', dest='log_handler')
    g.add_option('--log-web', action='append_const', dest='log_handler', const='odoo.http:DEBUG')
    g.add_option('--log-sql', action='append_const', dest='log_handler', const='odoo.sql_db:DEBUG')
    g.add_option('--log-db', dest='log_db')
    g.add_option('--log-db-level', dest='log_db_level')
    g.add_option('--log-level', dest='log_level', type='choice', choices=[
        'info', 'debug_rpc', 'warn', 'test', 'critical', 'runbot', 'debug_sql', 'error', 'debug',
        'debug_rpc_answer', 'notset'])
    p.add_option_group(g)
    g = optparse.OptionGroup(p, 'SMTP Configuration')
    g.add_option('--email-from', dest='email_from')
    g.add_option('--from-filter', dest='from_filter')
    g.add_option('--smtp', dest='smtp_server')
    g.add_option('--smtp-port', dest='smtp_port', type='int')
    g.add_option('--smtp-ssl', dest='smtp_ssl', action='store_true')
    g.add_option('--smtp-user', dest='smtp_user')
    g.add_option('--smtp-password', dest='smtp_password')
    g.add_option('--smtp-ssl-certificate-filename', dest='smtp_ssl_certificate_filename')
    g.add_option('--smtp-ssl-private-key-filename', dest='smtp_ssl_private_key_filename')
    p.add_option_group(g)
    g = optparse.OptionGroup(p, 'Database related options')
    g.add_option('-d', '--database', dest='db_name')
    g.add_option('-r', '--db_user', dest='db_user')
    g.add_option('-w', '--db_password', dest='db_password')
    g.add_option('--pg_path', dest='pg_path')
    g.add_option('--db_host', dest='db_host')
    g.add_option('--db_port', dest='db_port', type='int')
    g.add_option('--db_sslmode', dest='db_sslmode')
    g.add_option('--db_maxconn', dest='db_maxconn', type='int')
    g.add_option('--db-template', dest='db_template')
    p.add_option_group(g)
    g = optparse.OptionGroup(p, 'Internationalisation options')
    g.add_option('--load-language', dest='load_language')
    g.add_option('-l', '--language', dest='language')
    g.add_option('--i18n-export', dest='translate_out')
    g.add_option('--i18n-import', dest='translate_in')
    g.add_option('--i18n-overwrite', dest='overwrite_existing_translations', action='store_true')
    g.add_option('--modules', dest='translate_modules')
    p.add_option_group(g)
    g = optparse.OptionGroup(p, 'Security-related options')
    g.add_option('--no-database-list', action='store_false', dest='list_db')
    p.add_option_group(g)
    g = optparse.OptionGroup(p, 'Advanced options')
    g.add_option('--dev', dest='dev_mode')
    g.add_option('--shell-interface', dest='shell_interface')
    g.add_option('--stop-after-init', action='store_true', dest='stop_after_init')
    g.add_option('--osv-memory-count-limit', dest='osv_memory_count_limit', type='int')
    g.add_option('--transient-age-limit', dest='transient_age_limit', type='float')
    g.add_option('--max-cron-threads', dest='max_cron_threads', type='int')
    g.add_option('--unaccent', dest='unaccent', action='store_true')
    g.add_option('--geoip-city-db', '--geoip-db', dest='geoip_city_db')
    g.add_option('--geoip-country-db', dest='geoip_country_db')
    p.add_option_group(g)
    g = optparse.OptionGroup(p, 'Multiprocessing options')
    g.add_option('--workers', dest='workers', type='int')
    g.add_option('--limit-memory-soft', dest='limit_memory_soft', type='int')
    g.add_option('--limit-memory-hard', dest='limit_memory_hard', type='int')
    g.add_option('--limit-time-cpu', dest='limit_time_cpu', type='int')
    g.add_option('--limit-time-real', dest='limit_time_real', type='int')
    g.add_option('--limit-time-real-cron', dest='limit_time_real_cron', type='int')
    g.add_option('--limit-request', dest='limit_request', type='int')
    p.add_option_group(g)
    return p


class Config(dict):
    rcfile = None

    def parse(self, args, parser=None):
        parser = parser or build_parser()
        opt, rest = parser.parse_args(args)
        self.clear()
        self.update({k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()})
        self.rcfile = opt.config or os.environ.get('ODOO_RC') or os.environ.get('OPENERP_SERVER') or os.path.expanduser('~/.odoorc')
        self._load_file(self.rcfile)
        for key, value in vars(opt).items():
            if value is None or key in ('config', 'save'):
                continue
            if key in ('init', 'update'):
                self[key] = {m.strip(): 1 for m in value.split(',') if m.strip()}
            elif key == 'log_handler':
                self[key] = DEFAULTS['log_handler'] + value
            else:
                self[key] = value
        if self['test_tags']:
            self['test_enable'] = True
        if self['test_enable'] and not self['test_tags']:
            self['test_tags'] = '+standard'
        wd = self['without_demo']
        if wd in (False, 'False', 'false', '', None, '0'):
            self['without_demo'] = False
        # like Odoo: demo data goes with -i unless --without-demo says otherwise
        self['demo'] = {} if self['without_demo'] == 'all' or self['without_demo'] is True else {
            k: 1 for k in self['init'] if not (isinstance(self['without_demo'], str) and k in self['without_demo'].split(','))}
        if isinstance(self['dev_mode'], str):
            self['dev_mode'] = [m.strip() for m in self['dev_mode'].split(',') if m.strip()]
        self['data_dir'] = os.path.abspath(os.path.expanduser(self['data_dir']))
        return opt, rest

    def _load_file(self, path):
        if not path or not os.path.exists(path):
            return
        cp = configparser.RawConfigParser()
        try:
            cp.read([path])
        except configparser.Error:
            return
        if not cp.has_section('options'):
            return
        for key, value in cp.items('options'):
            if value in ('True', 'true'):
                value = True
            elif value in ('False', 'false', 'None'):
                value = False
            if key == 'xmlrpc_port' or key == 'http_port':
                key = 'http_port'
            elif key in ('longpolling_port',):
                key = 'gevent_port'
            if key in INT_KEYS and value not in (False, True):
                try:
                    value = int(value)
                except ValueError:
                    continue
            if key in ('init', 'update') and isinstance(value, str):
                value = {m.strip(): 1 for m in value.split(',') if m.strip()}
            self[key] = value

    @property
    def addons_data_dir(self):
        return os.path.join(self['data_dir'], 'addons', release.serie)

    def filestore(self, dbname):
        return os.path.join(self['data_dir'], 'filestore', dbname)


config = Config()
config.update(DEFAULTS)

"""PostgreSQL access with the configured role (psycopg2), database creation and the base schema."""
import logging

import psycopg2
import psycopg2.extensions
import psycopg2.extras

from .config import config

_logger = logging.getLogger('odoo.sql_db')
sql_counter = 0
_opened = 0


class DatabaseExists(Exception):
    pass


class Cursor:
    """A thin cursor: counts queries (for Odoo's `N queries` figures) and commits explicitly."""

    def __init__(self, dbname):
        global _opened
        self.dbname = dbname
        self._cnx = connect(dbname)
        self._obj = self._cnx.cursor()
        _opened += 1

    def execute(self, query, params=None):
        global sql_counter
        sql_counter += 1
        return self._obj.execute(query, params)

    def fetchone(self):
        return self._obj.fetchone()

    def fetchall(self):
        return self._obj.fetchall()

    def dictfetchall(self):
        cols = [d[0] for d in self._obj.description]
        return [dict(zip(cols, row)) for row in self._obj.fetchall()]

    def dictfetchone(self):
        rows = self.dictfetchall()
        return rows[0] if rows else None

    @property
    def rowcount(self):
        return self._obj.rowcount

    @property
    def description(self):
        return self._obj.description

    def savepoint(self):
        return _Savepoint(self)

    def commit(self):
        self._cnx.commit()

    def rollback(self):
        self._cnx.rollback()

    def close(self):
        if not self._cnx.closed:
            self._cnx.rollback()
            self._cnx.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        self.close()


class _Savepoint:
    _n = 0

    def __init__(self, cr):
        _Savepoint._n += 1
        self.cr, self.name = cr, 'sp_%d' % _Savepoint._n

    def __enter__(self):
        self.cr.execute('SAVEPOINT "%s"' % self.name)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.cr.execute('RELEASE SAVEPOINT "%s"' % self.name)
        else:
            self.cr.execute('ROLLBACK TO SAVEPOINT "%s"' % self.name)


def dsn(dbname):
    params = {'dbname': dbname, 'application_name': 'odoo-%d' % __import__('os').getpid()}
    for key, opt in (('host', 'db_host'), ('port', 'db_port'), ('user', 'db_user'), ('password', 'db_password')):
        if config.get(opt):
            params[key] = str(config[opt])
    if config.get('db_sslmode'):
        params['sslmode'] = config['db_sslmode']
    return params


def connect(dbname):
    return psycopg2.connect(**dsn(dbname))


def cursor(dbname):
    return Cursor(dbname)


def server_cursor():
    return Cursor('postgres')


def exists(dbname):
    with server_cursor() as cr:
        cr.execute('SELECT 1 FROM pg_database WHERE datname=%s', (dbname,))
        return bool(cr.fetchone())


def create_empty_database(name):
    """Like odoo.service.db._create_empty_database: DatabaseExists when present."""
    cnx = connect('postgres')
    cnx.autocommit = True
    try:
        with cnx.cursor() as cr:
            cr.execute('SELECT datname FROM pg_database WHERE datname = %s', (name,))
            if cr.fetchall():
                raise DatabaseExists('database %r already exists!' % (name,))
            cr.execute('CREATE DATABASE "%s" ENCODING \'unicode\' LC_COLLATE \'C\' TEMPLATE "%s"'
                       % (name, config.get('db_template') or 'template0'))
    finally:
        cnx.close()


def list_dbs():
    """Like odoo.service.db.list_dbs: databases owned by the role, templates excluded."""
    with server_cursor() as cr:
        cr.execute("""SELECT datname FROM pg_database
                       WHERE datdba = (SELECT usesysid FROM pg_user WHERE usename = current_user)
                         AND NOT datistemplate AND datallowconn
                         AND datname NOT IN ('postgres') ORDER BY datname""")
        return [r[0] for r in cr.fetchall()]


def is_initialized(cr):
    cr.execute("SELECT 1 FROM information_schema.tables WHERE table_name = 'ir_module_module'")
    return bool(cr.fetchone())


def close_all():
    global _opened
    _logger.info('ConnectionPool(used=0/count=0/max=%d): Closed %d connections ', config.get('db_maxconn') or 64, max(_opened, 1))
    _opened = 0


# Real Odoo table and column names, so that SQL written for Odoo (neutralization, checks,
# copies) works unchanged on stand-in databases.
BASE_SCHEMA = """
CREATE TABLE ir_module_category (id serial PRIMARY KEY, name jsonb NOT NULL, parent_id int, sequence int,
    visible boolean, exclusive boolean, create_uid int, create_date timestamp, write_uid int, write_date timestamp);
CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar NOT NULL, category_id int, author varchar,
    website varchar, summary jsonb, shortdesc jsonb, description jsonb, state varchar(16), latest_version varchar,
    published_version varchar, url varchar, icon varchar, license varchar(32), application boolean DEFAULT false,
    demo boolean DEFAULT false, auto_install boolean DEFAULT false, to_buy boolean DEFAULT false,
    sequence int DEFAULT 100, create_uid int, create_date timestamp, write_uid int, write_date timestamp,
    CONSTRAINT ir_module_module_name_uniq UNIQUE (name));
CREATE INDEX ir_module_module_state_index ON ir_module_module (state);
CREATE TABLE ir_module_module_dependency (id serial PRIMARY KEY, name varchar,
    module_id int REFERENCES ir_module_module ON DELETE CASCADE, auto_install_required boolean DEFAULT true,
    create_uid int, create_date timestamp, write_uid int, write_date timestamp);
CREATE TABLE ir_model_data (id serial PRIMARY KEY, res_id int, noupdate boolean DEFAULT false,
    name varchar NOT NULL, module varchar NOT NULL, model varchar NOT NULL,
    create_uid int, create_date timestamp DEFAULT (now() at time zone 'UTC'), write_uid int,
    write_date timestamp DEFAULT (now() at time zone 'UTC'),
    CONSTRAINT ir_model_data_module_name_uniq_index UNIQUE (module, name));
CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key varchar NOT NULL, value text NOT NULL,
    create_uid int, create_date timestamp, write_uid int, write_date timestamp,
    CONSTRAINT ir_config_parameter_key_uniq UNIQUE (key));
CREATE TABLE res_company (id serial PRIMARY KEY, name varchar NOT NULL, partner_id int, currency_id int,
    sequence int, active boolean DEFAULT true, create_uid int, create_date timestamp, write_uid int, write_date timestamp);
CREATE TABLE res_partner (id serial PRIMARY KEY, name varchar, company_id int, email varchar,
    is_company boolean DEFAULT false, active boolean DEFAULT true, create_uid int, create_date timestamp,
    write_uid int, write_date timestamp);
CREATE TABLE res_users (id serial PRIMARY KEY, login varchar NOT NULL, password varchar, partner_id int NOT NULL
    REFERENCES res_partner ON DELETE RESTRICT, company_id int, active boolean DEFAULT true, share boolean DEFAULT false,
    signature text, create_uid int, create_date timestamp, write_uid int, write_date timestamp,
    CONSTRAINT res_users_login_key UNIQUE (login));
CREATE TABLE res_users_log (id serial PRIMARY KEY, create_uid int, create_date timestamp, write_uid int, write_date timestamp);
CREATE TABLE ir_act_server (id serial PRIMARY KEY, name jsonb NOT NULL, type varchar NOT NULL DEFAULT 'ir.actions.server',
    usage varchar, model_name varchar, state varchar NOT NULL DEFAULT 'code', code text, webhook_url varchar,
    sequence int, create_uid int, create_date timestamp, write_uid int, write_date timestamp);
CREATE TABLE ir_cron (id serial PRIMARY KEY, ir_actions_server_id int NOT NULL REFERENCES ir_act_server ON DELETE RESTRICT,
    cron_name varchar, user_id int NOT NULL, active boolean DEFAULT true, interval_number int DEFAULT 1,
    interval_type varchar DEFAULT 'months', numbercall int DEFAULT -1, doall boolean, nextcall timestamp NOT NULL,
    lastcall timestamp, priority int DEFAULT 5, create_uid int, create_date timestamp, write_uid int, write_date timestamp);
CREATE TABLE ir_mail_server (id serial PRIMARY KEY, name varchar NOT NULL, from_filter varchar, smtp_host varchar,
    smtp_port int DEFAULT 25, smtp_authentication varchar NOT NULL, smtp_user varchar, smtp_pass varchar,
    smtp_encryption varchar NOT NULL, smtp_ssl_certificate bytea, smtp_ssl_private_key bytea,
    smtp_debug boolean DEFAULT false, sequence int DEFAULT 10, active boolean DEFAULT true,
    create_uid int, create_date timestamp, write_uid int, write_date timestamp);
CREATE TABLE ir_attachment (id serial PRIMARY KEY, name varchar NOT NULL, description text, res_model varchar,
    res_field varchar, res_id int, company_id int, type varchar NOT NULL DEFAULT 'binary', url varchar,
    public boolean, access_token varchar, db_datas bytea, store_fname varchar, file_size int, checksum varchar(40),
    mimetype varchar, index_content text, original_id int, create_uid int, create_date timestamp,
    write_uid int, write_date timestamp);
CREATE TABLE ir_ui_view (id serial PRIMARY KEY, name varchar NOT NULL, model varchar, key varchar,
    priority int NOT NULL DEFAULT 16, type varchar, arch_db jsonb, arch_fs varchar, arch_updated boolean,
    arch_prev text, inherit_id int REFERENCES ir_ui_view ON DELETE RESTRICT, mode varchar NOT NULL DEFAULT 'primary',
    active boolean DEFAULT true, create_uid int, create_date timestamp, write_uid int, write_date timestamp);
CREATE TABLE ir_ui_menu (id serial PRIMARY KEY, name jsonb NOT NULL, parent_id int, sequence int, action varchar,
    web_icon varchar, active boolean DEFAULT true, create_uid int, create_date timestamp, write_uid int, write_date timestamp);
CREATE TABLE ir_act_window (id serial PRIMARY KEY, name jsonb NOT NULL, type varchar NOT NULL DEFAULT 'ir.actions.act_window',
    res_model varchar NOT NULL, view_mode varchar NOT NULL DEFAULT 'tree,form', target varchar, domain varchar,
    context varchar NOT NULL DEFAULT '{}', create_uid int, create_date timestamp, write_uid int, write_date timestamp);
CREATE TABLE ir_model_access (id serial PRIMARY KEY, name varchar NOT NULL, model_id int, group_id int,
    perm_read boolean, perm_write boolean, perm_create boolean, perm_unlink boolean, active boolean DEFAULT true,
    create_uid int, create_date timestamp, write_uid int, write_date timestamp);
"""

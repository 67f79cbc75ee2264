"""Registry loading: database initialisation, module install/update in dependency order, tests.

Mirrors odoo/modules/loading.py, registry.py and graph.py where the platform looks: the log
lines, the order, the states in ir_module_module, and the exceptions that make a run fail."""
import importlib
import importlib.util
import logging
import os
import re
import sys
import threading
import time

from . import db, modules, testing
from .config import config
from .log import RUNBOT, set_db
from .orm import Environment

_logger = logging.getLogger('odoo.modules.loading')
_reg_logger = logging.getLogger('odoo.modules.registry')
_graph_logger = logging.getLogger('odoo.modules.graph')
_mig_logger = logging.getLogger('odoo.modules.migration')
_irmod_logger = logging.getLogger('odoo.addons.base.models.ir_module')


class Registry:
    registries = {}
    _lock = threading.RLock()

    def __init__(self, db_name):
        self.db_name = db_name
        self._init_modules = set()
        self.updated_modules = []
        self._assertion_report = testing.OdooTestResult()
        self.ready = False

    @classmethod
    def new(cls, db_name, update_module=False):
        t0 = time.time()
        with cls._lock:
            registry = cls(db_name)
            cls.registries[db_name] = registry
            try:
                try:
                    load_modules(registry, update_module)
                except Exception:
                    reset_modules_state(db_name)
                    raise
            except Exception:
                _reg_logger.exception('Failed to load registry')
                del cls.registries[db_name]
                raise
            registry.ready = True
            _reg_logger.info('Registry loaded in %.3fs', time.time() - t0)
        return registry

    @classmethod
    def get(cls, db_name):
        with cls._lock:
            return cls.registries.get(db_name) or cls.new(db_name)

    def cursor(self):
        return db.cursor(self.db_name)


def reset_modules_state(db_name):
    try:
        cr = db.cursor(db_name)
    except Exception:
        return
    with cr:
        if not db.is_initialized(cr):
            return
        cr.execute("UPDATE ir_module_module SET state='installed' WHERE state IN ('to remove', 'to upgrade')")
        cr.execute("UPDATE ir_module_module SET state='uninstalled' WHERE state='to install'")
        _logger.warning('Transient module states were reset')


# -- addons python package -------------------------------------------------------------------
def initialize_sys_path():
    import odoo.addons
    paths = modules.addons_paths()
    odoo.addons.__path__[:] = paths


def load_openerp_module(name):
    qualname = 'odoo.addons.%s' % name
    if qualname in sys.modules:
        return
    importlib.import_module(qualname)


# -- graph --------------------------------------------------------------------------------------
class Node:
    def __init__(self, name, info, depth):
        self.name, self.info, self.depth = name, info, depth
        self.state, self.dbdemo, self.installed_version, self.id = None, False, None, None
        self.flags = set()


class Graph(dict):
    def add_modules(self, cr, names, kinds_from_config=True):
        packages = []
        for name in names:
            info = modules.load_manifest(name)
            if info and info['installable']:
                packages.append((name, info))
            else:
                _graph_logger.warning('module %s: not installable, skipped', name)
        pending = list(packages)
        progress = True
        while pending and progress:
            progress = False
            for name, info in list(pending):
                if all(dep in self for dep in info['depends']):
                    depth = max([self[d].depth + 1 for d in info['depends']] or [0])
                    node = self[name] = Node(name, info, depth)
                    for kind in ('init', 'demo', 'update'):
                        if name in config[kind] or 'all' in config[kind]:
                            node.flags.add(kind)
                    pending.remove((name, info))
                    progress = True
        cr.execute('SELECT name, id, state, demo, latest_version FROM ir_module_module WHERE name IN %s',
                   (tuple(self.keys()) or ('',),))
        for name, id_, state, demo, version in cr.fetchall():
            node = self[name]
            node.id, node.state, node.dbdemo, node.installed_version = id_, state, demo, version
        for name, info in pending:
            unmet = [d for d in info['depends'] if d not in self]
            _graph_logger.info('module %s: Unmet dependencies: %s', name, ', '.join(unmet))

    def __iter__(self):
        return iter(sorted(self.values(), key=lambda n: (n.depth, n.name)))


# -- loading ------------------------------------------------------------------------------------
def load_modules(registry, update_module):
    dbname = registry.db_name
    report = registry._assertion_report
    cr = db.cursor(dbname)
    try:
        env = Environment(cr, 1, {})
        initialize_sys_path()
        if not db.is_initialized(cr):
            if not update_module:
                _logger.error('Database %s not initialized, you can force it with `-i base`', dbname)
                return
            set_db(None)
            _logger.info('init db')
            initialize(cr)
            update_module = True
            config['init']['all'] = 1
            if not config['without_demo']:
                config['demo']['all'] = 1
        set_db(dbname)
        graph = Graph()
        graph.add_modules(cr, ['base'])
        if not graph:
            raise ImportError('module base cannot be loaded! (hint: verify addons-path)')
        loaded = []
        load_module_graph(env, registry, graph, report, loaded, update_module)
        if update_module:
            _logger.info('updating modules list')
            update_list(cr)
            _check_module_names(cr, list(config['init']) + list(config['update']))
            names = [k for k, v in config['init'].items() if v and k != 'all']
            if names:
                button_install(cr, names)
            names = [k for k, v in config['update'].items() if v]
            if names:
                button_upgrade(cr, names)
            cr.execute("UPDATE ir_module_module SET state='installed' WHERE name='base'")
            cr.commit()
        load_marked_modules(env, registry, graph, ('installed', 'to upgrade', 'to remove'), report, loaded, update_module)
        if update_module:
            load_marked_modules(env, registry, graph, ('to install',), report, loaded, update_module)
        cr.execute("SELECT name FROM ir_module_module WHERE state IN ('installed', 'to upgrade', 'to remove') ORDER BY name")
        missing = [name for (name,) in cr.fetchall() if name not in graph]
        if missing:
            _logger.error('Some modules are not loaded, some dependencies or manifest may be missing: %s', missing)
        cr.commit()
        if report.wasSuccessful():
            _logger.info('Modules loaded.')
        else:
            _logger.error('At least one test failed when loading the modules.')
    finally:
        cr.close()


def load_marked_modules(env, registry, graph, states, report, loaded, update_module):
    while True:
        env.cr.execute('SELECT name FROM ir_module_module WHERE state IN %s', (tuple(states),))
        names = [n for (n,) in env.cr.fetchall() if n not in graph]
        if not names:
            break
        before = len(graph)
        graph.add_modules(env.cr, names)
        if len(graph) == before:
            break
        processed = load_module_graph(env, registry, graph, report, loaded, update_module)
        if not processed:
            break


def load_module_graph(env, registry, graph, report, loaded, update_module):
    cr = env.cr
    t0, q0 = time.time(), db.sql_counter
    total = len(graph)
    _logger.info('loading %d modules...', total)
    updating = bool(config['init'] or config['update'])
    processed = []
    for index, node in enumerate(graph, 1):
        name = node.name
        if name in loaded:
            continue
        needs_update = bool(node.flags & {'init', 'update'}) or node.state in ('to install', 'to upgrade')
        level = logging.INFO if needs_update else logging.DEBUG
        module_t0, module_q0 = time.time(), db.sql_counter
        _logger.log(level, 'Loading module %s (%d/%d)', name, index, total)
        load_openerp_module(name)
        if needs_update:
            install_or_update(env, registry, graph, node)
            processed.append(name)
        loaded.append(name)
        registry._init_modules.add(name)
        test_time = test_queries = 0
        results = None
        if config['test_enable'] and (needs_update or not updating):
            # As Odoo does: the module's install is committed first, then its at_install tests run
            # in their own transaction and see its tables and records.
            cr.commit()
            suite = testing.make_suite([name], 'at_install')
            if suite.countTestCases():
                tt0, tq0 = time.time(), db.sql_counter
                results = testing.run_suite(suite)
                report.update(results)
                test_time, test_queries = time.time() - tt0, db.sql_counter - tq0
                registry.test_stats = getattr(registry, 'test_stats', {})
                registry.test_stats[name] = (results.testsRun, test_time, test_queries)
        cr.commit()
        other = db.sql_counter - module_q0 - test_queries
        extras = []
        if test_queries:
            extras.append('+%d test' % test_queries)
        if other:
            extras.append('+%d other' % other)
        _logger.log(RUNBOT if needs_update else logging.DEBUG, 'Module %s loaded in %.2fs%s, %s queries%s',
                    name, time.time() - module_t0, ' (incl. %.2fs test)' % test_time if test_time else '',
                    other, ' (%s)' % ', '.join(extras) if extras else '')
        if results and not results.wasSuccessful():
            _logger.error('Module %s: %d failures, %d errors of %d tests', name, len(results.failures),
                          len(results.errors), results.testsRun)
    queries = db.sql_counter - q0
    _logger.log(RUNBOT, '%s modules loaded in %.2fs, %s queries (+%s extra)', total, time.time() - t0, queries, queries)
    return processed


def install_or_update(env, registry, graph, node):
    from . import base_data
    cr, name, info = env.cr, node.name, node.info
    new_install = node.state == 'to install' or node.state in (None, 'uninstalled')
    if node.state == 'to upgrade':
        run_migrations(cr, node, 'pre')
    _reg_logger.info('module %s: creating or updating database tables', name)
    if name == 'base' and new_install:
        base_data.create_base_records(env)
    create_tables(env, name)
    mode = 'init' if new_install else 'update'
    load_data(env, node, 'data', mode)
    if new_install:
        demo_wanted = 'demo' in node.flags or (name != 'base' and not config['without_demo'])
    else:
        demo_wanted = node.dbdemo or 'demo' in node.flags
    deps_demo = all(graph[d].dbdemo for d in info['depends'] if d in graph)
    has_demo = bool(demo_wanted and deps_demo)
    if has_demo:
        if info.get('demo'):
            _logger.info('Module %s: loading demo', name)
        load_data(env, node, 'demo', mode)
        if name == 'base':
            base_data.create_demo_records(env)
    check_access_rules(name, info)
    if node.state == 'to upgrade':
        run_migrations(cr, node, 'post')
    cr.execute("""UPDATE ir_module_module SET state='installed', latest_version=%s, demo=%s,
                   write_date=now() at time zone 'UTC' WHERE name=%s""", (info['version'], has_demo, name))
    node.state, node.dbdemo, node.installed_version = 'installed', has_demo, info['version']
    base_data.write_module_attachment(env, name, info['version'])
    registry.updated_modules.append(name)
    node.flags.discard('init')
    node.flags.discard('update')


def load_data(env, node, kind, mode):
    from . import xmlload
    name = node.name
    loader = xmlload.DataLoader(env, name, kind, noupdate=(kind == 'demo'))
    for filename in node.info.get(kind) or []:
        _logger.info('loading %s/%s', name, filename)
        path = os.path.join(node.info['path'], filename)
        if not os.path.isfile(path):
            raise FileNotFoundError('File not found: %s/%s' % (name, filename))
        ext = os.path.splitext(filename)[1].lower()
        if ext == '.xml':
            loader.load_xml(path)
        elif ext == '.csv':
            loader.load_csv(path)
        elif ext == '.sql':
            loader.load_sql(path)
    env.invalidate()


def create_tables(env, module):
    from odoo.models import declared
    cr = env.cr
    for model, entry in declared.items():
        table = entry.get('table')
        if not table or entry.get('abstract'):
            continue
        if entry['module'] == module:
            cr.execute("""CREATE TABLE IF NOT EXISTS "%s" (id serial PRIMARY KEY, create_uid int4,
                          create_date timestamp, write_uid int4, write_date timestamp)""" % table)
        if entry['module'] == module or module in entry['inherit_modules']:
            if not env.table_exists(table) and entry['module'] != module:
                continue
            for fname, field in entry['fields'].items():
                if field.store and fname not in ('id',):
                    cr.execute('ALTER TABLE "%s" ADD COLUMN IF NOT EXISTS "%s" %s' % (table, fname, field.column_type))
    env.invalidate()


def check_access_rules(module, info):
    from odoo.models import declared
    models = sorted(m for m, e in declared.items() if e['module'] == module and e.get('table') and not e.get('abstract'))
    if not models:
        return
    covered = set()
    for filename in info.get('data') or []:
        if os.path.basename(filename) != 'ir.model.access.csv':
            continue
        path = os.path.join(info['path'], filename)
        with open(path, encoding='utf-8') as f:
            for line in f.read().splitlines()[1:]:
                parts = line.split(',')
                if len(parts) > 2:
                    covered.add(parts[2].split('.')[-1])
    lacking = [m for m in models if 'model_' + m.replace('.', '_') not in covered]
    if lacking:
        lines = ['id,name,model_id:id,group_id:id,perm_read,perm_write,perm_create,perm_unlink']
        for m in lacking:
            xmlid = m.replace('.', '_')
            lines.append('%s.access_%s,access_%s,%s.model_%s,base.group_user,1,0,0,0' % (module, xmlid, xmlid, module, xmlid))
        _logger.warning('The models %s have no access rules in module %s, consider adding some, like:\n%s',
                        lacking, module, '\n'.join(lines))


def _version_key(v):
    return tuple(int(p) for p in re.findall(r'\d+', v))


def run_migrations(cr, node, stage):
    base = node.info['path']
    installed = node.installed_version or ''
    target = node.info['version']
    for folder in ('migrations', 'upgrades'):
        root = os.path.join(base, folder)
        if not os.path.isdir(root):
            continue
        for version in sorted(os.listdir(root), key=lambda v: _version_key(modules.adapt_version(v)) if re.match(r'^[\d.]+$', v) else ()):
            if not re.match(r'^[\d.]+$', version):
                continue
            full = modules.adapt_version(version)
            if not (_version_key(installed) < _version_key(full) <= _version_key(target)):
                continue
            vdir = os.path.join(root, version)
            for fname in sorted(os.listdir(vdir)):
                if not (fname.startswith(stage + '-') and fname.endswith('.py')):
                    continue
                stem = fname[:-3]
                fmt = {'pre': '[>%s]', 'post': '[%s>]', 'end': '[$%s]'}[stage] % version
                _mig_logger.info('module %s: Running migration %s %s', node.name, fmt, stem)
                spec = importlib.util.spec_from_file_location(stem, os.path.join(vdir, fname))
                mod = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(mod)
                if hasattr(mod, 'migrate'):
                    mod.migrate(cr, installed)


# -- ir.module.module ---------------------------------------------------------------------------
def _insert_module(cr, name, info):
    state = 'uninstalled' if info['installable'] else 'uninstallable'
    import json
    cr.execute("""INSERT INTO ir_module_module (name, state, author, website, shortdesc, summary, license,
                  application, auto_install, sequence, create_date, write_date)
                  VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
                  RETURNING id""",
               (name, state, info.get('author'), info.get('website'), json.dumps({'en_US': info.get('name') or name}),
                json.dumps({'en_US': info.get('summary') or ''}), info.get('license'), bool(info.get('application')),
                info['auto_install'] is not None, info.get('sequence', 100)))
    mid = cr.fetchone()[0]
    for dep in info['depends']:
        required = info['auto_install'] is None or dep in info['auto_install']
        cr.execute('INSERT INTO ir_module_module_dependency (name, module_id, auto_install_required) VALUES (%s, %s, %s)',
                   (dep, mid, required))
    cr.execute("""INSERT INTO ir_model_data (module, name, model, res_id, noupdate) VALUES ('base', %s, 'ir.module.module', %s, true)
                  ON CONFLICT (module, name) DO NOTHING""", ('module_' + name, mid))


def initialize(cr):
    cr.execute(db.BASE_SCHEMA)
    for name in modules.get_modules():
        info = modules.load_manifest(name)
        if info:
            _insert_module(cr, name, info)
    cr.execute("UPDATE ir_module_module SET state='to install' WHERE name='base'")
    _auto_install(cr)


def update_list(cr):
    cr.execute('SELECT name FROM ir_module_module')
    known = {n for (n,) in cr.fetchall()}
    for name in modules.get_modules():
        info = modules.load_manifest(name)
        if not info:
            continue
        if name not in known:
            _insert_module(cr, name, info)
        else:
            cr.execute("""UPDATE ir_module_module SET state='uninstalled' WHERE name=%s AND state='uninstallable' AND %s""",
                       (name, bool(info['installable'])))


def _check_module_names(cr, names):
    names = set(names)
    names.discard('all')
    if not names:
        return
    cr.execute('SELECT name FROM ir_module_module WHERE name IN %s', (tuple(names),))
    found = {n for (n,) in cr.fetchall()}
    incorrect = names - found
    if incorrect:
        _logger.warning('invalid module names, ignored: %s', ', '.join(sorted(incorrect)))


def _deps(cr, name):
    cr.execute("""SELECT d.name FROM ir_module_module_dependency d JOIN ir_module_module m ON m.id = d.module_id
                  WHERE m.name=%s""", (name,))
    return [n for (n,) in cr.fetchall()]


def _state(cr, name):
    cr.execute('SELECT state FROM ir_module_module WHERE name=%s', (name,))
    row = cr.fetchone()
    return row[0] if row else None


def _shortdescs(cr, names):
    cr.execute("SELECT shortdesc->>'en_US' FROM ir_module_module WHERE name IN %s ORDER BY name", (tuple(names),))
    return [r[0] for r in cr.fetchall()]


def button_install(cr, names):
    from odoo.exceptions import UserError
    cr.execute("SELECT name FROM ir_module_module WHERE state='uninstalled' AND name IN %s", (tuple(names),))
    todo = [n for (n,) in cr.fetchall()]
    if not todo:
        return
    _irmod_logger.info('ALLOW access to module.button_install on %s to user __system__ #1 via n/a', _shortdescs(cr, todo))

    def mark(name):
        for dep in _deps(cr, name):
            state = _state(cr, dep)
            if state is None or state == 'uninstallable':
                raise UserError("You try to install module %r that depends on module %r.\n"
                                "But the latter module is not available in your system." % (name, dep))
            if state == 'uninstalled':
                mark(dep)
        cr.execute("UPDATE ir_module_module SET state='to install' WHERE name=%s AND state='uninstalled'", (name,))
    for name in todo:
        mark(name)
    while True:
        cr.execute("""SELECT m.name FROM ir_module_module m WHERE m.auto_install AND m.state='uninstalled'""")
        new = []
        for (name,) in cr.fetchall():
            cr.execute("""SELECT mdep.state FROM ir_module_module_dependency d
                          JOIN ir_module_module m ON m.id=d.module_id LEFT JOIN ir_module_module mdep ON mdep.name=d.name
                          WHERE m.name=%s AND d.auto_install_required""", (name,))
            states = {s for (s,) in cr.fetchall()}
            if states <= {'installed', 'to install', 'to upgrade'} and 'to install' in states:
                new.append(name)
        if not new:
            break
        for name in new:
            mark(name)


def button_upgrade(cr, names):
    if 'all' in names or 'base' in names:
        cr.execute("SELECT name FROM ir_module_module WHERE state='installed'")
    else:
        cr.execute("SELECT name FROM ir_module_module WHERE state IN ('installed', 'to upgrade') AND name IN %s",
                   (tuple(names),))
    todo = [n for (n,) in cr.fetchall()]
    if not todo:
        return
    _irmod_logger.info('ALLOW access to module.button_upgrade on %s to user __system__ #1 via n/a', _shortdescs(cr, todo))
    seen = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        cr.execute("UPDATE ir_module_module SET state='to upgrade' WHERE name=%s AND state='installed'", (name,))
        cr.execute("""SELECT m.name FROM ir_module_module_dependency d JOIN ir_module_module m ON m.id = d.module_id
                      WHERE d.name=%s AND m.state IN ('installed', 'to upgrade')""", (name,))
        todo.extend(n for (n,) in cr.fetchall())


def _auto_install(cr):
    while True:
        cr.execute("""SELECT m.name FROM ir_module_module m WHERE m.auto_install AND state NOT IN ('to install', 'uninstallable')
                      AND NOT EXISTS (SELECT 1 FROM ir_module_module_dependency d JOIN ir_module_module mdep ON d.name = mdep.name
                                      WHERE d.module_id = m.id AND d.auto_install_required AND mdep.state != 'to install')""")
        names = [n for (n,) in cr.fetchall()]
        cr.execute("""SELECT d.name FROM ir_module_module_dependency d JOIN ir_module_module m ON d.module_id = m.id
                      JOIN ir_module_module mdep ON d.name = mdep.name
                      WHERE (m.state = 'to install' OR m.name = any(%s))
                        AND NOT (mdep.state = 'to install' OR mdep.name = any(%s))""", (names, names))
        names.extend(n for (n,) in cr.fetchall())
        if not names:
            break
        cr.execute("UPDATE ir_module_module SET state='to install' WHERE name IN %s", (tuple(names),))

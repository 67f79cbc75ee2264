"""HTTP layer: sessions, request object, controller routing and Odoo's built-in web routes."""
import base64
import hashlib
import hmac
import html
import json
import logging
import os
import re
import secrets
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie

from . import db, release
from .config import config
from .orm import Environment

_logger = logging.getLogger('odoo.http')
SESSION_LIFETIME = 60 * 60 * 24 * 7
_local = threading.local()
_ROUTES = []  # (controller class, method name, routing dict)


# -- controllers ---------------------------------------------------------------------------------
class Controller:
    pass


def route(route=None, **routing):
    def decorator(func):
        paths = route if isinstance(route, (list, tuple)) else [route]
        func.original_routing = dict(routing, routes=[p for p in paths if p])
        return func
    return decorator


def _controller_routes(installed):
    """(compiled path, routing, controller class, method name) for controllers of installed
    modules. The most derived installed controller class serves the route, and a method that
    overrides a routed method keeps the parent's routing unless it declares its own paths."""
    def addon_of(cls):
        parts = (cls.__module__ or '').split('.')
        return parts[2] if len(parts) > 2 and parts[:2] == ['odoo', 'addons'] else None

    classes = [c for c in _all_subclasses(Controller) if addon_of(c) in installed]
    leaves = [c for c in classes if not any(issubclass(o, c) and o is not c for o in classes)]
    found = []
    for leaf in leaves:
        names = {n for klass in leaf.__mro__ for n, v in vars(klass).items() if hasattr(v, 'original_routing')}
        for name in sorted(names):
            routing = {}
            for klass in reversed(leaf.__mro__):
                func = vars(klass).get(name)
                if func is None:
                    continue
                own = getattr(func, 'original_routing', None)
                if own:
                    merged = dict(routing)
                    merged.update({k: v for k, v in own.items() if k != 'routes'})
                    merged['routes'] = own.get('routes') or routing.get('routes', [])
                    routing = merged
            if not routing.get('routes'):
                continue
            for path in routing['routes']:
                found.append((_compile(path), routing, leaf, name))
    return found


def _all_subclasses(cls):
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_all_subclasses(sub))
    return out


def _compile(path):
    pattern = ''
    pos = 0
    for m in re.finditer(r'<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>', path):
        pattern += re.escape(path[pos:m.start()])
        conv, name = m.group(1) or 'string', m.group(2)
        pattern += '(?P<%s>%s)' % (name, {'int': r'-?\d+', 'path': r'.+'}.get(conv, r'[^/]+'))
        pos = m.end()
    pattern += re.escape(path[pos:])
    return re.compile('^%s$' % pattern), {m.group(2): m.group(1) or 'string' for m in re.finditer(r'<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>', path)}


# -- responses -----------------------------------------------------------------------------------
class Response:
    def __init__(self, response=None, status=200, headers=None, mimetype=None, content_type=None, **kwargs):
        if isinstance(response, (list, tuple)):
            response = b''.join(r if isinstance(r, bytes) else str(r).encode() for r in response)
        self.data = response.encode() if isinstance(response, str) else (response or b'')
        self.status_code = int(str(status).split()[0])
        self.headers = []
        for k, v in (headers.items() if isinstance(headers, dict) else (headers or [])):
            self.headers.append((k, v))
        if not any(k.lower() == 'content-type' for k, _ in self.headers):
            self.headers.append(('Content-Type', content_type or mimetype or 'text/html; charset=utf-8'))
        self.cookies = []

    @property
    def status(self):
        return str(self.status_code)

    def set_cookie(self, key, value='', max_age=None, expires=None, path='/', domain=None, secure=False,
                   httponly=False, samesite=None):
        c = '%s=%s' % (key, value)
        if max_age is not None:
            c += '; Expires=%s; Max-Age=%d' % (time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime(time.time() + max_age)), max_age)
        if domain:
            c += '; Domain=%s' % domain
        if secure:
            c += '; Secure'
        if httponly:
            c += '; HttpOnly'
        if samesite:
            c += '; SameSite=%s' % samesite
        c += '; Path=%s' % path
        self.cookies.append(c)

    def delete_cookie(self, key, path='/'):
        self.set_cookie(key, '', max_age=0, path=path)


class HTTPError(Exception):
    def __init__(self, code, text=''):
        super().__init__(text)
        self.code, self.text = code, text


class SessionExpiredException(Exception):
    pass


def redirect_response(location, code=303):
    r = Response('<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n'
                 '<p>You should be redirected automatically to the target URL: <a href="%s">%s</a>. If not, click the link.\n'
                 % (html.escape(location), html.escape(location)), status=code)
    r.headers.append(('Location', location))
    return r


# -- sessions (data_dir/sessions, like Odoo's FilesystemSessionStore) --------------------------------
class Session(dict):
    def __init__(self, sid, data=None, new=False):
        super().__init__(data or {})
        self.sid, self.is_new = sid, new
        self.should_rotate = False
        self.setdefault('db', None)
        self.setdefault('uid', None)
        self.setdefault('login', None)
        self.setdefault('context', {})

    def __getattr__(self, name):
        if name.startswith('_'):
            raise AttributeError(name)
        return self.get(name)

    def __setattr__(self, name, value):
        if name in ('sid', 'is_new', 'should_rotate'):
            object.__setattr__(self, name, value)
        else:
            self[name] = value

    def authenticate(self, dbname, login=None, password=None):
        """Odoo 16/17: authenticate(dbname, login, password); Odoo 18: authenticate(dbname, credential)."""
        if isinstance(login, dict):
            login, password = login.get('login'), login.get('password')
        remote = getattr(_local, 'remote_addr', 'n/a')
        with db.cursor(dbname) as cr:
            env = Environment(cr, None, {})
            uid = env['res.users'].authenticate_login(login, password, remote)
            if not uid:
                from odoo.exceptions import AccessDenied
                raise AccessDenied()
            self.pre_login, self.pre_uid = login, uid
            self.finalize(env)
        if release.series_number >= 18:
            return {'uid': uid}
        return uid

    def finalize(self, env):
        login = self.pop('pre_login', None)
        uid = self.pop('pre_uid', None)
        dbname = env.cr.dbname if env is not None else self.get('db')
        self.should_rotate = True
        with db.cursor(dbname) as cr:
            token = Environment(cr, uid, {})['res.users'].browse(uid)._compute_session_token(self.sid)
        self.update({'db': dbname, 'login': login, 'uid': uid, 'context': {'lang': 'en_US', 'uid': uid},
                     'session_token': token})

    def logout(self, keep_db=False):
        keep = self.get('db') if keep_db else None
        self.clear()
        self.update({'db': keep, 'uid': None, 'login': None, 'context': {}})
        self.should_rotate = not self.is_new


def _session_dir():
    return os.path.join(config['data_dir'], 'sessions')


def _session_path(sid):
    return os.path.join(_session_dir(), sid[:2], sid)


def load_session(sid):
    if sid and re.match(r'^[a-zA-Z0-9_-]{84}$', sid):
        try:
            with open(_session_path(sid)) as f:
                return Session(sid, json.load(f))
        except (OSError, ValueError):
            pass
    return Session(secrets.token_urlsafe(63), new=True)


def save_session(session):
    path = _session_path(session.sid)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(dict(session), f)


def delete_session(session):
    try:
        os.unlink(_session_path(session.sid))
    except OSError:
        pass


# -- request -------------------------------------------------------------------------------------
class HttpRequest:
    """The part of werkzeug's Request that controllers usually read."""

    def __init__(self, method, path, query, headers, body, remote_addr, scheme='http'):
        self.method, self.path, self.headers, self.remote_addr = method, path, headers, remote_addr
        self.query_string = query.encode()
        self.args = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        self.data = body
        ctype = headers.get('Content-Type', '')
        self.form = dict(urllib.parse.parse_qsl(body.decode('utf-8', 'replace'), keep_blank_values=True)) \
            if ctype.startswith('application/x-www-form-urlencoded') else {}
        self.cookies = {k: m.value for k, m in SimpleCookie(headers.get('Cookie', '')).items()}
        host = headers.get('Host', 'localhost')
        if config.get('proxy_mode') and headers.get('X-Forwarded-Host'):
            host = headers['X-Forwarded-Host']
        if config.get('proxy_mode') and headers.get('X-Forwarded-Proto'):
            scheme = headers['X-Forwarded-Proto']
        self.host = host
        self.host_url = '%s://%s/' % (scheme, host)
        self.url_root = self.host_url
        self.url = self.host_url.rstrip('/') + path + ('?' + query if query else '')
        self.full_path = path + '?' + query
        self.environ = {'REMOTE_ADDR': remote_addr, 'HTTP_HOST': host, 'REQUEST_METHOD': method, 'PATH_INFO': path}

    def get_data(self, as_text=False):
        return self.data.decode() if as_text else self.data

    def get_json(self):
        return json.loads(self.data or b'null')


class Request:
    def __init__(self, httprequest):
        self.httprequest = httprequest
        self.params = dict(httprequest.args)
        self.params.update(httprequest.form)
        self.session = load_session(httprequest.cookies.get('session_id'))
        self.db = None
        self.env = None
        self.registry = None
        self._cr = None

    @property
    def cr(self):
        return self.env.cr if self.env else None

    def redirect(self, location, code=303, local=True):
        if local:
            parts = urllib.parse.urlsplit(location)
            location = urllib.parse.urlunsplit(('', '', parts.path or '/', parts.query, parts.fragment))
        return redirect_response(location, code)

    def redirect_query(self, location, query=None, code=303, local=True):
        if query:
            location += '?' + urllib.parse.urlencode(query)
        return self.redirect(location, code=code, local=local)

    def make_response(self, data, headers=None, cookies=None, status=200):
        r = Response(data, status=status, headers=headers)
        for k, v in (cookies or {}).items():
            r.set_cookie(k, v)
        return r

    def make_json_response(self, data, headers=None, cookies=None, status=200):
        headers = list((headers.items() if isinstance(headers, dict) else headers) or []) + [('Content-Type', 'application/json; charset=utf-8')]
        return self.make_response(json.dumps(data, ensure_ascii=False, default=str), headers, cookies, status)

    def not_found(self, description=None):
        raise HTTPError(404, description or 'Not Found')

    def csrf_token(self, time_limit=None):
        max_ts = int(time.time() + (time_limit if time_limit else 48 * 3600))
        secret = self._db_secret()
        hm = hmac.new(secret.encode(), ('%s%s' % (self.session.sid, max_ts)).encode(), hashlib.sha1).hexdigest()
        return '%so%s' % (hm, max_ts)

    def validate_csrf(self, csrf):
        if not csrf or 'o' not in csrf:
            return False
        hm, _, max_ts = csrf.rpartition('o')
        secret = self._db_secret()
        expected = hmac.new(secret.encode(), ('%s%s' % (self.session.sid, max_ts)).encode(), hashlib.sha1).hexdigest()
        try:
            if max_ts and int(max_ts) < int(time.time()):
                return False
        except ValueError:
            return False
        return hmac.compare_digest(hm, expected)

    def _db_secret(self):
        if not self.db:
            return 'standin-nodb-secret'
        with db.cursor(self.db) as cr:
            return Environment(cr, 1, {})['ir.config_parameter'].get_param('database.secret') or ''


class _RequestProxy:
    def __getattr__(self, name):
        req = getattr(_local, 'request', None)
        if req is None:
            raise RuntimeError('object unbound')
        return getattr(req, name)

    def __setattr__(self, name, value):
        setattr(_local.request, name, value)

    def __bool__(self):
        return getattr(_local, 'request', None) is not None


request = _RequestProxy()


# -- database selection (odoo.http.db_filter / db_list) ---------------------------------------------
def db_filter(dbs, host=None):
    if config.get('dbfilter'):
        h = (host or '').partition(':')[0]
        if h.startswith('www.'):
            h = h[4:]
        d = h.partition('.')[0]
        pattern = config['dbfilter'].replace('%h', re.escape(h)).replace('%d', re.escape(d))
        return [x for x in dbs if re.match(pattern, x)]
    if config.get('db_name'):
        exposed = {x.strip() for x in config['db_name'].split(',')}
        return sorted(exposed.intersection(dbs))
    return list(dbs)


def db_list(host=None):
    try:
        dbs = db.list_dbs()
    except Exception:
        return []
    return db_filter(dbs, host)


def b64(data):
    return base64.b64encode(data).decode()

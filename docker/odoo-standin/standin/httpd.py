"""Threaded HTTP server: Odoo's built-in web routes, addon controllers, /websocket."""
import base64
import hashlib
import io
import html
import json
import logging
import socket
import struct
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import db, release, web
from .config import config
from .orm import Environment

_wlogger = logging.getLogger('werkzeug')
_logger = logging.getLogger('odoo.http')
WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC11B85'
BANNER = 'Database neutralized for testing: no emails sent, etc.'
stopping = threading.Event()


def backend_path():
    return '/odoo' if release.series_number >= 18 else '/web'


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'Werkzeug/2.2.2'
    sys_version = 'Python/3.11.2'

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self._handle()

    do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_GET

    # -- plumbing
    def _handle(self):
        t0 = time.time()
        q0 = db.sql_counter
        threading.current_thread().dbname = '?'
        parts = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        remote = self.client_address[0]
        if config.get('proxy_mode') and self.headers.get('X-Forwarded-For'):
            remote = self.headers['X-Forwarded-For'].split(',')[0].strip()
        hreq = web.HttpRequest(self.command, parts.path, parts.query, self.headers, body, remote)
        req = web.Request(hreq)
        web._local.request = req
        web._local.remote_addr = remote
        try:
            if parts.path == '/websocket' and self.headers.get('Upgrade', '').lower() == 'websocket':
                return self._websocket(req, t0, q0)
            try:
                resp = self._dispatch(req)
            except web.HTTPError as e:
                resp = web.Response('<!doctype html>\n<title>%d</title>\n<h1>%s</h1>\n' % (e.code, html.escape(e.text)), status=e.code)
            except Exception:
                _logger.error('Exception during request handling.\n%s', traceback.format_exc().rstrip())
                resp = web.Response('<h1>Internal Server Error</h1>', status=500)
            self._persist_session(req, resp)
            self._send(resp)
        finally:
            web._local.request = None
            qcount = db.sql_counter - q0
            elapsed = time.time() - t0
            _wlogger.info('%s - - [%s] "%s" %s -', remote, time.strftime('%d/%b/%Y %H:%M:%S'), self.requestline,
                          getattr(self, '_status', 500),
                          extra={'perf_info': '%d %.3f %.3f' % (qcount, min(elapsed, 0.001 * qcount), elapsed)})

    def _persist_session(self, req, resp):
        s = req.session
        if s.should_rotate:
            # a new identifier after login/logout (session fixation), its token follows it
            web.delete_session(s)
            s.sid = web.secrets.token_urlsafe(63)
            s.is_new = False
            if s.get('uid') and s.get('db'):
                with db.cursor(s['db']) as cr:
                    s['session_token'] = Environment(cr, s['uid'], {})['res.users'].browse(s['uid'])._compute_session_token(s.sid)
        if s.is_new and not s.get('db') and not s.get('uid'):
            return
        web.save_session(s)
        resp.set_cookie('session_id', s.sid, max_age=web.SESSION_LIFETIME, httponly=True)

    def _send(self, resp):
        self._status = resp.status_code
        self.send_response(resp.status_code)
        for k, v in resp.headers:
            self.send_header(k, v)
        for c in resp.cookies:
            self.send_header('Set-Cookie', c)
        self.send_header('Content-Length', str(len(resp.data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(resp.data)

    # -- routing
    def _pick_db(self, req):
        """Like odoo.http: the session's database if allowed, else the only database there is."""
        host = req.httprequest.host
        sdb = req.session.get('db')
        if sdb and web.db_filter([sdb], host):
            return sdb
        dbs = web.db_list(host)
        return dbs[0] if len(dbs) == 1 else None

    def _dispatch(self, req):
        path = req.httprequest.path
        if path == '/web/health':
            return req.make_json_response({'status': 'pass'})
        req.db = self._pick_db(req)
        if req.db:
            threading.current_thread().dbname = req.db
            resp = self._dispatch_addons(req, path)
        else:
            resp = self._dispatch_nodb(req, path)
        if resp is not None:
            return resp
        builtin = BUILTIN.get(path)
        if builtin:
            return builtin(self, req)
        raise web.HTTPError(404, 'Not Found')

    def _dispatch_addons(self, req, path):
        from .registry import Registry
        try:
            registry = Registry.get(req.db)
        except Exception:
            return None
        return self._dispatch_routes(req, path, set(registry._init_modules) | server_wide_modules(), nodb=False)

    def _dispatch_nodb(self, req, path):
        """No database for the request: like Odoo's nodb routing map, the auth='none' routes of the
        server-wide modules (e.g. base's /jsonrpc and /xmlrpc)."""
        return self._dispatch_routes(req, path, server_wide_modules(), nodb=True)

    def _dispatch_routes(self, req, path, installed, nodb):
        for (rx, convs), routing, cls, name in web._controller_routes(installed):
            if nodb and routing.get('auth', 'user') != 'none':
                continue
            m = rx.match(path)
            if not m:
                continue
            methods = routing.get('methods')
            if methods and req.httprequest.method not in methods:
                continue
            kwargs = dict(req.params)
            for key, value in m.groupdict().items():
                kwargs[key] = int(value) if convs.get(key) == 'int' else value
            return self._call(req, routing, cls, name, kwargs)
        return None

    def _call(self, req, routing, cls, name, kwargs):
        rtype = routing.get('type', 'http')
        auth = routing.get('auth', 'user')
        jsonrpc = rtype in ('json', 'jsonrpc')
        rpc_id = None
        if jsonrpc:
            try:
                payload = req.httprequest.get_json() or {}
            except ValueError:
                raise web.HTTPError(400, 'Bad Request')
            rpc_id = payload.get('id')
            kwargs = dict(payload.get('params') or {})
            req.params = dict(kwargs)
        cr = db.cursor(req.db) if req.db else None
        try:
            uid = req.session.get('uid') if cr and self._session_valid(req, cr) else None
            if auth == 'user' and not uid:
                if jsonrpc:
                    return self._json_error(req, rpc_id, 100, 'Odoo Session Expired', 'odoo.http.SessionExpiredException')
                return req.redirect_query('/web/login', {'redirect': req.httprequest.full_path})
            if auth == 'public' and not uid:
                uid = 3
            req.env = Environment(cr, uid if auth != 'none' else None, {'lang': 'en_US'}) if cr else None
            req.uid = uid
            if (not jsonrpc and routing.get('csrf', True) and req.httprequest.method not in ('GET', 'HEAD', 'OPTIONS', 'TRACE')
                    and not req.validate_csrf(req.params.pop('csrf_token', None))):
                _logger.warning('CSRF validation failed on path %r', req.httprequest.path)
                raise web.HTTPError(400, 'Session expired (invalid CSRF token)')
            kwargs.pop('csrf_token', None)
            result = getattr(cls(), name)(**kwargs)
            if cr:
                cr.commit()
        except web.HTTPError:
            if cr:
                cr.rollback()
            raise
        except Exception as e:
            if cr:
                cr.rollback()
            if jsonrpc:
                from odoo.exceptions import UserError
                if isinstance(e, UserError):  # Odoo logs user errors (AccessDenied…) as warnings
                    _logger.warning('%s', e)
                else:
                    _logger.exception('Exception during JSON request handling.')
                return self._json_error(req, rpc_id, 200, 'Odoo Server Error', '%s.%s' % (type(e).__module__, type(e).__name__), str(e))
            raise
        finally:
            if cr:
                cr.close()
        if jsonrpc:
            return req.make_json_response({'jsonrpc': '2.0', 'id': rpc_id, 'result': result})
        if isinstance(result, web.Response):
            return result
        if result is None:
            return web.Response(b'', status=204)
        return web.Response(result)

    def _json_error(self, req, rpc_id, code, message, name, text=''):
        return req.make_json_response({'jsonrpc': '2.0', 'id': rpc_id, 'error': {
            'code': code, 'message': message, 'data': {'name': name, 'debug': text, 'message': text, 'arguments': [text], 'context': {}}}})

    def _session_valid(self, req, cr):
        """Sessions die when the user's credentials (or the database secret) change, like Odoo."""
        s = req.session
        if not s.get('uid'):
            return False
        if s.get('db') != cr.dbname:
            return False
        token = Environment(cr, s['uid'], {})['res.users'].browse(s['uid'])._compute_session_token(s.sid)
        if not token or token != s.get('session_token'):
            s.logout(keep_db=True)
            return False
        return True

    def _ensure_db(self, req, redirect='/web/database/selector'):
        host = req.httprequest.host
        wanted = (req.params.get('db') or '').strip() or None
        if wanted and not web.db_filter([wanted], host):
            wanted = None
        if wanted and wanted != req.session.get('db'):
            req.session.logout()
            req.session.db = wanted
            query = [(k, v) for k, v in urllib.parse.parse_qsl(req.httprequest.query_string.decode()) if k != 'db']
            return None, req.redirect(req.httprequest.path + ('?' + urllib.parse.urlencode(query) if query else ''), 302)
        dbname = req.db
        if not dbname:
            return None, req.redirect(redirect, 303)
        if dbname != req.session.get('db'):
            req.session.logout()
            req.session.db = dbname
        return dbname, None

    # -- websocket (bus): accepts the upgrade, answers pings and closes politely
    def _websocket(self, req, t0, q0):
        key = self.headers.get('Sec-WebSocket-Key', '')
        if not key:
            resp = web.Response('Empty or invalid WebSocket key', status=400)
            self._send(resp)
            return
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        self._status = 101
        self.send_response(101)
        self.send_header('Upgrade', 'websocket')
        self.send_header('Connection', 'Upgrade')
        self.send_header('Sec-WebSocket-Accept', accept)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        sock = self.connection
        sock.settimeout(1.0)
        buf = b''
        while not stopping.is_set():
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            while True:
                frame = _parse_frame(buf)
                if frame is None:
                    break
                opcode, payload, used = frame
                buf = buf[used:]
                if opcode == 0x8:
                    _send_frame(sock, 0x8, payload[:2] or struct.pack('!H', 1000))
                    return
                if opcode == 0x9:
                    _send_frame(sock, 0xA, payload)
        try:
            _send_frame(sock, 0x8, struct.pack('!H', 1001))
        except OSError:
            pass


def _parse_frame(buf):
    if len(buf) < 2:
        return None
    b1, b2 = buf[0], buf[1]
    length, pos = b2 & 0x7F, 2
    if length == 126:
        if len(buf) < 4:
            return None
        length, pos = struct.unpack('!H', buf[2:4])[0], 4
    elif length == 127:
        if len(buf) < 10:
            return None
        length, pos = struct.unpack('!Q', buf[2:10])[0], 10
    mask = b''
    if b2 & 0x80:
        if len(buf) < pos + 4:
            return None
        mask, pos = buf[pos:pos + 4], pos + 4
    if len(buf) < pos + length:
        return None
    payload = buf[pos:pos + length]
    if mask:
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return b1 & 0x0F, payload, pos + length


def _send_frame(sock, opcode, payload):
    header = bytes([0x80 | opcode])
    n = len(payload)
    header += bytes([n]) if n < 126 else (bytes([126]) + struct.pack('!H', n))
    sock.sendall(header + payload)


# -- built-in routes (web module) -----------------------------------------------------------------
def _page(title, body, status=200):
    return web.Response('<!DOCTYPE html>\n<html lang="en-US">\n<head>\n<meta charset="utf-8"/>\n<title>%s</title>\n'
                        '</head>\n<body>\n%s\n</body>\n</html>\n' % (html.escape(title), body), status=status,
                        headers=[('Cache-Control', 'no-cache'), ('X-Frame-Options', 'SAMEORIGIN')])


def route_root(h, req):
    return req.redirect(backend_path())


def route_web(h, req):
    path = req.httprequest.path
    if release.series_number >= 18 and path == '/web':
        query = req.httprequest.query_string.decode()
        return req.redirect('/odoo' + ('?' + query if query else ''))
    dbname, resp = h._ensure_db(req)
    if resp:
        return resp
    with db.cursor(dbname) as cr:
        if not db.is_initialized(cr):
            raise web.HTTPError(404, 'Not Found')
        if not h._session_valid(req, cr):
            return req.redirect_query('/web/login', {'redirect': req.httprequest.full_path})
        env = Environment(cr, req.session['uid'], {})
        user = env['res.users'].browse(req.session['uid'])
        neutralized = _is_neutralized(env)
        banner = ('<div id="oe_neutralize_banner" style="background-color: red; color: white; padding: 5px;">'
                  '%s</div>\n' % BANNER) if neutralized else ''
        body = ('%s<div class="o_web_client">\n<header class="o_navbar"><span class="oe_topbar_name">%s</span>'
                '<span class="o_user_login" data-login="%s">%s</span></header>\n<main class="o_action_manager">'
                '<p>Odoo %s &mdash; database <b class="o_database_name">%s</b></p></main>\n</div>'
                % (banner, html.escape(str(user.partner_id and env['res.partner'].browse(user.partner_id).name or user.login)),
                   html.escape(user.login), html.escape(user.login), release.version, html.escape(dbname)))
        return _page('Odoo', body)


def _is_neutralized(env):
    flag = env['ir.config_parameter'].get_param('database.is_neutralized')
    if str(flag).lower() in ('true', '1'):
        return True
    env.cr.execute("SELECT active FROM ir_ui_view WHERE key='web.neutralize_banner'")
    row = env.cr.fetchone()
    return bool(row and row[0])


def _login_form(req, dbname, values):
    error = ('<p class="alert alert-danger" role="alert">%s</p>\n' % html.escape(values['error'])) if values.get('error') else ''
    return _page('Odoo', (
        '<div class="container py-5"><div class="card border-0 mx-auto o_database_list" style="max-width: 300px;">\n'
        '<form class="oe_login_form" role="form" action="/web/login" method="post" onsubmit="this.action = \'/web/login\' + location.hash">\n'
        '<input type="hidden" name="csrf_token" value="%s"/>\n'
        '<div class="mb-3 field-db"><label for="db" class="col-form-label">Database</label>'
        '<input type="text" name="db" value="%s" id="db" class="form-control" readonly="readonly"/></div>\n'
        '<div class="mb-3 field-login"><label for="login" class="form-label">Email</label>'
        '<input type="text" placeholder="Email" name="login" value="%s" id="login" required="required" autofocus="autofocus" autocapitalize="off" class="form-control"/></div>\n'
        '<div class="mb-3"><label for="password" class="form-label">Password</label>'
        '<input type="password" placeholder="Password" name="password" id="password" required="required" autocomplete="current-password" maxlength="4096" class="form-control"/></div>\n'
        '%s<input type="hidden" name="redirect" value="%s"/>\n'
        '<div class="clearfix oe_login_buttons text-center gap-1 d-grid mb-1 pt-3"><button type="submit" class="btn btn-primary">Log in</button></div>\n'
        '</form></div></div>') % (req.csrf_token(), html.escape(dbname), html.escape(values.get('login') or ''), error,
                                  html.escape(values.get('redirect') or '')))


def route_login(h, req):
    redirect = req.params.get('redirect')
    if req.httprequest.method == 'GET' and redirect and req.session.get('uid'):
        return req.redirect(redirect)
    dbname, resp = h._ensure_db(req)
    if resp:
        return resp
    values = {'login': req.params.get('login'), 'redirect': redirect}
    if req.httprequest.method == 'POST':
        if not req.validate_csrf(req.params.get('csrf_token')):
            _logger.warning('CSRF validation failed on path %r', req.httprequest.path)
            raise web.HTTPError(400, 'Session expired (invalid CSRF token)')
        from odoo.exceptions import AccessDenied
        try:
            req.session.authenticate(dbname, req.params.get('login'), req.params.get('password'))
            return req.redirect(redirect or backend_path())
        except AccessDenied:
            values['error'] = 'Wrong login/password'
    resp = _login_form(req, dbname, values)
    resp.headers.append(('Content-Security-Policy', "frame-ancestors 'self'"))
    return resp


def route_logout(h, req):
    req.session.logout(keep_db=True)
    return req.redirect(req.params.get('redirect') or '/web', 303)


def _jsonrpc(req):
    try:
        payload = req.httprequest.get_json() or {}
    except ValueError:
        payload = None
    if req.httprequest.method != 'POST' or payload is None or not req.httprequest.headers.get('Content-Type', '').startswith('application/json'):
        raise web.HTTPError(400, 'Bad Request')
    return payload.get('id'), payload.get('params') or {}


def route_version_info(h, req):
    rpc_id, _ = _jsonrpc(req)
    return req.make_json_response({'jsonrpc': '2.0', 'id': rpc_id, 'result': {
        'server_version': release.version, 'server_version_info': list(release.version_info),
        'server_serie': release.serie, 'protocol_version': 1}})


def route_db_list(h, req):
    rpc_id, _ = _jsonrpc(req)
    if not config.get('list_db', True):
        # Odoo: http.db_list() -> odoo.service.db.list_dbs() raises AccessDenied (JSON-RPC error, HTTP 200)
        _logger.warning('Access Denied')
        return h._json_error(req, rpc_id, 200, 'Odoo Server Error', 'odoo.exceptions.AccessDenied', 'Access Denied')
    return req.make_json_response({'jsonrpc': '2.0', 'id': rpc_id, 'result': web.db_list(req.httprequest.host)})


def route_authenticate(h, req):
    rpc_id, params = _jsonrpc(req)
    from odoo.exceptions import AccessDenied
    dbname = params.get('db')
    if not dbname or not web.db_filter([dbname], req.httprequest.host):
        return h._json_error(req, rpc_id, 200, 'Odoo Server Error', 'odoo.exceptions.AccessError', 'Database not found.')
    try:
        if release.series_number >= 18:
            req.session.authenticate(dbname, {'login': params.get('login'), 'password': params.get('password'), 'type': 'password'})
        else:
            req.session.authenticate(dbname, params.get('login'), params.get('password'))
    except AccessDenied:
        return h._json_error(req, rpc_id, 200, 'Odoo Server Error', 'odoo.exceptions.AccessDenied', 'Access Denied')
    return req.make_json_response({'jsonrpc': '2.0', 'id': rpc_id, 'result': _session_info(req)})


def _session_info(req):
    s = req.session
    return {'uid': s.get('uid'), 'is_system': s.get('uid') in (1, 2), 'is_admin': s.get('uid') in (1, 2),
            'db': s.get('db'), 'username': s.get('login'), 'server_version': release.version,
            'server_version_info': list(release.version_info), 'user_context': s.get('context') or {}}


def route_session_info(h, req):
    rpc_id, _ = _jsonrpc(req)
    if req.db:
        with db.cursor(req.db) as cr:
            if not h._session_valid(req, cr):
                return h._json_error(req, rpc_id, 100, 'Odoo Session Expired', 'odoo.http.SessionExpiredException')
    return req.make_json_response({'jsonrpc': '2.0', 'id': rpc_id, 'result': _session_info(req)})


DB_MANAGER_DISABLED = 'The database manager has been disabled by the administrator'


def _db_manager_page(req, manage, error=None):
    """Odoo's database manager template: with list_db False, a 200 page saying the manager is
    disabled, no database listed; `error` is the message of a refused form."""
    from . import rpc
    alerts = ''
    if not config.get('list_db', True):
        alerts += '<div class="alert alert-danger text-center">%s</div>\n' % DB_MANAGER_DISABLED
    if error:
        alerts += '<div class="alert alert-danger">%s</div>\n' % html.escape(error)
    if not config.get('list_db', True):
        return _page('Odoo', '<div class="o_database_list">\n%s</div>' % alerts)
    dbs = web.db_list(req.httprequest.host)
    if rpc.verify_admin_password('admin') and dbs:
        alerts += ('<div class="alert alert-warning">Warning, your Odoo database manager is not protected.<br/>'
                   'Please set a master password to secure it.</div>\n')
    if manage:
        rows = '\n'.join('<tr><td>%s</td></tr>' % html.escape(d) for d in dbs)
        return _page('Odoo', '%s<h1>Manage databases</h1>\n<table class="o_database_list">%s</table>' % (alerts, rows))
    links = '\n'.join('<a href="/%s?db=%s" class="list-group-item list-group-item-action">%s</a>'
                      % (backend_path().lstrip('/'), urllib.parse.quote(d), html.escape(d)) for d in dbs)
    return _page('Odoo', '%s<div class="list-group o_database_list">\n%s\n</div>' % (alerts, links))


def route_selector(h, req):
    if config.get('list_db', True) and not web.db_list(req.httprequest.host):
        return req.redirect('/web/database/manager')
    return _db_manager_page(req, manage=False)


def route_manager(h, req):
    return _db_manager_page(req, manage=True)


def _db_form(req, action):
    """POST /web/database/backup|drop: Odoo checks the master password (and list_db) through the db
    service and, refused, answers 200 with the manager page and the error."""
    from . import rpc
    if req.httprequest.method != 'POST':
        raise web.HTTPError(405, 'Method Not Allowed')
    params = req.params
    master_pwd = params.get('master_pwd')
    if master_pwd and rpc.verify_admin_password('admin'):
        # Odoo: an unprotected manager takes the first master password it is given
        rpc.dispatch_rpc('db', 'change_admin_password', ['admin', master_pwd])
    try:
        if action == 'backup':
            rpc.check_super(master_pwd)
            fmt = params.get('backup_format') or 'zip'
            buf = rpc.dump_db(params.get("name"), io.BytesIO(), fmt)
            return web.Response(buf.getvalue(), headers=[('Content-Type', 'application/octet-stream; charset=binary'),
                                                         ('Content-Disposition', 'attachment; filename="%s.%s"' % (params.get('name'), fmt))])
        rpc.dispatch_rpc('db', 'drop', [master_pwd, params.get('name')])
        return req.redirect('/web/database/manager')
    except Exception as e:
        label = {'backup': 'Database backup error', 'drop': 'Database deletion error'}[action]
        _logger.exception('Database.%s', action)
        return _db_manager_page(req, manage=True, error='%s: %s' % (label, str(e) or repr(e)))


def route_db_backup(h, req):
    return _db_form(req, 'backup')


def route_db_drop(h, req):
    return _db_form(req, 'drop')


def route_websocket_plain(h, req):
    raise web.HTTPError(400, 'Bad Request')


BUILTIN = {
    '/': route_root, '/web': route_web, '/odoo': route_web, '/web/login': route_login,
    '/web/session/logout': route_logout, '/web/session/authenticate': route_authenticate,
    '/web/session/get_session_info': route_session_info, '/web/webclient/version_info': route_version_info,
    '/web/database/list': route_db_list, '/web/database/selector': route_selector,
    '/web/database/manager': route_manager, '/web/database/backup': route_db_backup,
    '/web/database/drop': route_db_drop, '/websocket': route_websocket_plain,
}


def serve_forever_in_thread(port, interface=''):
    server = Server((interface or '0.0.0.0', port), Handler)
    thread = threading.Thread(target=server.serve_forever, name='odoo.service.httpd', kwargs={'poll_interval': 0.2}, daemon=True)
    thread.start()
    return server


def server_wide_modules():
    """Like Odoo's `--load`: server-wide modules serve their routes for every database, installed
    or not (ir.http routing map = installed modules + server-wide modules)."""
    from .registry import load_openerp_module
    names = {m.strip() for m in (config.get('server_wide_modules') or '').split(',') if m.strip()}
    loaded = set()
    for name in names:
        try:
            load_openerp_module(name)
            loaded.add(name)
        except Exception:  # Odoo logs and goes on when a server-wide module cannot be imported
            logging.getLogger('odoo.service.server').exception('Could not load server-wide module %s', name)
    return loaded

# Checks the platform's signed connect token and logs the user in without a password. The token
# format mirrors packages/domain/src/builds/connect-token.ts: base64url(JSON claims) "." base64url(
# HMAC-SHA256(secret, first part)); claims: db, login, exp (epoch seconds), nonce.
#
# The token arrives in the body of a POST (an auto-submitting form from the control panel), never
# in the query string: Odoo logs request lines with their query strings. Each token works once: its
# nonce is recorded in the build's data folder (the /var/lib/odoo volume, next to Odoo's own
# sessions) by an exclusive file creation, atomic across the server's worker processes, so a
# replayed token is refused even within its 60 seconds. Nothing is written to the database (copies
# and backups of a database carry nothing of Slipway) and nothing needs to reach the platform.
import base64
import hashlib
import hmac
import json
import logging
import os
import re
import time

from odoo import http
from odoo.http import request
from odoo.tools import config

_logger = logging.getLogger(__name__)

NONCE = re.compile(r'^[0-9a-f]{32}$')
# Records of nonces whose token expired this long ago are removed (a replay is refused as expired).
PRUNE_AFTER_S = 60


def _b64decode(text):
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


def _verify(token, secret, dbname):
    payload, _, signature = (token or '').partition('.')
    if not payload or not signature:
        return None, 'malformed token'
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    try:
        given = _b64decode(signature)
        claims = json.loads(_b64decode(payload))
    except (ValueError, TypeError):
        return None, 'malformed token'
    if not hmac.compare_digest(expected, given):
        return None, 'bad signature'
    if not isinstance(claims, dict) or claims.get('db') != dbname:
        return None, 'token for another database'
    if float(claims.get('exp', 0)) < time.time():
        return None, 'token expired'
    if not NONCE.match(str(claims.get('nonce', ''))):
        return None, 'malformed token'
    return claims, None


def _nonce_dir(dbname):
    # One folder per database name; the name is the build's own (checked against the token above).
    safe = re.sub(r'[^A-Za-z0-9_.-]', '_', dbname)
    return os.path.join(config['data_dir'], 'slipway-connect', safe)


def _spend_nonce(dbname, nonce, exp):
    """True the first time a nonce is presented, False ever after (until it is long expired)."""
    folder = _nonce_dir(dbname)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    now = time.time()
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        try:
            if os.stat(path).st_mtime < now - PRUNE_AFTER_S:
                os.unlink(path)
        except OSError:
            pass
    try:
        fd = os.open(os.path.join(folder, nonce), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    # The record's time is the token's expiry: pruning never forgets a token that still verifies.
    os.utime(os.path.join(folder, nonce), (float(exp), float(exp)))
    return True


def _refuse(reason, status=403):
    return request.make_response('This connect link is not valid (%s). Open the build again from Slipway.' % reason, status=status)


class SlipwayConnect(http.Controller):
    @http.route('/slipway/connect', type='http', auth='none', methods=['GET', 'POST'], csrf=False)
    def connect(self, **kw):
        secret = os.environ.get('SLIPWAY_CONNECT_SECRET')
        if not secret or not request.db:
            return request.make_response('Connect is not available on this server.', status=403)
        if request.httprequest.method != 'POST':
            # Tokens never travel in URLs (they would land in the request log).
            return _refuse('use the Connect button', status=405)
        claims, error = _verify(request.httprequest.form.get('token'), secret, request.db)
        if error:
            _logger.info('slipway connect refused: %s', error)
            return _refuse(error)
        if not _spend_nonce(request.db, claims['nonce'], claims['exp']):
            _logger.warning('slipway connect refused: token already used (replay)')
            return _refuse('already used')
        user = request.env['res.users'].sudo().search([('login', '=', claims['login'])], limit=1)
        if not user:
            return request.make_response('No user %s in this database.' % claims['login'], status=404)
        request.session.pre_login = user.login
        request.session.pre_uid = user.id
        request.session.finalize(request.env)
        _logger.info('slipway connect: %s logged in', user.login)
        return request.redirect('/web')

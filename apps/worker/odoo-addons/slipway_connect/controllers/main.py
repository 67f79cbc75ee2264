# Checks the platform's signed connect token and logs the user in without a password. The token
# format mirrors packages/domain/src/builds/connect-token.ts: base64url(JSON claims) "." base64url(
# HMAC-SHA256(secret, first part)); claims: db, login, exp (epoch seconds), nonce.
import base64
import hashlib
import hmac
import json
import logging
import os
import time

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)


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
    if claims.get('db') != dbname:
        return None, 'token for another database'
    if float(claims.get('exp', 0)) < time.time():
        return None, 'token expired'
    return claims, None


class SlipwayConnect(http.Controller):
    @http.route('/slipway/connect', type='http', auth='none', methods=['GET'], csrf=False)
    def connect(self, token=None, **kw):
        secret = os.environ.get('SLIPWAY_CONNECT_SECRET')
        if not secret or not request.db:
            return request.make_response('Connect is not available on this server.', status=403)
        claims, error = _verify(token, secret, request.db)
        if error:
            _logger.info('slipway connect refused: %s', error)
            return request.make_response('This connect link is not valid (%s). Open it again from Slipway.' % error, status=403)
        user = request.env['res.users'].sudo().search([('login', '=', claims['login'])], limit=1)
        if not user:
            return request.make_response('No user %s in this database.' % claims['login'], status=404)
        request.session.pre_login = user.login
        request.session.pre_uid = user.id
        request.session.finalize(request.env)
        _logger.info('slipway connect: %s logged in', user.login)
        return request.redirect('/web')

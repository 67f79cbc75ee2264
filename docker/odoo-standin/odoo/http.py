"""odoo.http subset served by the stand-in (see docker/odoo-standin/README.md for the contract).

Controllers subclass `http.Controller` and decorate methods with `@http.route(...)`; the
current request is `odoo.http.request` (params, httprequest, session, env, db, redirect,
make_response, make_json_response, not_found, csrf_token). `dispatch_rpc(service, method, args)`
calls an RPC service (`common`, `db`) like the base module's /jsonrpc and /xmlrpc routes."""
from standin.rpc import dispatch_rpc  # noqa: F401
from standin.web import (Controller, Response, SessionExpiredException, request, route)  # noqa: F401

__all__ = ['Controller', 'Response', 'request', 'route', 'SessionExpiredException', 'dispatch_rpc']

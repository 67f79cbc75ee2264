# Odoo's database manager is off on every Slipway build (issue 11, C5): the generated config sets
# list_db = False and a random master password, and the proxy answers 403 for /web/database/* and
# the XML-RPC `db` service. The JSON-RPC `db` service is named inside the request body, which the
# proxy cannot match, so this override of the base module's RPC controller refuses the whole `db`
# service (list, dump, drop, ... even server_version) in Odoo itself, on every database, since the
# addon is loaded server-wide (`--load`). The XML-RPC routes are refused here too, for requests that
# reach the container without the proxy.
import logging
import xmlrpc.client

from odoo import http
from odoo.exceptions import AccessDenied
from odoo.http import request

from odoo.addons.base.controllers.rpc import RPC

_logger = logging.getLogger(__name__)
REFUSED_SERVICE = 'db'


def _xml_fault(code):
    body = xmlrpc.client.dumps(xmlrpc.client.Fault(code, 'Access Denied'), methodresponse=True, allow_none=False)
    return request.make_response(body, headers=[('Content-Type', 'text/xml; charset=utf-8')])


def _refuse(transport):
    _logger.warning('slipway: the %s service is refused on %s', REFUSED_SERVICE, transport)


class SlipwayRPC(RPC):
    @http.route()
    def jsonrpc(self, service, method, args):
        if service == REFUSED_SERVICE:
            _refuse('/jsonrpc')
            raise AccessDenied()
        return super().jsonrpc(service, method, args)

    @http.route()
    def xmlrpc_1(self, service):
        if service == REFUSED_SERVICE:
            _refuse('/xmlrpc')
            return _xml_fault('AccessDenied')
        return super().xmlrpc_1(service)

    @http.route()
    def xmlrpc_2(self, service):
        if service == REFUSED_SERVICE:
            _refuse('/xmlrpc/2')
            return _xml_fault(3)
        return super().xmlrpc_2(service)

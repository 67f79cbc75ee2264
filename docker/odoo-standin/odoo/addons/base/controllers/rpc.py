"""The RPC endpoints of Odoo's base module (odoo/addons/base/controllers/rpc.py): XML-RPC on
/xmlrpc/<service> (string fault codes) and /xmlrpc/2/<service> (integer fault codes), JSON-RPC on
/jsonrpc. An addon may subclass `RPC` and override a method (with `@http.route()`), as on Odoo."""
import traceback
import xmlrpc.client

from odoo.exceptions import AccessDenied, AccessError, UserError
from odoo.http import Controller, Response, dispatch_rpc, request, route


def _fault(error, int_codes):
    if isinstance(error, AccessError):
        code, text = (4, str(error)) if int_codes else ('warning -- AccessError\n\n' + str(error), '')
    elif isinstance(error, AccessDenied):
        code, text = (3, str(error)) if int_codes else ('AccessDenied', str(error))
    elif isinstance(error, UserError):
        code, text = (2, str(error)) if int_codes else ('warning -- UserError\n\n' + str(error), '')
    else:
        code, text = (1, traceback.format_exc()) if int_codes else (str(error), traceback.format_exc())
    return xmlrpc.client.dumps(xmlrpc.client.Fault(code, text), methodresponse=True, allow_none=False)


class RPC(Controller):
    """Handle RPC connections."""

    def _xmlrpc(self, service):
        params, method = xmlrpc.client.loads(request.httprequest.get_data(), use_datetime=True)
        result = dispatch_rpc(service, method, params)
        return xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)

    def _xmlrpc_common(self, service, int_codes):
        try:
            body = self._xmlrpc(service)
        except Exception as error:
            body = _fault(error, int_codes)
        return Response(body, mimetype='text/xml')

    @route('/xmlrpc/<service>', auth='none', methods=['POST'], csrf=False, save_session=False)
    def xmlrpc_1(self, service):
        return self._xmlrpc_common(service, int_codes=False)

    @route('/xmlrpc/2/<service>', auth='none', methods=['POST'], csrf=False, save_session=False)
    def xmlrpc_2(self, service):
        return self._xmlrpc_common(service, int_codes=True)

    @route('/jsonrpc', type='json', auth='none', save_session=False)
    def jsonrpc(self, service, method, args):
        return dispatch_rpc(service, method, args)

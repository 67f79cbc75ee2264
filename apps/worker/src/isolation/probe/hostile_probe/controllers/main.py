# Proves the addon is installed and served by its own build: the suite's positive control for
# routing (uses only the odoo.http subset that behaves the same on the stand-in and a real Odoo).
from odoo import http
from odoo.http import request


class HostileProbe(http.Controller):
    @http.route('/hostile_probe/ping', type='http', auth='none')
    def ping(self, **kw):
        return 'hostile-probe %s' % request.db

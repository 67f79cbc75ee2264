"""Records the base module creates (users, company, crons, parameters), and filestore files."""
import hashlib
import json
import os
import uuid

from .config import config
from .orm_models import hash_password


def _xmlid(cr, module, name, model, res_id, noupdate=True):
    cr.execute("""INSERT INTO ir_model_data (module, name, model, res_id, noupdate) VALUES (%s, %s, %s, %s, %s)
                  ON CONFLICT (module, name) DO UPDATE SET res_id = EXCLUDED.res_id""", (module, name, model, res_id, noupdate))


def _insert(cr, table, values):
    cols = list(values)
    cr.execute('INSERT INTO %s (%s, create_date, write_date) VALUES (%s, now() at time zone \'UTC\', now() at time zone \'UTC\') RETURNING id'
               % (table, ', '.join(cols), ', '.join(['%s'] * len(cols))), [values[c] for c in cols])
    return cr.fetchone()[0]


def _partner_user(cr, xml_partner, xml_user, name, login, password, active=True, share=False):
    pid = _insert(cr, 'res_partner', {'name': name, 'company_id': 1, 'active': active,
                                      'email': ('%s@example.com' % login) if active else None})
    _xmlid(cr, 'base', xml_partner, 'res.partner', pid)
    uid = _insert(cr, 'res_users', {'login': login, 'password': hash_password(password) if password else None,
                                    'partner_id': pid, 'company_id': 1, 'active': active, 'share': share})
    _xmlid(cr, 'base', xml_user, 'res.users', uid)
    return uid


def _cron(cr, xmlid, name, model, code, interval_number, interval_type):
    aid = _insert(cr, 'ir_act_server', {'name': json.dumps({'en_US': name}), 'model_name': model, 'state': 'code',
                                        'code': code, 'usage': 'ir_cron'})
    cid = _insert(cr, 'ir_cron', {'ir_actions_server_id': aid, 'cron_name': name, 'user_id': 1, 'active': True,
                                  'interval_number': interval_number, 'interval_type': interval_type,
                                  'numbercall': -1, 'nextcall': '2000-01-01 00:00:00', 'priority': 5})
    _xmlid(cr, 'base', xmlid, 'ir.cron', cid)
    _xmlid(cr, 'base', xmlid + '_ir_actions_server', 'ir.actions.server', aid)


def create_base_records(env):
    cr = env.cr
    cid = _insert(cr, 'res_company', {'name': 'YourCompany', 'partner_id': 1, 'currency_id': 1, 'sequence': 0})
    _xmlid(cr, 'base', 'main_company', 'res.company', cid)
    pid = _insert(cr, 'res_partner', {'name': 'YourCompany', 'company_id': 1, 'is_company': True, 'email': 'info@yourcompany.com'})
    _xmlid(cr, 'base', 'main_partner', 'res.partner', pid)
    _partner_user(cr, 'partner_root', 'user_root', 'OdooBot', '__system__', None, active=False)
    _partner_user(cr, 'partner_admin', 'user_admin', 'Mitchell Admin', 'admin', 'admin')
    _partner_user(cr, 'public_partner', 'public_user', 'Public user', 'public', None, active=False, share=True)
    _partner_user(cr, 'template_portal_user_id_res_partner', 'template_portal_user_id', 'Portal User Template',
                  'portaltemplate', None, active=False, share=True)
    _cron(cr, 'autovacuum_job', 'Base: Auto-vacuum internal data', 'ir.autovacuum', 'model._run_vacuum_cleaner()', 1, 'days')
    _cron(cr, 'ir_cron_res_users_deletion', 'Base: Portal Users Deletion', 'res.users.deletion',
          'model._gc_portal_users()', 1, 'days')
    params = {
        'database.secret': str(uuid.uuid4()),
        'database.uuid': str(uuid.uuid1()),
        'database.create_date': None,
        'web.base.url': 'http://localhost:%s' % (config.get('http_port') or 8069),
        'base.login_cooldown_after': '10',
        'base.login_cooldown_duration': '60',
    }
    for key, value in params.items():
        if value is None:
            cr.execute("""INSERT INTO ir_config_parameter (key, value, create_date, write_date)
                          VALUES (%s, to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
                                  now() at time zone 'UTC', now() at time zone 'UTC')""", (key,))
        else:
            cr.execute("""INSERT INTO ir_config_parameter (key, value, create_date, write_date)
                          VALUES (%s, %s, now() at time zone 'UTC', now() at time zone 'UTC')""", (key, value))


def create_demo_records(env):
    cr = env.cr
    _partner_user(cr, 'partner_demo', 'user_demo', 'Marc Demo', 'demo', 'demo')
    _partner_user(cr, 'partner_demo_portal', 'demo_user0', 'Joel Willis', 'portal', 'portal', share=True)


def write_module_attachment(env, module, version):
    """Each installed module leaves a file in the filestore (like Odoo's asset and icon
    attachments) so that filestore copies and backups have something real to carry."""
    cr = env.cr
    content = ('%s %s %s\n' % (module, version, cr.dbname)).encode() + os.urandom(16).hex().encode()
    checksum = hashlib.sha1(content).hexdigest()
    fname = '%s/%s' % (checksum[:2], checksum)
    full = os.path.join(config.filestore(cr.dbname), fname)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, 'wb') as f:
        f.write(content)
    name = '/%s/static/description/standin.txt' % module
    cr.execute('SELECT id FROM ir_attachment WHERE name=%s AND res_model=%s', (name, 'ir.module.module'))
    row = cr.fetchone()
    cr.execute('SELECT id FROM ir_module_module WHERE name=%s', (module,))
    mid = cr.fetchone()[0]
    if row:
        cr.execute("""UPDATE ir_attachment SET store_fname=%s, checksum=%s, file_size=%s,
                      write_date=now() at time zone 'UTC' WHERE id=%s""", (fname, checksum, len(content), row[0]))
    else:
        _insert(cr, 'ir_attachment', {'name': name, 'res_model': 'ir.module.module', 'res_id': mid, 'type': 'binary',
                                      'store_fname': fname, 'checksum': checksum, 'file_size': len(content),
                                      'mimetype': 'text/plain', 'public': True})

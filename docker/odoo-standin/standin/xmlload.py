"""Data files of a module (`data`/`demo` in the manifest): XML records, access CSV, SQL.

XML is checked the way it matters for the platform: well-formed, records on known models,
references to existing XML ids, and view fields that exist on models the addons declare.
Failures raise the same exception types as Odoo (odoo.tools.convert.ParseError, ...)."""
import csv
import os
import xml.etree.ElementTree as ET
from xml.parsers import expat

from odoo.exceptions import ValidationError
from odoo.tools.convert import ParseError

# Models of Odoo's own modules that stand-in data files may target without declaring them.
CORE_PREFIXES = ('ir.', 'res.', 'base.', 'web.', 'mail.', 'report.', 'digest.', 'bus.', 'auth.', 'portal.',
                 'product.', 'uom.', 'account.', 'sale.', 'purchase.', 'stock.', 'hr.', 'crm.', 'project.',
                 'website.', 'calendar.', 'resource.', 'utm.', 'contacts.', 'payment.', 'mrp.', 'pos.')
MAGIC_FIELDS = {'id', 'display_name', 'create_uid', 'create_date', 'write_uid', 'write_date', '__last_update'}


class XMLSyntaxError(SyntaxError):
    pass


XMLSyntaxError.__module__ = 'lxml.etree'


class _Element(ET.Element):
    sourceline = None


def parse_xml(path):
    builder = ET.TreeBuilder(element_factory=_Element)
    parser = expat.ParserCreate()

    def start(tag, attrs):
        el = builder.start(tag, attrs)
        el.sourceline = parser.CurrentLineNumber
    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        with open(path, 'rb') as f:
            parser.ParseFile(f)
    except expat.ExpatError as e:
        raise XMLSyntaxError('%s, line %s, column %s' % (expat.ErrorString(e.code), e.lineno, e.offset + 1)) from None
    return builder.close()


def _snippet(el):
    return ET.tostring(el, encoding='unicode').rstrip()


class DataLoader:
    def __init__(self, env, module, kind, noupdate=False):
        self.env, self.module, self.kind = env, module, kind
        self.noupdate = noupdate

    # -- xml ids
    def _qualify(self, xmlid):
        return xmlid if '.' in xmlid else '%s.%s' % (self.module, xmlid)

    def _xmlid_exists(self, xmlid):
        from .modules import BUILTIN_ADDONS
        module, _, name = self._qualify(xmlid).partition('.')
        cr = self.env.cr
        cr.execute('SELECT 1 FROM ir_model_data WHERE module=%s AND name=%s', (module, name))
        if cr.fetchone():
            return True
        # Odoo's own modules (base, web, mail, ...) hold thousands of ids the stand-in doesn't model.
        return module != self.module and not _is_custom_module(module, BUILTIN_ADDONS)

    def _check_ref(self, xmlid):
        if xmlid and not self._xmlid_exists(xmlid):
            raise ValueError('External ID not found in the system: %s' % self._qualify(xmlid))

    def _record_xmlid(self, xmlid, model, res_id, noupdate):
        module, _, name = self._qualify(xmlid).partition('.')
        self.env.cr.execute("""INSERT INTO ir_model_data (module, name, model, res_id, noupdate)
                               VALUES (%s, %s, %s, %s, %s)
                               ON CONFLICT (module, name) DO UPDATE SET res_id=EXCLUDED.res_id,
                                 write_date=now() at time zone 'UTC'""", (module, name, model, res_id, noupdate))

    def _existing_res_id(self, xmlid):
        module, _, name = self._qualify(xmlid).partition('.')
        self.env.cr.execute('SELECT res_id FROM ir_model_data WHERE module=%s AND name=%s', (module, name))
        row = self.env.cr.fetchone()
        return row[0] if row else None

    # -- models
    def _check_model(self, model):
        from odoo.models import declared
        if model in declared or self.env.table_exists(model.replace('.', '_')):
            return
        if model.startswith(CORE_PREFIXES):
            return
        raise KeyError(model)

    def _store(self, model, xmlid, values, noupdate):
        from .orm import table_of
        res_id = self._existing_res_id(xmlid) if xmlid else None
        table = table_of(model)
        if self.env.table_exists(table):
            rs = self.env[model]
            if res_id and rs.browse(res_id).exists():
                if not noupdate:
                    rs.browse(res_id).write(values)
            else:
                res_id = rs.create(values).id
        if xmlid:
            self._record_xmlid(xmlid, model, res_id or 0, noupdate)

    # -- xml tags
    def load_xml(self, path):
        root = parse_xml(path)
        self._walk(root, path, noupdate=self.noupdate)

    def _walk(self, el, path, noupdate):
        for rec in el:
            if rec.tag in ('data', 'odoo', 'openerp'):
                nu = rec.get('noupdate')
                self._walk(rec, path, noupdate if nu is None else nu in ('1', 'True', 'true'))
                continue
            handler = getattr(self, '_tag_' + rec.tag, None)
            if handler is None:
                continue
            try:
                handler(rec, noupdate)
            except ParseError:
                raise
            except ValidationError as err:
                context = {'file': path, 'line': rec.sourceline, 'name': rec.get('id'), 'xmlid': rec.get('id')}
                raise ParseError('while parsing %s:%s\n%s\n\nView error context:\n%r\n'
                                 % (path, rec.sourceline, err, context)) from None
            except Exception as e:
                raise ParseError('while parsing %s:%s, somewhere inside\n%s' % (path, rec.sourceline, _snippet(rec))) from e

    def _tag_record(self, rec, noupdate):
        model = rec.get('model')
        self._check_model(model)
        values = {}
        arch = None
        for field in rec.findall('field'):
            name = field.get('name')
            if field.get('ref'):
                self._check_ref(field.get('ref'))
                continue
            if field.get('eval') is not None:
                ev = field.get('eval').strip()
                if ev in ('True', 'False', '1', '0') or ev.lstrip('-').isdigit():
                    values[name] = {'True': True, 'False': False}.get(ev, ev)
                continue
            if field.get('type') == 'xml' or name == 'arch':
                arch = ''.join(ET.tostring(c, encoding='unicode') for c in field)
                values[name] = arch
                continue
            values[name] = (field.text or '').strip()
        if model == 'ir.ui.view':
            self._check_view(rec, values, arch)
            values.setdefault('key', self._qualify(rec.get('id', '')))
            if 'arch' in values:
                values['arch_db'] = values.pop('arch')
            values.setdefault('name', rec.get('id'))
        self._store(model, rec.get('id'), values, noupdate or rec.get('forcecreate') == '0')

    def _check_view(self, rec, values, arch):
        from odoo.models import declared
        model = values.get('model')
        inherit = rec.find("field[@name='inherit_id']")
        if inherit is not None and inherit.get('ref'):
            self._check_ref(inherit.get('ref'))
        if model:
            self._check_model(model)
        entry = declared.get(model) if model else None
        if not entry or not arch or not entry.get('table'):
            return
        known = set(entry['fields']) | MAGIC_FIELDS
        view = ET.fromstring('<root>%s</root>' % arch)
        for node in view.iter('field'):
            fname = node.get('name')
            if fname and fname not in known:
                raise ValidationError('Error while validating view near:\n\n%s\n\nField "%s" does not exist in model "%s"'
                                      % (ET.tostring(node, encoding='unicode').strip(), fname, model))

    def _tag_template(self, rec, noupdate):
        if rec.get('inherit_id'):
            self._check_ref(rec.get('inherit_id'))
        xmlid = rec.get('id')
        values = {'name': rec.get('name') or xmlid, 'type': 'qweb', 'key': self._qualify(xmlid),
                  'arch_db': ''.join(ET.tostring(c, encoding='unicode') for c in rec),
                  'active': rec.get('active', 'True') not in ('False', '0')}
        self._store('ir.ui.view', xmlid, values, noupdate)

    def _tag_menuitem(self, rec, noupdate):
        for attr in ('parent', 'action'):
            if rec.get(attr):
                self._check_ref(rec.get(attr))
        self._store('ir.ui.menu', rec.get('id'), {'name': rec.get('name') or rec.get('id'),
                                                   'sequence': rec.get('sequence') or 10}, noupdate)
        for child in rec.findall('menuitem'):
            self._tag_menuitem(child, noupdate)

    def _tag_function(self, rec, noupdate):
        self._check_model(rec.get('model'))

    def _tag_delete(self, rec, noupdate):
        self._check_model(rec.get('model'))

    # -- csv / sql
    def load_csv(self, path):
        fname = os.path.basename(path)
        model = fname[:-4]
        self._check_model(model)
        with open(path, newline='', encoding='utf-8') as f:
            rows = list(csv.DictReader(f))
        for row in rows:
            values = {}
            for key, value in row.items():
                if key is None:
                    continue
                if key.endswith(':id') or key.endswith('/id'):
                    if value:
                        ref = value if '.' in value else '%s.%s' % (self.module, value)
                        if key.startswith('model_id') and not self._model_ref_exists(ref):
                            raise Exception('Module loading %s failed: file %s could not be processed:\n No matching '
                                            "record found for external id '%s' in field 'Model'"
                                            % (self.module, os.path.relpath(path, os.path.dirname(os.path.dirname(path))), ref))
                    continue
                if key != 'id':
                    values[key] = value in ('1', 'True', 'true') if key.startswith('perm_') else value
            self._store(model, row.get('id') or None, values, False) if row.get('id') else None
        return rows

    def _model_ref_exists(self, ref):
        from odoo.models import declared
        module, _, name = ref.partition('.')
        if not name.startswith('model_'):
            return True
        target = name[len('model_'):]
        if any(m.replace('.', '_') == target for m in declared):
            return True
        return module in ('base', 'web') or not _is_custom_module(module, None)

    def load_sql(self, path):
        with open(path, encoding='utf-8') as f:
            self.env.cr.execute(f.read())


def _is_custom_module(module, builtin):
    """A module the stand-in can see on its addons path (as opposed to one of Odoo's own)."""
    from .modules import get_module_path, BUILTIN_ADDONS
    path = get_module_path(module)
    return bool(path) and not path.startswith(BUILTIN_ADDONS)

"""Model declarations. The stand-in records which models (and stored fields) each addon declares,
creates their tables at install, and checks XML data against them; there is no ORM behaviour."""
import re

from . import fields as _fields

MAGIC_COLUMNS = ('id', 'create_uid', 'create_date', 'write_uid', 'write_date')
# model name -> {'module': addon that declared it, 'fields': {name: Field}, 'table': str, 'inherit_modules': set}
declared = {}
_ADDON_RE = re.compile(r'^odoo\.addons\.([^.]+)')


def _addon_of(cls):
    m = _ADDON_RE.match(cls.__module__ or '')
    return m.group(1) if m else None


class MetaModel(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        if attrs.get('_register', True) is False:
            return
        addon = _addon_of(cls)
        own = {k: v for k, v in attrs.items() if isinstance(v, _fields.Field)}
        inherit = attrs.get('_inherit') or []
        if isinstance(inherit, str):
            inherit = [inherit]
        name_ = attrs.get('_name') or (inherit[0] if len(inherit) == 1 else None)
        if not name_:
            return
        entry = declared.setdefault(name_, {'module': addon, 'fields': {}, 'inherit_modules': set(),
                                            'table': None, 'abstract': False, 'transient': False})
        if attrs.get('_name') and attrs.get('_name') not in inherit:
            entry['module'] = entry['module'] or addon
            entry['table'] = attrs.get('_table') or name_.replace('.', '_')
            entry['abstract'] = getattr(cls, '_abstract', False)
            entry['transient'] = getattr(cls, '_transient', False)
            for parent in inherit:
                entry['fields'].update(declared.get(parent, {}).get('fields', {}))
        else:
            entry['inherit_modules'].add(addon)
        entry['fields'].update(own)


class BaseModel(metaclass=MetaModel):
    _register = False
    _name = None
    _inherit = ()
    _description = None
    _order = 'id'
    _rec_name = None
    _abstract = True
    _transient = False
    _auto = True
    _table = None
    _sql_constraints = []


class AbstractModel(BaseModel):
    _register = False


class Model(AbstractModel):
    _register = False
    _abstract = False


class TransientModel(Model):
    _register = False
    _transient = True


NewId = object

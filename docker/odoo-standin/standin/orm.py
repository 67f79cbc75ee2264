"""A very small stand-in for Odoo's ORM: `env[model]` recordsets over the real tables.

Supports what the platform's shell scripts, controllers and addon tests need: search (simple
domains, active_test), browse, create, write, unlink, field reads, sudo/with_context, env.ref,
ir.config_parameter get_param/set_param, ir.mail_server build_email/send_email, res.users login."""
import json

TABLES = {
    'ir.actions.server': 'ir_act_server', 'ir.actions.act_window': 'ir_act_window',
    'ir.model.access': 'ir_model_access',
}
SQL_OPS = {'=': '=', '!=': '!=', '<>': '!=', '<': '<', '>': '>', '<=': '<=', '>=': '>=',
           'like': 'LIKE', 'ilike': 'ILIKE', 'not like': 'NOT LIKE', 'not ilike': 'NOT ILIKE',
           '=like': 'LIKE', '=ilike': 'ILIKE', 'in': 'IN', 'not in': 'NOT IN'}
_model_classes = {}


def table_of(model):
    from odoo.models import declared
    if model in TABLES:
        return TABLES[model]
    entry = declared.get(model)
    if entry and entry.get('table'):
        return entry['table']
    return model.replace('.', '_')


class Registry:
    def __init__(self, db_name):
        self.db_name = db_name

    def __getitem__(self, model):
        return model


class Environment:
    def __init__(self, cr, uid=1, context=None, su=False):
        self.cr = cr
        self.uid = uid
        self.context = dict(context or {})
        self.su = su
        self._columns = getattr(cr, '_standin_columns', None)
        if self._columns is None:
            self._columns = {}
            try:
                cr._standin_columns = self._columns
            except AttributeError:
                pass

    def __call__(self, cr=None, user=None, context=None, su=None):
        uid = self.uid if user is None else (user.id if isinstance(user, Recordset) else user)
        return Environment(cr or self.cr, uid, self.context if context is None else context, self.su if su is None else su)

    def __getitem__(self, model):
        cls = _model_classes.get(model, Recordset)
        return cls(self, model, ())

    def __contains__(self, model):
        return self.table_exists(table_of(model))

    @property
    def registry(self):
        return Registry(self.cr.dbname)

    @property
    def user(self):
        return self['res.users'].browse(self.uid or 1)

    @property
    def company(self):
        return self['res.company'].browse(1)

    @property
    def lang(self):
        return self.context.get('lang', 'en_US')

    def ref(self, xml_id, raise_if_not_found=True):
        module, _, name = xml_id.partition('.')
        self.cr.execute('SELECT model, res_id FROM ir_model_data WHERE module=%s AND name=%s', (module, name))
        row = self.cr.fetchone()
        if not row:
            if raise_if_not_found:
                raise ValueError('External ID not found in the system: %s' % xml_id)
            return None
        return self[row[0]].browse(row[1])

    def columns(self, table):
        if table not in self._columns:
            self.cr.execute("""SELECT column_name, data_type FROM information_schema.columns
                                WHERE table_name=%s AND table_schema='public'""", (table,))
            self._columns[table] = dict(self.cr.fetchall())
        return self._columns[table]

    def table_exists(self, table):
        return bool(self.columns(table))

    def invalidate(self):
        self._columns.clear()


class Recordset:
    def __init__(self, env, model, ids):
        self.env, self._name, self._ids = env, model, tuple(ids)

    # -- recordset protocol
    @property
    def ids(self):
        return list(self._ids)

    @property
    def id(self):
        return self._ids[0] if len(self._ids) == 1 else (False if not self._ids else self._ids[0])

    def __iter__(self):
        for i in self._ids:
            yield self.__class__(self.env, self._name, (i,))

    def __len__(self):
        return len(self._ids)

    def __bool__(self):
        return bool(self._ids)

    def __eq__(self, other):
        return isinstance(other, Recordset) and other._name == self._name and set(other._ids) == set(self._ids)

    def __hash__(self):
        return hash((self._name, self._ids))

    def __repr__(self):
        return '%s%r' % (self._name, self._ids)

    def __getitem__(self, key):
        if isinstance(key, str):
            return getattr(self, key)
        if isinstance(key, slice):
            return self.__class__(self.env, self._name, self._ids[key])
        return self.__class__(self.env, self._name, (self._ids[key],))

    def __or__(self, other):
        return self.__class__(self.env, self._name, self._ids + tuple(i for i in other._ids if i not in self._ids))

    def sudo(self, flag=True):
        return self

    def with_context(self, *args, **kwargs):
        return self

    def with_user(self, user):
        return self.__class__(self.env(user=user), self._name, self._ids)

    def with_env(self, env):
        return self.__class__(env, self._name, self._ids)

    def ensure_one(self):
        if len(self._ids) != 1:
            raise ValueError('Expected singleton: %r' % self)
        return self

    def exists(self):
        if not self._ids:
            return self
        self.env.cr.execute('SELECT id FROM "%s" WHERE id IN %%s' % self._table, (self._ids,))
        found = {r[0] for r in self.env.cr.fetchall()}
        return self.__class__(self.env, self._name, tuple(i for i in self._ids if i in found))

    def mapped(self, name):
        return [getattr(rec, name) for rec in self]

    def filtered(self, func):
        if isinstance(func, str):
            name = func
            func = lambda r: getattr(r, name)  # noqa: E731
        return self.__class__(self.env, self._name, tuple(r.id for r in self if func(r)))

    def browse(self, ids=()):
        if isinstance(ids, int):
            ids = (ids,)
        return self.__class__(self.env, self._name, tuple(ids or ()))

    # -- storage
    @property
    def _table(self):
        return table_of(self._name)

    def _cols(self):
        cols = self.env.columns(self._table)
        if not cols:
            raise KeyError(self._name)
        return cols

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        cols = self._cols()
        if name not in cols:
            raise AttributeError("'%s' object has no attribute '%s'" % (self._name, name))
        if not self._ids:
            return False
        rec = self.ensure_one()
        self.env.cr.execute('SELECT "%s" FROM "%s" WHERE id=%%s' % (name, self._table), (rec.id,))
        row = self.env.cr.fetchone()
        value = row[0] if row else None
        if cols[name] == 'jsonb' and isinstance(value, dict) and 'en_US' in value:
            value = value['en_US']
        return False if value is None and cols[name] != 'boolean' else (value if value is not None else False)

    def _where(self, domain):
        cols = self._cols()
        clauses, params = [], []
        stack = []
        items = list(domain or [])
        fields_used = {d[0] for d in items if isinstance(d, (list, tuple))}
        if 'active' in cols and 'active' not in fields_used and self.env.context.get('active_test', True):
            items = ['&', ('active', '=', True)] + items if items else [('active', '=', True)]
        for item in reversed(items):
            if item in ('&', '|'):
                a, b = stack.pop(), stack.pop()
                stack.append(('(%s %s %s)' % (a[0], 'AND' if item == '&' else 'OR', b[0]), a[1] + b[1]))
            elif item == '!':
                a = stack.pop()
                stack.append(('(NOT %s)' % a[0], a[1]))
            else:
                stack.append(self._leaf(item, cols))
        while len(stack) > 1:  # implicit AND
            a, b = stack.pop(), stack.pop()
            stack.append(('(%s AND %s)' % (a[0], b[0]), a[1] + b[1]))
        if stack:
            clauses.append(stack[0][0])
            params += stack[0][1]
        return (' WHERE ' + ' AND '.join(clauses)) if clauses else '', params

    def _leaf(self, leaf, cols):
        field, op, value = leaf
        if field in (1, 0):
            return ('TRUE' if field == value else 'FALSE', [])
        if field not in cols:
            raise ValueError('Invalid field %r on model %r' % (field, self._name))
        if isinstance(value, Recordset):
            value = value.ids if op in ('in', 'not in') else value.id
        sql_op = SQL_OPS[op]
        if value is False or value is None:
            if op == '=':
                return ('"%s" IS NULL' % field, []) if cols[field] != 'boolean' else ('("%s" IS NULL OR NOT "%s")' % (field, field), [])
            if op == '!=':
                return ('"%s" IS NOT NULL' % field, [])
        if op in ('in', 'not in'):
            value = tuple(value) or (None,)
            return ('"%s" %s %%s' % (field, sql_op), [value])
        if op in ('like', 'ilike', 'not like', 'not ilike'):
            value = '%%%s%%' % value
        if cols[field] == 'jsonb':
            return ("\"%s\"->>'en_US' %s %%s" % (field, sql_op), [value])
        return ('"%s" %s %%s' % (field, sql_op), [value])

    def search(self, domain=(), offset=0, limit=None, order=None, count=False):
        where, params = self._where(domain)
        order_sql = ' ORDER BY %s' % (order or ('sequence, id' if 'sequence' in self._cols() else 'id'))
        query = 'SELECT id FROM "%s"%s%s' % (self._table, where, order_sql)
        if limit:
            query += ' LIMIT %d' % int(limit)
        if offset:
            query += ' OFFSET %d' % int(offset)
        self.env.cr.execute(query, params)
        ids = tuple(r[0] for r in self.env.cr.fetchall())
        return len(ids) if count else self.browse(ids)

    def search_count(self, domain=(), limit=None):
        return len(self.search(domain, limit=limit))

    def _prepare(self, vals):
        cols = self._cols()
        out = {}
        for key, value in vals.items():
            if key not in cols or key == 'id':
                continue
            if isinstance(value, Recordset):
                value = value.id
            if cols[key] == 'jsonb' and not isinstance(value, dict):
                value = json.dumps({'en_US': value}) if value is not False else None
            elif cols[key] == 'jsonb':
                value = json.dumps(value)
            out[key] = None if value is False and cols[key] != 'boolean' else value
        for magic in ('create_date', 'write_date'):
            if magic in cols and magic not in out:
                out[magic] = _Now()
        return out

    def create(self, vals_list):
        single = isinstance(vals_list, dict)
        ids = []
        for vals in ([vals_list] if single else vals_list):
            vals = self._prepare(dict(vals))
            names = list(vals)
            self.env.cr.execute('INSERT INTO "%s" (%s) VALUES (%s) RETURNING id' % (
                self._table, ', '.join('"%s"' % n for n in names) or 'id',
                ', '.join("now() at time zone 'UTC'" if isinstance(vals[n], _Now) else '%s' for n in names) or 'DEFAULT'),
                [vals[n] for n in names if not isinstance(vals[n], _Now)])
            ids.append(self.env.cr.fetchone()[0])
        return self.browse(ids)

    def write(self, vals):
        if not self._ids:
            return True
        vals = self._prepare(dict(vals))
        vals.pop('create_date', None)
        names = list(vals)
        self.env.cr.execute('UPDATE "%s" SET %s WHERE id IN %%s' % (
            self._table, ', '.join('"%s"=%s' % (n, "now() at time zone 'UTC'" if isinstance(vals[n], _Now) else '%s') for n in names)),
            [vals[n] for n in names if not isinstance(vals[n], _Now)] + [self._ids])
        return True

    def unlink(self):
        if self._ids:
            self.env.cr.execute('DELETE FROM "%s" WHERE id IN %%s' % self._table, (self._ids,))
        return True

    def read(self, fields=None):
        cols = self._cols()
        names = [f for f in (fields or cols) if f in cols]
        result = []
        for rec in self:
            row = {'id': rec.id}
            for n in names:
                row[n] = getattr(rec, n)
            result.append(row)
        return result

    @property
    def display_name(self):
        cols = self._cols()
        for name in ('name', 'login', 'key'):
            if name in cols:
                return getattr(self, name)
        return '%s,%s' % (self._name, self.id)


class _Now:
    pass


def model(name):
    """Register a Recordset subclass for `name` (model-specific methods)."""
    def decorate(cls):
        _model_classes[name] = cls
        return cls
    return decorate


# model-specific methods live beside the features using them
from . import orm_models  # noqa: E402,F401

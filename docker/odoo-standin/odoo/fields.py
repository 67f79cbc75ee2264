"""Field declarations: enough to know a model's stored columns (stand-in)."""
import datetime as _dt


class Field:
    column_type = 'varchar'
    stored = True

    def __init__(self, string=None, **kwargs):
        self.string = string
        self.args = kwargs
        self.name = None

    def __set_name__(self, owner, name):
        self.name = name

    @property
    def store(self):
        if 'store' in self.args:
            return bool(self.args['store'])
        if self.args.get('compute') or self.args.get('related'):
            return False
        return self.stored


class Char(Field):
    pass


class Text(Field):
    column_type = 'text'


class Html(Text):
    pass


class Integer(Field):
    column_type = 'int4'


class Float(Field):
    column_type = 'numeric'


class Monetary(Float):
    pass


class Boolean(Field):
    column_type = 'bool'


class Date(Field):
    column_type = 'date'

    @staticmethod
    def today(*args):
        return _dt.date.today()

    @staticmethod
    def to_date(value):
        return value if isinstance(value, _dt.date) or not value else _dt.date.fromisoformat(str(value)[:10])

    @staticmethod
    def to_string(value):
        return value.isoformat() if value else False

    context_today = today


class Datetime(Field):
    column_type = 'timestamp'

    @staticmethod
    def now(*args):
        return _dt.datetime.utcnow().replace(microsecond=0)

    @staticmethod
    def to_datetime(value):
        return value if isinstance(value, _dt.datetime) or not value else _dt.datetime.fromisoformat(str(value))

    @staticmethod
    def to_string(value):
        return value.strftime('%Y-%m-%d %H:%M:%S') if value else False


class Selection(Field):
    def __init__(self, selection=None, string=None, **kwargs):
        super().__init__(string, **kwargs)
        self.selection = selection


class Many2one(Field):
    column_type = 'int4'

    def __init__(self, comodel_name=None, string=None, **kwargs):
        super().__init__(string, **kwargs)
        self.comodel_name = comodel_name


class Many2oneReference(Integer):
    pass


class Reference(Selection):
    pass


class One2many(Field):
    stored = False

    def __init__(self, comodel_name=None, inverse_name=None, string=None, **kwargs):
        super().__init__(string, **kwargs)


class Many2many(Field):
    stored = False

    def __init__(self, comodel_name=None, relation=None, column1=None, column2=None, string=None, **kwargs):
        super().__init__(string, **kwargs)


class Binary(Field):
    stored = False  # attachment=True by default: lives in ir_attachment


class Image(Binary):
    pass


class Json(Field):
    column_type = 'jsonb'


class Properties(Json):
    pass


class PropertiesDefinition(Json):
    pass


class Id(Field):
    column_type = 'int4'


def __getattr__(name):
    if name[:1].isupper():
        return type(name, (Field,), {})
    raise AttributeError(name)

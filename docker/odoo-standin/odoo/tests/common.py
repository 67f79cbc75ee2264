"""odoo.tests.common subset: TransactionCase, SingleTransactionCase, HttpCase, tagged.

Test classes get Odoo's default tags {'standard', 'at_install'}; `tagged` adds or removes tags
('-at_install', 'post_install', ...). `self.env` is the stand-in's small ORM environment on a
cursor that is rolled back after each test (TransactionCase) or after the class."""
import logging
import unittest
import urllib.request

from standin import orm
from standin.config import config

__all__ = ['BaseCase', 'TransactionCase', 'SingleTransactionCase', 'HttpCase', 'tagged', 'users',
           'get_db_name', 'HOST', 'new_test_user']
HOST = '127.0.0.1'
_logger = logging.getLogger('odoo.tests.common')


def get_db_name():
    db = config.get('db_name') or ''
    return db.split(',')[0] if db else None


class MetaCase(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls.test_tags = {'standard', 'at_install'}
        if cls.__module__.startswith('odoo.addons.'):
            cls.test_module = cls.__module__.split('.')[2]
            cls.test_class = cls.__name__
            cls.test_sequence = 0


def tagged(*tags):
    include = {t for t in tags if not t.startswith('-')}
    exclude = {t[1:] for t in tags if t.startswith('-')}

    def decorator(obj):
        obj.test_tags = (getattr(obj, 'test_tags', set()) | include) - exclude
        if not (('at_install' in obj.test_tags) ^ ('post_install' in obj.test_tags)):
            _logger.warning('A tests should be either at_install or post_install, which is not the case of %r', obj)
        return obj
    return decorator


def users(*logins):
    def decorator(func):
        return func
    return decorator


class BaseCase(unittest.TestCase, metaclass=MetaCase):
    longMessage = True
    test_tags = {'standard', 'at_install'}
    test_module = None
    test_class = None

    @classmethod
    def _standin_cursor(cls):
        from standin.db import cursor
        return cursor(get_db_name())

    def assertRecordValues(self, records, expected_values):
        self.assertEqual(len(records), len(expected_values), 'Wrong number of records to compare values.')
        for record, expected in zip(records, expected_values):
            for field, value in expected.items():
                self.assertEqual(getattr(record, field), value, 'field %s of %r' % (field, record))


class TransactionCase(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cr = cls._standin_cursor()
        cls.registry = orm.Registry(cls.cr.dbname)
        cls.env = orm.Environment(cls.cr, 1, {})
        cls.uid = 1
        cls.addClassCleanup(cls.cr.close)

    def setUp(self):
        super().setUp()
        self.cr.execute('SAVEPOINT test_case')
        self.addCleanup(self.cr.execute, 'ROLLBACK TO SAVEPOINT test_case')


class SingleTransactionCase(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cr = cls._standin_cursor()
        cls.registry = orm.Registry(cls.cr.dbname)
        cls.env = orm.Environment(cls.cr, 1, {})
        cls.uid = 1
        cls.addClassCleanup(cls.cr.close)


class HttpCase(TransactionCase):
    """Talks to the server started for --test-enable (http://127.0.0.1:<http_port>)."""

    @classmethod
    def base_url(cls):
        return 'http://%s:%s' % (HOST, config.get('http_port') or 8069)

    def url_open(self, url, data=None, timeout=12, headers=None, method=None, allow_redirects=True):
        if url.startswith('/'):
            url = self.base_url() + url
        req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            return urllib.request.urlopen(req, timeout=timeout)
        except urllib.error.HTTPError as e:
            return e


def new_test_user(env, login='', groups='base.group_user', **kwargs):
    partner = env['res.partner'].create({'name': kwargs.get('name', login)})
    return env['res.users'].create({'login': login, 'partner_id': partner.id, 'password': kwargs.get('password', login)})

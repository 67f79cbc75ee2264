"""Test discovery and execution with Odoo 17's log lines (odoo/tests/loader.py, result.py)."""
import importlib
import inspect
import logging
import re
import time
import unittest

from .config import config

_logger = logging.getLogger('odoo.tests')
_result_logger = logging.getLogger('odoo.tests.result')
_stats_logger = logging.getLogger('odoo.tests.stats')
_SPEC_RE = re.compile(r'^([+-]?)(\*|\w*)(?:/([\w/]*(?:\.py)?))?(?::(\w*))?(?:\.(\w*))?(?:\[(.*)\])?$')


class TagsSelector:
    def __init__(self, spec):
        self.include, self.exclude = set(), set()
        for sub in (spec or '').split(','):
            sub = sub.strip()
            if not sub:
                continue
            m = _SPEC_RE.match(sub)
            if not m:
                _logger.error('Invalid tag %s', sub)
                continue
            sign, tag, module, klass, method, _params = m.groups()
            include = sign != '-'
            if not tag and include:
                tag = 'standard'  # as Odoo 17: `/module` selects the module's standard tests
            elif not tag or tag == '*':
                tag = None
            module_path = None
            if module and module.endswith('.py'):
                module_path, module = module[:-3].replace('/', '.'), None
            (self.include if include else self.exclude).add((tag, module, klass, method, module_path))
        if self.exclude and not self.include:
            self.include.add(('standard', None, None, None, None))

    def check(self, test):
        tags = set(getattr(test, 'test_tags', set())) | {getattr(test, 'test_module', None)}
        method = getattr(test, '_testMethodName', None)

        def matching(f):
            tag, module, klass, meth, module_path = f
            if tag and tag != '*' and tag not in tags:
                return False
            if module_path and not type(test).__module__.endswith(module_path):
                return False
            if not module_path and module and module != getattr(test, 'test_module', None):
                return False
            if klass and klass != getattr(test, 'test_class', None):
                return False
            if meth and method and meth != method:
                return False
            return True
        if any(matching(f) for f in self.exclude):
            return False
        return any(matching(f) for f in self.include)


def get_test_modules(module):
    """Like Odoo: the `test_*` submodules imported by <module>/tests/__init__.py."""
    try:
        mod = importlib.import_module('odoo.addons.%s.tests' % module)
    except ModuleNotFoundError as e:
        if e.name in ('odoo.addons.%s.tests' % module,):
            return []
        _logger.exception("Can not `import %s`.", module)
        return []
    except Exception:
        _logger.exception("Can not `import %s`.", module)
        return []
    return [m for name, m in inspect.getmembers(mod, inspect.ismodule) if name.startswith('test_')]


def _iter_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _iter_tests(t)
        else:
            yield t


def make_suite(module_names, position='at_install'):
    config_tags = TagsSelector(config.get('test_tags') or '+standard')
    position_tag = TagsSelector(position)
    loader = unittest.TestLoader()
    tests = []
    for module in module_names:
        for m in get_test_modules(module):
            for t in _iter_tests(loader.loadTestsFromModule(m)):
                if position_tag.check(t) and config_tags.check(t):
                    tests.append(t)
    return unittest.TestSuite(sorted(tests, key=lambda t: getattr(t, 'test_sequence', 0)))


class OdooTestResult(unittest.result.TestResult):
    def __init__(self):
        super().__init__()
        self.time_start = None
        self.queries_start = None

    def __str__(self):
        return '%s failed, %s error(s) of %s tests' % (len(self.failures), len(self.errors), self.testsRun)

    def update(self, other):
        self.failures.extend(other.failures)
        self.errors.extend(other.errors)
        self.testsRun += other.testsRun
        self.skipped.extend(other.skipped)
        self.expectedFailures.extend(other.expectedFailures)
        self.unexpectedSuccesses.extend(other.unexpectedSuccesses)

    def _logger_for(self, test):
        return logging.getLogger(type(test).__module__ if not isinstance(test, unittest.case._SubTest)
                                 else type(test.test_case).__module__)

    def getDescription(self, test):
        if isinstance(test, unittest.case._SubTest):
            return '%s (%s)' % (self.getDescription(test.test_case), test._subDescription())
        if isinstance(test, unittest.TestCase) and not isinstance(test, unittest.case._SubTest) and hasattr(test, '_testMethodName'):
            return '%s.%s' % (test.__class__.__qualname__, test._testMethodName)
        return str(test)

    def startTest(self, test):
        super().startTest(test)
        self._logger_for(test).info('Starting %s ...', self.getDescription(test))

    def logError(self, flavour, test, err):
        text = self._exc_info_to_string(err, test)
        lg = self._logger_for(test) if isinstance(test, unittest.TestCase) else logging.getLogger('odoo.tests')
        lg.info('=' * 70)
        lg.error('%s: %s\n%s', flavour, self.getDescription(test), text)

    def addError(self, test, err):
        super().addError(test, err)
        self.logError('ERROR', test, err)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.logError('FAIL', test, err)

    def addSubTest(self, test, subtest, err):
        if err is not None:
            if issubclass(err[0], test.failureException):
                self.addFailure(subtest, err)
            else:
                self.addError(subtest, err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._logger_for(test).info('skipped %s : %s', self.getDescription(test), reason)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.logError('UNEXPECTED SUCCESS', test, (None, None, None))


def run_suite(suite):
    result = OdooTestResult()
    t0 = time.time()
    suite(result)
    result.time = time.time() - t0
    return result


def log_result_line(report, dbname):
    log = _result_logger.error if not report.wasSuccessful() else (
        _result_logger.warning if not report.testsRun else _result_logger.info)
    log('%s when loading database %r', report, dbname)

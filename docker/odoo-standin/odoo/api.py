"""Decorators of odoo.api, as no-ops; Environment is the stand-in's small ORM environment."""
from standin.orm import Environment  # noqa: F401


def _bare(method):
    return method


model = model_create_multi = autovacuum = readonly = _bare


def _factory(*args, **kwargs):
    def decorate(method):
        return method
    return decorate


depends = depends_context = onchange = constrains = returns = ondelete = _factory

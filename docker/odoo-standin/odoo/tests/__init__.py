from .common import *  # noqa: F401,F403
from .common import tagged, TransactionCase, SingleTransactionCase, HttpCase, BaseCase, users  # noqa: F401

from . import main
from . import rpc_guard

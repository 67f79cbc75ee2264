"""Odoo's log format: `%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s %(perf_info)s`.

Lines go to stderr (logging.StreamHandler's default, like odoo/netsvc.py); the level name is
coloured only when that stream is a TTY."""
import logging
import os
import sys
import threading

FORMAT = '%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s %(perf_info)s'
BLACK, RED, GREEN, YELLOW, BLUE, MAGENTA, CYAN, WHITE, _NOTHING, DEFAULT = range(10)
COLOR_PATTERN = '\033[1;%dm\033[1;%dm%s\033[0m'
LEVEL_COLORS = {
    logging.DEBUG: (BLUE, DEFAULT), logging.INFO: (GREEN, DEFAULT), 25: (GREEN, DEFAULT),
    logging.WARNING: (YELLOW, DEFAULT), logging.ERROR: (RED, DEFAULT), logging.CRITICAL: (WHITE, RED),
}
RUNBOT = 25
_initialized = False


class DBFormatter(logging.Formatter):
    def format(self, record):
        record.pid = os.getpid()
        record.dbname = getattr(threading.current_thread(), 'dbname', '?')
        if not hasattr(record, 'perf_info'):
            record.perf_info = ''
        return logging.Formatter.format(self, record)


class ColoredFormatter(DBFormatter):
    def format(self, record):
        fg, bg = LEVEL_COLORS.get(record.levelno, (GREEN, DEFAULT))
        record.levelname = COLOR_PATTERN % (30 + fg, 40 + bg, record.levelname)
        return DBFormatter.format(self, record)


LEVELS = {
    'debug_rpc_answer': logging.DEBUG, 'debug_rpc': logging.DEBUG, 'debug': logging.DEBUG,
    'debug_sql': logging.DEBUG, 'info': logging.INFO, 'runbot': RUNBOT, 'warn': logging.WARNING,
    'error': logging.ERROR, 'critical': logging.CRITICAL, 'test': logging.INFO, 'notset': logging.NOTSET,
}


def init_logger(cfg):
    global _initialized
    if _initialized:
        return
    _initialized = True
    logging.addLevelName(RUNBOT, 'INFO')
    logging.captureWarnings(True)
    if cfg.get('logfile'):
        dirname = os.path.dirname(cfg['logfile'])
        if dirname and not os.path.isdir(dirname):
            os.makedirs(dirname, exist_ok=True)
        handler = logging.FileHandler(cfg['logfile'])
    else:
        handler = logging.StreamHandler()
    stream = getattr(handler, 'stream', None)
    is_tty = stream is not None and hasattr(stream, 'fileno') and _isatty(stream)
    handler.setFormatter((ColoredFormatter if is_tty else DBFormatter)(FORMAT))
    if is_tty:
        # a TTY (docker run -t) ends lines with \r\n, like the real server seen through a pty
        handler.terminator = '\n'
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    level = LEVELS.get(cfg.get('log_level') or 'info', logging.INFO)
    for spec in cfg.get('log_handler') or []:
        name, _, lvl = spec.partition(':')
        lvl_no = getattr(logging, lvl, None) if lvl else None
        if isinstance(lvl_no, int):
            logging.getLogger(name or None).setLevel(lvl_no)
    logging.getLogger().setLevel(level)
    if level <= logging.INFO:
        logging.getLogger('werkzeug').setLevel(logging.INFO)


def _isatty(stream):
    try:
        return os.isatty(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return False


def set_db(dbname):
    threading.current_thread().dbname = dbname or '?'


def stderr_line(text):
    sys.stderr.write(text + '\n')
    sys.stderr.flush()

"""Model-specific methods of the stand-in ORM (same names and signatures as Odoo's)."""
import base64
import hashlib
import hmac
import logging
import os
import smtplib
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .config import config
from .orm import Recordset, model

_logger = logging.getLogger('odoo.addons.base.models.ir_mail_server')
_test_logger = logging.getLogger('odoo.tests')
_users_logger = logging.getLogger('odoo.addons.base.models.res_users')


@model('ir.config_parameter')
class IrConfigParameter(Recordset):
    def get_param(self, key, default=False):
        self.env.cr.execute('SELECT value FROM ir_config_parameter WHERE key=%s', (key,))
        row = self.env.cr.fetchone()
        return row[0] if row else default

    def set_param(self, key, value):
        old = self.get_param(key)
        if value is False or value is None:
            self.env.cr.execute('DELETE FROM ir_config_parameter WHERE key=%s', (key,))
        else:
            self.env.cr.execute("""INSERT INTO ir_config_parameter (key, value, create_date, write_date)
                                   VALUES (%s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
                                   ON CONFLICT (key) DO UPDATE SET value=EXCLUDED.value, write_date=EXCLUDED.write_date""",
                                (key, str(value)))
        return old


# -- passwords: passlib's pbkdf2_sha512 format ($pbkdf2-sha512$rounds$salt$hash), plaintext accepted
#    and rehashed on login, like Odoo's CryptContext(['pbkdf2_sha512', 'plaintext'], deprecated=['plaintext'])
def _ab64(raw):
    return base64.b64encode(raw).decode().rstrip('=').replace('+', '.')


def _ab64_decode(text):
    text = text.replace('.', '+')
    return base64.b64decode(text + '=' * (-len(text) % 4))


def hash_password(password, rounds=25000):
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac('sha512', password.encode(), salt, rounds)
    return '$pbkdf2-sha512$%d$%s$%s' % (rounds, _ab64(salt), _ab64(digest))


def verify_password(password, stored):
    if not stored:
        return False
    if stored.startswith('$pbkdf2-sha512$'):
        try:
            _, _, rounds, salt, digest = stored.split('$')
            calc = hashlib.pbkdf2_hmac('sha512', password.encode(), _ab64_decode(salt), int(rounds))
        except (ValueError, TypeError):
            return False
        return hmac.compare_digest(calc, _ab64_decode(digest))
    if stored.startswith('$'):
        return False
    return hmac.compare_digest(stored.encode(), password.encode())


@model('res.users')
class ResUsers(Recordset):
    def _check_password(self, password):
        self.env.cr.execute('SELECT password FROM res_users WHERE id=%s', (self.id,))
        row = self.env.cr.fetchone()
        stored = row[0] if row else None
        if not verify_password(password, stored):
            return False
        if not stored.startswith('$'):
            self.env.cr.execute('UPDATE res_users SET password=%s WHERE id=%s', (hash_password(password), self.id))
        return True

    def authenticate_login(self, login, password, remote_addr='n/a'):
        """Return the uid for login/password or None; logs like res.users._login."""
        user = self.search([('login', '=', login)], limit=1)
        if user and user._check_password(password):
            _users_logger.info('Login successful for db:%s login:%s from %s', self.env.cr.dbname, login, remote_addr)
            return user.id
        _users_logger.info('Login failed for db:%s login:%s from %s', self.env.cr.dbname, login, remote_addr)
        return None

    def _compute_session_token(self, sid):
        """Session token bound to the user's credentials and the database secret (like Odoo)."""
        self.env.cr.execute('SELECT id, login, password, active FROM res_users WHERE id=%s', (self.id,))
        row = self.env.cr.fetchone()
        secret = self.env['ir.config_parameter'].get_param('database.secret') or ''
        if not row:
            return None
        return hmac.new(secret.encode(), ('%s%s' % (sid, row)).encode(), hashlib.sha256).hexdigest()

    def context_get(self):
        return {'lang': 'en_US', 'tz': False, 'uid': self.env.uid}


class MailDeliveryException(Exception):
    pass


MailDeliveryException.__module__ = 'odoo.addons.base.models.ir_mail_server'


@model('ir.mail_server')
class IrMailServer(Recordset):
    def _get_default_from_address(self):
        icp = self.env['ir.config_parameter']
        domain = icp.get_param('mail.catchall.domain')
        default_from = icp.get_param('mail.default.from')
        if default_from and domain:
            return '%s@%s' % (default_from, domain) if '@' not in default_from else default_from
        return config.get('email_from') or False

    def build_email(self, email_from, email_to, subject, body, email_cc=None, email_bcc=None, reply_to=False,
                    attachments=None, message_id=None, references=None, object_id=False, subtype='plain',
                    headers=None, body_alternative=None, subtype_alternative='plain'):
        email_from = email_from or self._get_default_from_address()
        assert email_from, ('You must either provide a sender address explicitly or configure using the combination of '
                            '`mail.catchall.domain` and `mail.default.from` ICPs, in the server configuration file or '
                            'with the --email-from startup parameter.')
        msg = EmailMessage()
        msg['Message-Id'] = message_id or make_msgid()
        if references:
            msg['references'] = references
        msg['Subject'] = subject
        msg['From'] = email_from
        if reply_to:
            msg['Reply-To'] = reply_to
        msg['To'] = ', '.join(email_to if isinstance(email_to, (list, tuple)) else [email_to])
        if email_cc:
            msg['Cc'] = ', '.join(email_cc)
        if email_bcc:
            msg['Bcc'] = ', '.join(email_bcc)
        msg['Date'] = formatdate()
        for key, value in (headers or {}).items():
            msg[key] = value
        msg.set_content(body or '', subtype=subtype)
        # As Odoo 17: (name, content, mimetype) triples; a 2-tuple fails to unpack there too.
        for (fname, content, mime) in attachments or []:
            maintype, subtype_ = (mime or 'application/octet-stream').split('/', 1)
            msg.add_attachment(content if isinstance(content, bytes) else content.encode(),
                               maintype=maintype, subtype=subtype_, filename=fname)
        return msg

    def _find_mail_server(self, email_from):
        servers = self.search([], order='sequence, id')
        return servers[:1] if servers else self.browse()

    def connect(self, host=None, port=None, user=None, password=None, encryption=None, smtp_from=None,
                ssl_certificate=None, ssl_private_key=None, smtp_debug=False, mail_server_id=None,
                allow_archived=False):
        mail_server = self.browse()
        if mail_server_id:
            mail_server = self.browse(mail_server_id)
        elif not host:
            mail_server = self._find_mail_server(smtp_from)
        if mail_server:
            smtp_server, smtp_port = mail_server.smtp_host, mail_server.smtp_port
            smtp_user, smtp_password = mail_server.smtp_user or None, mail_server.smtp_pass or None
            smtp_encryption = mail_server.smtp_encryption
        else:
            smtp_server = host or config.get('smtp_server')
            smtp_port = config.get('smtp_port', 25) if port is None else port
            smtp_user = user or config.get('smtp_user') or None
            smtp_password = password or config.get('smtp_password') or None
            smtp_encryption = encryption or ('starttls' if config.get('smtp_ssl') else 'none')
        if not smtp_server:
            raise MailDeliveryException('Missing SMTP Server\nPlease define at least one SMTP server, or provide the '
                                        'SMTP parameters explicitly.')
        if smtp_encryption == 'ssl':
            conn = smtplib.SMTP_SSL(smtp_server, int(smtp_port), timeout=60)
        else:
            conn = smtplib.SMTP(smtp_server, int(smtp_port), timeout=60)
            if smtp_encryption == 'starttls':
                conn.starttls()
        if smtp_user:
            conn.login(smtp_user, smtp_password or '')
        conn.ehlo_or_helo_if_needed()
        return conn

    def send_email(self, message, mail_server_id=None, smtp_server=None, smtp_port=None, smtp_user=None,
                   smtp_password=None, smtp_encryption=None, smtp_ssl_certificate=None,
                   smtp_ssl_private_key=None, smtp_debug=False, smtp_session=None):
        message_id = message['Message-Id']
        if config.get('test_enable'):
            _test_logger.info('skip sending email in test mode')
            return message_id
        try:
            smtp = smtp_session or self.connect(smtp_server, smtp_port, smtp_user, smtp_password, smtp_encryption,
                                                smtp_from=message['From'], mail_server_id=mail_server_id)
            smtp.send_message(message)
            if not smtp_session:
                smtp.quit()
        except MailDeliveryException:
            raise
        except Exception as e:
            host = smtp_server
            if not host:
                server = self.browse(mail_server_id) if mail_server_id else self._find_mail_server(message['From'])
                host = server.smtp_host if server else config.get('smtp_server')
            msg = "Mail delivery failed via SMTP server '%s'.\n%s: %s" % (host, e.__class__.__name__, e)
            _logger.info(msg)
            raise MailDeliveryException('Mail Delivery Failed', msg) from e
        return message_id


def now_ts():
    return time.time()

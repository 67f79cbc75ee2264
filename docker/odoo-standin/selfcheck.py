#!/usr/bin/env python3
"""Self-check of the stand-in image against real PostgreSQL (no shell involved).

Usage: python3 docker/odoo-standin/selfcheck.py [image]   (default slipway/odoo-standin:17.0)"""
import os
import re
import subprocess
import sys
import time
import urllib.request

IMAGE = sys.argv[1] if len(sys.argv) > 1 else 'slipway/odoo-standin:17.0'
PREFIX = 'selfcheck-odoo-standin-%d' % os.getpid()
NET, PG, VOL = PREFIX + '-net', PREFIX + '-pg', PREFIX + '-data'
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
LOG_RE = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (\w+) (\S+) (\S+): ')
results = []


def docker(*args, check=True, **kw):
    return subprocess.run(['docker', *args], capture_output=True, text=True, check=check, **kw)


def odoo(*args, stdin=None, name=None):
    cmd = ['run', '--rm', '-i', '--network', NET, '-e', 'HOST=' + PG, '-e', 'PASSWORD=selfcheck',
           '-v', FIXTURES + ':/mnt/extra-addons:ro', '-v', VOL + ':/var/lib/odoo']
    if name:
        cmd += ['--name', name]
    p = docker(*cmd, IMAGE, *args, check=False, input=stdin)
    return p.returncode, p.stdout + p.stderr


def levels(output):
    return [m.group(1) for m in map(LOG_RE.match, output.splitlines()) if m]


def check(name, ok, detail=''):
    ok = bool(ok)
    results.append(ok)
    print('%s %s%s' % ('PASS' if ok else 'FAIL', name, '' if ok else ' -- ' + detail[-1500:]))


def main():
    docker('network', 'create', NET)
    docker('run', '-d', '--name', PG, '--network', NET, '-e', 'POSTGRES_ROLE=odoo',
           '-e', 'POSTGRES_ROLE_PASSWORD=selfcheck', 'slipway/postgres:15')
    try:
        run_checks()
    finally:
        docker('rm', '-f', PG, PREFIX + '-serve', check=False)
        docker('volume', 'rm', VOL, check=False)
        docker('network', 'rm', NET, check=False)
    print('%d/%d checks passed' % (sum(results), len(results)))
    sys.exit(0 if all(results) else 1)


def run_checks():
    rc, out = odoo('odoo', '-d', 'sc_green', '-i', 'green_addon', '--test-enable', '--stop-after-init')
    bad = [lv for lv in levels(out) if lv != 'INFO']
    check('green addon: exit 0, no WARNING/ERROR, tests pass', rc == 0 and not bad and
          "odoo.tests.result: 0 failed, 0 error(s) of 3 tests when loading database 'sc_green'" in out, out)
    check('green addon: Warn .pfb line and Modules loaded', "Warn: Can't find .pfb for face 'Times-Roman'" in out
          and 'odoo.modules.loading: Modules loaded.' in out, out)

    rc, out = odoo('odoo', '-d', 'sc_green', '-i', 'failing_addon', '--test-enable', '--stop-after-init')
    check('failing addon: exit 1 with FAIL:/ERROR: lines', rc == 1 and 'FAIL: TestFailing.test_fails' in out
          and 'ERROR: TestFailing.test_raises' in out and
          re.search(r" ERROR sc_green odoo\.tests\.result: 1 failed, 1 error\(s\) of 3 tests when loading database 'sc_green'", out), out)

    rc, out = odoo('odoo', '-d', 'sc_green', '-i', 'warning_addon', '--test-enable', '--stop-after-init')
    check('warning addon: exit 0 with a test WARNING line', rc == 0 and
          ' WARNING sc_green odoo.addons.warning_addon.tests.test_warning: a warning logged' in out, out)

    rc, out = odoo('odoo', '-d', 'sc_green', '-i', 'broken_xml_addon', '--stop-after-init')
    check('broken XML: exit 255, ParseError, CRITICAL', rc == 255 and 'odoo.tools.convert.ParseError' in out and
          'CRITICAL sc_green odoo.service.server: Failed to initialize database `sc_green`.' in out, out)

    rc, out = odoo('odoo', '-d', 'sc_green', '-i', 'malformed_xml_addon', '--stop-after-init')
    check('malformed XML: exit 255, CRITICAL', rc == 255 and 'Failed to load registry' in out and
          'Failed to initialize database' in out, out)

    rc, out = odoo('odoo', '-d', 'sc_green', '-i', 'no_such_module', '--stop-after-init')
    check('unknown module: exit 0 + WARNING', rc == 0 and 'invalid module names, ignored: no_such_module' in out, out)

    rc, out = odoo('odoo', '--no-such-option')
    check('unknown option: exit 2', rc == 2 and 'no such option: --no-such-option' in out, out)

    rc, out = odoo('odoo', 'neutralize', '-d', 'sc_green')
    rc2, out2 = odoo('odoo', 'shell', '-d', 'sc_green', '--log-level=warn', stdin=(
        "print('FLAG', env['ir.config_parameter'].get_param('database.is_neutralized'))\n"
        "print('CRONS', env['ir.cron'].search_count([]))\n"))
    check('neutralize: two lines, flag set, one active cron', rc == 0 and 'Neutralization finished' in out and
          'FLAG true' in out2 and 'CRONS 1' in out2, out + out2)

    serve = PREFIX + '-serve'
    docker('run', '-d', '--name', serve, '--network', NET, '-e', 'HOST=' + PG, '-e', 'PASSWORD=selfcheck',
           '-p', '127.0.0.1::8069', '-v', FIXTURES + ':/mnt/extra-addons:ro', '-v', VOL + ':/var/lib/odoo',
           IMAGE, 'odoo', '-d', 'sc_green', '--db-filter', '^sc_green$')
    t0 = time.time()
    port = docker('port', serve, '8069/tcp').stdout.strip().rsplit(':', 1)[-1]
    status = None
    while time.time() - t0 < 10 and status != 200:
        try:
            with urllib.request.urlopen('http://127.0.0.1:%s/web/health' % port, timeout=1) as r:
                status, body = r.status, r.read()
        except Exception:
            time.sleep(0.1)
    elapsed = time.time() - t0
    check('serve: /web/health 200 within 2.5 s (%.2f s)' % elapsed, status == 200 and elapsed < 2.5, str(status))
    t1 = time.time()
    docker('stop', serve)
    code = docker('inspect', '-f', '{{.State.ExitCode}}', serve).stdout.strip()
    logs = docker('logs', serve).stderr
    check('serve: SIGTERM -> Initiating shutdown, exit 0 (%.2f s)' % (time.time() - t1),
          code == '0' and 'Initiating shutdown' in logs, logs)


if __name__ == '__main__':
    main()

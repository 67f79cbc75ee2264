{
    'name': 'Hostile probe (Slipway isolation suite)',
    'version': '1.0',
    'summary': 'An addon a hostile tenant pushes: probe.py tries to reach other tenants from inside its build.',
    'depends': ['web'],
    'license': 'LGPL-3',
}

{
    'name': 'Slipway Connect',
    'summary': 'Open a build already logged in from the Slipway control panel',
    'version': '1.0',
    'license': 'LGPL-3',
    'depends': ['web'],
    'installable': True,
    'auto_install': False,
}

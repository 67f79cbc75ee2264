{
    'name': 'Web',
    'category': 'Hidden',
    'version': '1.0',
    'description': 'Odoo Web core module (stand-in).',
    'depends': ['base'],
    'auto_install': True,
    'data': [
        'views/neutralize_views.xml',
    ],
    'license': 'LGPL-3',
}

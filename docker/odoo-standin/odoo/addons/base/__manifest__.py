{
    'name': 'Base',
    'version': '1.3',
    'category': 'Hidden',
    'description': 'The kernel of Odoo (stand-in).',
    'depends': [],
    'data': [
        'data/base_data.xml',
    ],
    'demo': [
        'data/base_demo.xml',
    ],
    'installable': True,
    'auto_install': True,
    'license': 'LGPL-3',
}

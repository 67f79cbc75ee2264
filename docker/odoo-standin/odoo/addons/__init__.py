# odoo.addons: its __path__ is set to the addons path at start (like odoo.modules.initialize_sys_path).

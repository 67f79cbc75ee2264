"""Version of the Odoo series this image stands in for (set at build time by ODOO_SERIES)."""
import os

def _read_series():
    here = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'SERIES')
    try:
        with open(here) as f:
            return f.read().strip() or '17.0'
    except OSError:
        return os.environ.get('ODOO_VERSION', '17.0')

serie = major_version = _read_series()
version = serie + '-20240709'
version_info = tuple(int(p) for p in serie.split('.')) + (0, 'final', 0, '')
series_number = float(serie)
product_name = 'Odoo'

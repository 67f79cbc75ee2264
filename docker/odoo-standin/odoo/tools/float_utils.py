import math


def _digits(precision_digits=None, precision_rounding=None):
    if precision_rounding is not None:
        return precision_rounding
    return 10 ** -(precision_digits if precision_digits is not None else 2)


def float_round(value, precision_digits=None, precision_rounding=None, rounding_method='HALF-UP'):
    r = _digits(precision_digits, precision_rounding)
    if rounding_method == 'UP':
        return math.ceil(value / r) * r
    if rounding_method == 'DOWN':
        return math.floor(value / r) * r
    return math.floor(value / r + 0.5) * r


def float_is_zero(value, precision_digits=None, precision_rounding=None):
    return abs(float_round(value, precision_digits, precision_rounding)) < _digits(precision_digits, precision_rounding) / 2


def float_compare(value1, value2, precision_digits=None, precision_rounding=None):
    diff = float_round(value1 - value2, precision_digits, precision_rounding)
    if float_is_zero(diff, precision_digits, precision_rounding):
        return 0
    return -1 if diff < 0 else 1

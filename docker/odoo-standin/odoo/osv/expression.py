TRUE_DOMAIN = [(1, '=', 1)]
FALSE_DOMAIN = [(0, '=', 1)]


def _combine(op, domains, unit):
    result, count = [], 0
    for d in domains:
        if not d:
            continue
        result += list(d)
        count += 1
    if not count:
        return list(unit)
    return [op] * (count - 1) + result


def AND(domains):
    return _combine('&', domains, TRUE_DOMAIN)


def OR(domains):
    return _combine('|', domains, FALSE_DOMAIN)

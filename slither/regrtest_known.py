"""Why some test modules that pass on a stock CPython do not pass on python-static.

Data only, read by slither.regrtest: CATEGORIES names each kind of difference and says why it
is inherent to a static interpreter with a frozen stdlib (or to how the suite is run against
it); KNOWN maps a test module to its category, per CPython series. A stock pass that fails on
python-static and is not listed here is reported as UNEXPLAINED: it is a bug to fix or to
understand, never to list without a reason.
"""

CATEGORIES = {
}

KNOWN = {
    "3.11": {
    },
    "3.13": {
    },
}


def known_for(series: str) -> dict:
    return dict(KNOWN.get(series, {}))

"""The library's front door: read, validate, load the rule set and assess, in one call.

Everything the CLI does is available here for Python users::

    from tc8.pipeline import run_assessment
    results = run_assessment("province.gpkg", "ntm-2021-2025")
"""
from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)


def run_assessment(input_path, rules, *, communes=None, population=None, metric_crs=None):
    """Assess ``input_path`` against ``rules`` (a shipped id or a rule-set file).

    Raises :class:`~tc8.model.errors.InputError` listing every input problem,
    :class:`~tc8.model.errors.RuleSetError` for a bad rule file, :class:`~tc8.model.errors.Tc8Error`
    for an unknown commune code.
    """
    from tc8.engine.assess import assess
    from tc8.rules.model import load_rule_set
    from tc8.validate.run import load_and_validate

    rule_set = load_rule_set(rules)
    t0 = time.perf_counter()
    inputs = load_and_validate(input_path, population=population, metric_crs=metric_crs)
    t1 = time.perf_counter()
    results = assess(inputs, rule_set, communes=list(communes) if communes else None)
    t2 = time.perf_counter()
    log.info("read+validate %.2f s, assess %.2f s (%d communes, %d villages)",
             t1 - t0, t2 - t1, len(results.communes), len(results.villages))
    return results

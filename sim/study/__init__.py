"""Studies: compare scenarios over many replications with common random numbers.

>>> from sim import study
>>> result = study.run("studies/strategies.yaml", workers=2)   # doctest: +SKIP
>>> result.summary.query("metric == 'profit'")                   # doctest: +SKIP
"""

from sim.study.result import KEY_METRICS, StudyResult
from sim.study.runner import (
    StudyError,
    StudyStoppedError,
    load,
    plan_compare,
    plan_study,
    run,
    run_plan,
)
from sim.study.spec import Study

__all__ = [
    "KEY_METRICS",
    "Study",
    "StudyError",
    "StudyResult",
    "StudyStoppedError",
    "load",
    "plan_compare",
    "plan_study",
    "run",
    "run_plan",
]

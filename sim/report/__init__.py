"""Reports: a study's stored results as an HTML page, PNG figures, a PDF and an Excel workbook.

>>> from sim.report import build_report
>>> build_report("results/strategies").html                      # doctest: +SKIP
PosixPath('results/strategies/report.html')

The plot functions (``sim.report.figures``) take the tidy frames of ``sim.report.frames`` and
return matplotlib figures, for use in a notebook.
"""

from sim.report.build import Report, build_report

__all__ = ["Report", "build_report"]

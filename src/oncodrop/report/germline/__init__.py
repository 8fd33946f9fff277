"""The germline (predisposition) reporter for ``-normal`` samples: ``GermlineReporter``."""

from oncodrop.report.germline.engine import REPORTER_NAME, GermlineReporter

__all__ = ["REPORTER_NAME", "GermlineReporter"]

"""The embedded service: poller → admission → ledger → local workers → pipeline → notify."""

from oncodrop.events.admission import admit
from oncodrop.execute.pipeline_job import PipelineJob, TerminalNotifier
from oncodrop.notify import notification_for
from oncodrop.service.embedded import EmbeddedService

__all__ = ["EmbeddedService", "PipelineJob", "TerminalNotifier", "admit", "notification_for"]

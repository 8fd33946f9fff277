"""The embedded service: poller → admission → ledger → local workers → pipeline → notify."""

from oncodrop.service.admission import admit
from oncodrop.service.embedded import EmbeddedService
from oncodrop.service.jobs import PipelineJob, TerminalNotifier, notification_for

__all__ = ["EmbeddedService", "PipelineJob", "TerminalNotifier", "admit", "notification_for"]

"""The embedded service: poller → admission → ledger → local workers → pipeline; ledger outbox →
notifier loop → Slack / webhooks."""

from oncodrop.events.admission import admit
from oncodrop.execute.pipeline_job import PipelineJob
from oncodrop.notify import notification_for
from oncodrop.service.embedded import EmbeddedService

__all__ = ["EmbeddedService", "PipelineJob", "admit", "notification_for"]

"""The AWS Batch calls the Batch executor makes (boto3), and what a job looks like to it.

Kept apart from the dispatcher (``execute.batch``) the way ``slurm_ctl`` is from ``slurm``:
this module knows the API's shapes, the dispatcher knows the ledger. botocore errors become
ours through ``store.s3.aws_errors``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from oncodrop.settings import BatchSettings
from oncodrop.store.s3 import aws_client, aws_errors

LIVE = frozenset({"SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING"})
JOB_NAME = re.compile(r"[^A-Za-z0-9_-]")
DESCRIBE_BATCH = 100  # describe_jobs takes at most 100 ids


@dataclass(frozen=True, slots=True)
class BatchJob:
    """One job as ``describe_jobs`` reports it (the fields the executor's rules read)."""

    job_id: str
    status: str
    status_reason: str = ""
    container_reason: str = ""
    exit_code: int | None = None
    attempts: int = 0
    started_ms: int | None = None
    stopped_ms: int | None = None
    log_stream: str | None = None

    @property
    def live(self) -> bool:
        return self.status in LIVE

    @property
    def runtime_s(self) -> float | None:
        """Seconds from start to stop of the last attempt (None while it has not run)."""
        if self.started_ms is None or self.stopped_ms is None:
            return None
        return max(0.0, (self.stopped_ms - self.started_ms) / 1000)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> BatchJob:
        container = data.get("container") or {}
        attempts = data.get("attempts") or []
        last = attempts[-1] if attempts else {}
        reason = str(data.get("statusReason") or last.get("statusReason") or "")
        return cls(
            job_id=str(data["jobId"]), status=str(data["status"]), status_reason=reason,
            container_reason=str(container.get("reason") or (last.get("container") or {}).get("reason") or ""),
            exit_code=container.get("exitCode"), attempts=len(attempts),
            started_ms=data.get("startedAt"), stopped_ms=data.get("stoppedAt"),
            log_stream=container.get("logStreamName"),
        )  # fmt: skip


def job_name(prefix: str, record_id: int, sample_id: str, kind: str) -> str:
    """``{prefix}-{record_id}-{sample_id}-{kind}``, in Batch's alphabet, at most 128 characters."""
    return JOB_NAME.sub("_", f"{prefix}-{record_id}-{sample_id}-{kind}")[:128]


def record_id_of(name: str, prefix: str) -> int | None:
    """The record id in a job name ``job_name`` made (None for other jobs)."""
    head = f"{prefix}-"
    if not name.startswith(head):
        return None
    number = name[len(head):].split("-", 1)[0]
    return int(number) if number.isdigit() else None


def parse_tags(pairs: Iterable[str]) -> dict[str, str]:
    """``("project=lab-a", …)`` -> a tag dict (``ConfigError``-free: a pair without ``=`` is a key
    with an empty value)."""
    tags = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if key.strip():
            tags[key.strip()] = value.strip()
    return tags


class BatchCtl:
    """submit_job / describe_jobs / list_jobs / terminate_job for one deployment's settings."""

    def __init__(self, settings: BatchSettings, endpoint_url: str | None = None, *, client: Any = None) -> None:
        self.settings = settings
        self.client = client or aws_client("batch", endpoint_url)

    def submit(self, *, name: str, queue: str, record_id: int, tags: Mapping[str, str]) -> str:
        """Submit one sample's job; its id. The job definition's command reads ``Ref::record_id``."""
        return self._submit(name, queue, tags, parameters={"record_id": str(record_id)})

    def submit_command(self, *, name: str, queue: str, command: Sequence[str], tags: Mapping[str, str]) -> str:
        """Submit a job of the job definition running ``command`` instead of its own (a
        re-interpretation drain); its id."""
        return self._submit(name, queue, tags, command=list(command))

    def _submit(self, name: str, queue: str, tags: Mapping[str, str], *, parameters: dict[str, str] | None = None,
                command: list[str] | None = None) -> str:  # fmt: skip
        s = self.settings
        assert s.job_definition is not None  # checked by the executor
        overrides: dict[str, Any] = {"resourceRequirements": [{"type": "VCPU", "value": str(s.vcpus)},
                                                              {"type": "MEMORY", "value": str(s.memory_mib)}]}  # fmt: skip
        if command is not None:
            overrides["command"] = command
        with aws_errors(f"submit batch job {name} to {queue}"):
            response = self.client.submit_job(
                jobName=name, jobQueue=queue, jobDefinition=s.job_definition, containerOverrides=overrides,
                tags=dict(tags), propagateTags=True, **({"parameters": parameters} if parameters else {}),
            )  # fmt: skip
        return str(response["jobId"])

    def describe(self, job_ids: Iterable[str]) -> dict[str, BatchJob]:
        """The jobs Batch still knows, by id (a job purged after its retention is absent)."""
        ids = sorted(set(job_ids))
        found: dict[str, BatchJob] = {}
        for start in range(0, len(ids), DESCRIBE_BATCH):
            with aws_errors("describe batch jobs"):
                response = self.client.describe_jobs(jobs=ids[start : start + DESCRIBE_BATCH])
            for data in response.get("jobs", []):
                job = BatchJob.from_api(data)
                found[job.job_id] = job
        return found

    def live_jobs(self, queue: str) -> list[tuple[str, str]]:
        """(job id, job name) of every live job in ``queue`` (a restarted dispatcher's memory)."""
        jobs = []
        for status in sorted(LIVE):
            token: str | None = None
            while True:
                kwargs: dict[str, Any] = {"jobQueue": queue, "jobStatus": status}
                if token:
                    kwargs["nextToken"] = token
                with aws_errors(f"list batch jobs of {queue}"):
                    response = self.client.list_jobs(**kwargs)
                jobs += [(str(j["jobId"]), str(j["jobName"])) for j in response.get("jobSummaryList", [])]
                token = response.get("nextToken")
                if not token:
                    break
        return jobs

    def terminate(self, job_id: str, reason: str) -> None:
        with aws_errors(f"terminate batch job {job_id}"):
            self.client.terminate_job(jobId=job_id, reason=reason)

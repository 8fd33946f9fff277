"""Settings by dotted path (``batch.vcpus``): their env names, the older flat names that still
set them, and the per-field documentation ``oncodrop config`` and ``docs/settings.md`` show.
Works on any settings model class, so the sources can use it without the model importing them
back."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

ENV_PREFIX = "ONCODROP_"
NESTED_DELIMITER = "__"

# Flat names read before the areas existed -> the field they set now. Each is read from the env
# (ONCODROP_<NAME>) and as a top-level TOML key; the nested name wins when both are given.
LEGACY_NAMES: dict[str, str] = {
    "slack_webhook_url": "notify.slack_webhook_url",
    "webhook_url": "notify.webhook_url",
    "notify_attempts": "notify.attempts",
    "notify_backoff_s": "notify.backoff_s",
    "link_expires_s": "notify.link_expires_s",
    "broker_url": "celery.broker_url",
    "celery_queue": "celery.queue",
    "celery_queue_url": "celery.queue_url",
    "broker_visibility_timeout_s": "celery.broker_visibility_timeout_s",
    "redispatch_s": "celery.redispatch_s",
    "sweep_interval_s": "celery.sweep_interval_s",
    "s3_endpoint_url": "aws.s3_endpoint_url",
    "s3_sse": "aws.s3_sse",
    "s3_sse_kms_key_id": "aws.s3_sse_kms_key_id",
    "sqs_endpoint_url": "aws.sqs_endpoint_url",
    "ec2_endpoint_url": "aws.ec2_endpoint_url",
    "refdata_out": "refdata.out",
    "refdata_demo": "refdata.demo",
    "refdata_builds": "refdata.builds",
    "refdata_source_urls": "refdata.source_urls",
    "refdata_skip": "refdata.skip",
    "refdata_name": "refdata.name",
    "refdata_version": "refdata.version",
    "refdata_panelapp_url": "refdata.panelapp_url",
    "report_vcf": "report.vcf",
    "report_config": "report.sample_config",
    "report_cna": "report.cna",
    "report_out": "report.out",
    "report_sample_id": "report.sample_id",
    "report_kind": "report.kind",
}


def set_path(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[leaf] = value


def has_path(data: Mapping[str, Any], path: str) -> bool:
    for part in path.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return False
        data = data[part]
    return True


def apply_legacy(data: dict[str, Any], legacy: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` plus each legacy value at its new place, unless that place is already set."""
    for name, value in legacy.items():
        path = LEGACY_NAMES[name]
        if not has_path(data, path):
            set_path(data, path, value)
    return data


def leaves(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from leaves(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", value


@dataclass(frozen=True, slots=True)
class FieldDoc:
    """One setting, for ``oncodrop config`` and ``docs/settings.md``."""

    path: str  # "workers", "batch.vcpus"
    env: tuple[str, ...]  # its env name first, then any legacy flat name
    default: Any
    description: str


def field_at(model: type[BaseModel], path: str) -> FieldInfo:
    *parents, leaf = path.split(".")
    for part in parents:
        annotation = model.model_fields[part].annotation
        assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
        model = annotation
    return model.model_fields[leaf]


def is_sequence(annotation: Any) -> bool:
    return get_origin(annotation) in (tuple, list)


def env_names(path: str) -> tuple[str, ...]:
    """The env names of the field at ``path``: ``ONCODROP_BATCH__VCPUS``, then legacy ones."""
    canonical = ENV_PREFIX + path.replace(".", NESTED_DELIMITER).upper()
    legacy = [ENV_PREFIX + name.upper() for name, target in LEGACY_NAMES.items() if target == path]
    return (canonical, *legacy)


def docs_of(model: type[BaseModel]) -> list[FieldDoc]:
    """Every leaf field of ``model``, in declaration order (top level first, then areas)."""
    docs = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        nested = []
        for name, info in model.model_fields.items():
            annotation = info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                nested.append((name, annotation))
                continue
            path = prefix + name
            docs.append(FieldDoc(path, env_names(path), info.get_default(call_default_factory=True),
                                 info.description or ""))  # fmt: skip
        for name, sub in nested:
            walk(sub, f"{prefix}{name}.")

    walk(model, "")
    return docs

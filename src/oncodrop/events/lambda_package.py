"""Build the AWS Lambda deployment zip: the handler plus the oncodrop modules it imports.

The module list is computed by following the handler's ``import`` statements (``ast``, no
execution), so adding an import to the handler can never produce a zip that fails at cold
start: an import of anything outside the standard library, oncodrop and the runtime-provided
AWS SDK is refused with a ``ConfigError`` naming the module and line. The AWS SDK is left
out (the Lambda Python runtime ships it). Entries are sorted and carry a fixed timestamp, so
the same sources always give the same bytes (and the same ``CodeSha256`` on AWS).
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from oncodrop.errors import ConfigError

HANDLER_MODULE = "oncodrop.events.lambda_handler"
HANDLER = f"{HANDLER_MODULE}.handler"
OWN_PACKAGE = "oncodrop"
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3"})
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class LambdaPackage:
    """A built zip: where it is, what the Lambda ``Handler`` setting must be, what it holds."""

    path: Path
    handler: str
    members: tuple[str, ...]  # archive names, e.g. "oncodrop/naming.py"
    size: int
    sha256: str


def handler_modules(root_module: str = HANDLER_MODULE) -> tuple[str, ...]:
    """Every oncodrop module (packages' ``__init__`` included) that importing the handler runs."""
    seen: set[str] = set()
    pending = [root_module]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending += _parents(name)
        pending += _imports_of(name)
    return tuple(sorted(seen))


def build_lambda_zip(out: Path, root_module: str = HANDLER_MODULE) -> LambdaPackage:
    """Write the deployment zip to ``out`` (atomically) and describe it."""
    files = {_archive_name(m): _source_file(m) for m in handler_modules(root_module)}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(files):
                info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, files[name].read_bytes())
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    data = out.read_bytes()
    return LambdaPackage(out, HANDLER, tuple(sorted(files)), len(data), hashlib.sha256(data).hexdigest())


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _source_file(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        raise ConfigError(f"cannot find the source of {module} to package it for Lambda")
    return Path(spec.origin)


def _archive_name(module: str) -> str:
    path = _source_file(module)
    parts = module.split(".")
    return "/".join(parts) + "/__init__.py" if path.name == "__init__.py" else "/".join(parts) + ".py"


def _imports_of(module: str) -> list[str]:
    """The oncodrop modules ``module`` imports; ConfigError for anything Lambda would lack."""
    path = _source_file(module)
    is_package = path.name == "__init__.py"
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, is_package, node)
            # ``from pkg import sub`` may name a submodule: keep it when it is one
            targets = [base] + [f"{base}.{a.name}" for a in node.names if _is_module(f"{base}.{a.name}")]
        else:
            continue
        for target in targets:
            top = target.split(".")[0]
            if top == OWN_PACKAGE:
                found.append(target)
            elif top not in sys.stdlib_module_names and top not in RUNTIME_PROVIDED and top != "__future__":
                raise ConfigError(
                    f"{path}:{node.lineno} imports {target!r}, which the AWS Lambda runtime does "
                    "not provide; keep the handler's imports to the standard library, boto3 and "
                    "stdlib-only oncodrop modules"
                )
    return found


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if is_package else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _is_module(name: str) -> bool:
    try:
        return name.split(".")[0] == OWN_PACKAGE and importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False

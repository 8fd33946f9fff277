"""The vocabulary every layer of oncodrop speaks, one concept per module: samples and their
states (``kind``, ``state``, ``sample``), the report ``headline``, genome builds (``genome``),
variants and their consequence terms (``consequences``: the one ordered table every output
reads), evidence, tiers, copy number and metrics.

Frozen, typed, no I/O; nothing here imports oncodrop above ``errors``. Import from the
module that owns a name (``from oncodrop.domain.variant import Variant``): this package
imports nothing itself, so the stdlib-only modules (``kind``, ``state``) stay light enough
for the AWS Lambda handler.
"""

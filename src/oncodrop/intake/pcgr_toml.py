"""Translate a PCGR TOML (v0.5.3 … v0.9) into our ``SampleConfig``.

The PCGR version is detected from the key set (see ``pcgr_keys``): keys of different versions
in one file are rejected naming the key and the versions it belongs to, so a half-edited file
is caught instead of half-applied. Keys we do not use are recorded as ``ConfigNote``s that the
report shows; keys whose effect we cannot reproduce are rejected with what to do instead.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from oncodrop.intake import pcgr_keys as keys
from oncodrop.intake.pcgr_keys import BY_KEY, VERSIONS, PcgrKey
from oncodrop.intake.pcgr_sites import PCGR_TUMOR_TYPES
from oncodrop.intake.toml_source import TomlSource
from oncodrop.sampleconfig import ConfigNote, SampleConfig

_NONE_TAGS = ("", "_na")
# sections only PCGR has; any of them marks a file as a PCGR TOML
_PCGR_ONLY = keys.PCGR_SECTIONS - {"allelic_support", "cna", "msi"}


@dataclass(frozen=True, slots=True)
class _Entry:
    section: str
    key: str
    value: Any
    versions: frozenset[str]
    rule: PcgrKey | None  # None: a PCGR 0.6/0.7 boolean tumour-type flag


def is_pcgr(data: dict[str, Any]) -> bool:
    """True when the parsed TOML uses PCGR's layout rather than ours."""
    if _PCGR_ONLY & data.keys():
        return True
    for section in ("cna", "msi", "allelic_support"):
        table = data.get(section)
        ours = SampleConfig.model_fields[section].annotation
        if (
            isinstance(table, dict)
            and ours is not None
            and any((section, key) in BY_KEY and key not in ours.model_fields for key in table)
        ):
            return True
    return False


# PCGR before 0.6.0 had no --genome_assembly: its inputs were GRCh37 by definition
GRCH37_ONLY = frozenset({"0.5"})


def translate_pcgr(source: TomlSource) -> SampleConfig:
    """Our SampleConfig for a PCGR TOML, with ``source_format`` and ``notes`` filled in."""
    entries = _entries(source)
    version = _detect_version(source, entries)
    ours: dict[str, dict[str, Any]] = {}
    origin: dict[tuple[str, str], tuple[str, str]] = {}
    notes: list[ConfigNote] = []
    flags: list[_Entry] = []
    for entry in entries:
        rule = entry.rule
        if rule is None:
            flags.append(entry)
        elif rule.action in ("map", "tag"):
            section, field = rule.target.split(".")
            value = None if rule.action == "tag" and entry.value in _NONE_TAGS else entry.value
            ours.setdefault(section, {})[field] = value
            origin[(section, field)] = (entry.section, entry.key)
        elif rule.action in ("ignore", "tumor_only_filter"):  # filters: checked once validated
            notes.append(ConfigNote(section=entry.section, key=entry.key, note=rule.note))
        elif entry.key == "tier_model":
            notes.append(_tier_model(source, entry))
    site, site_notes = _tumor_site(source, entries, flags)
    ours.setdefault("sample", {})["tumor_site"] = site
    notes.extend(site_notes)
    notes.extend(_missing_notes(source.data, version))
    if version in GRCH37_ONLY:
        ours["sample"]["genome_build"] = "grch37"
        notes.append(ConfigNote(section="sample", key="genome_build",
                                note=f"{keys.LABELS[version]} supported GRCh37 only, so the build is grch37"))  # fmt: skip
    config = _validate(source, ours, origin, keys.LABELS[version], notes)
    if config.sample.tumor_only:
        _refuse_active_filters(source, entries)
    return config


def _refuse_active_filters(source: TomlSource, entries: list[_Entry]) -> None:
    """A tumour-only sample must not rely on a germline filter we do not implement."""
    for entry in entries:
        if entry.rule and entry.rule.action == "tumor_only_filter" and entry.value is True:
            raise source.reject(
                f"{entry.key} = true ({entry.rule.note}). Set it to false, or send a "
                "tumour/normal VCF so the filter is not needed",
                entry.section,
                entry.key,
            )


def _entries(source: TomlSource) -> list[_Entry]:
    """Every (section, key) of the file with the PCGR versions that know it."""
    entries: list[_Entry] = []
    for section, table in source.data.items():
        if not isinstance(table, dict):
            raise source.reject(
                f"{section!r} must be a section [{section}] in a PCGR TOML", section
            )
        if section not in keys.PCGR_SECTIONS:
            hint = _hint(section, keys.PCGR_SECTIONS)
            raise source.reject(
                f"[{section}] is not a section of PCGR 0.5-0.9{hint}; this file has PCGR "
                "sections, so it is read as a PCGR TOML: use one layout, not a mix",
                section,
            )
        for key, value in table.items():
            entries.append(_entry(source, section, key, value))
    return entries


def _entry(source: TomlSource, section: str, key: str, value: Any) -> _Entry:
    rule = BY_KEY.get((section, key))
    if rule is not None:
        return _Entry(section, key, value, rule.versions(), rule)
    if section == "tumor_type" and key in PCGR_TUMOR_TYPES:
        return _Entry(section, key, value, frozenset(keys.TUMOR_TYPE_FLAGS), None)
    choices = [k.key for k in keys.PCGR_KEYS if k.section == section]
    if section == "tumor_type":
        choices += list(PCGR_TUMOR_TYPES)
    raise source.reject(
        f"unknown key {key!r} in [{section}]: not a key of PCGR 0.5-0.9{_hint(key, choices)}",
        section,
        key,
    )


def _detect_version(source: TomlSource, entries: list[_Entry]) -> str:
    """The PCGR version whose key set and section layout fit the file best."""
    support = Counter(v for e in entries for v in e.versions)
    compatible = [v for v in VERSIONS if support[v] == len(entries)]
    if compatible:
        present = frozenset(source.data)
        return min(compatible, key=lambda v: (len(keys.SECTIONS[v] ^ present), VERSIONS.index(v)))
    majority = max(VERSIONS, key=lambda v: (support[v], VERSIONS.index(v)))
    odd = next(e for e in entries if majority not in e.versions)
    example = next((e for e in entries if majority in e.versions and len(e.versions) < 3), odd)
    raise source.reject(
        f"{odd.key!r} is a key of PCGR {_span(odd.versions)}, but the rest of the file is "
        f"PCGR {majority} (e.g. [{example.section}] {example.key}); use the keys of one version",
        odd.section,
        odd.key,
    )


def _tier_model(source: TomlSource, entry: _Entry) -> ConfigNote:
    if entry.value != "pcgr_acmg":
        raise source.reject(
            f"tier_model = {entry.value!r} (PCGR 0.6/0.7): only 'pcgr_acmg' is supported; "
            "oncodrop always tiers by AMP/ASCO/CAP with the tumour type, PCGR's tumour-agnostic "
            "'pcgr' model is not implemented. Set tier_model = \"pcgr_acmg\"",
            entry.section,
            entry.key,
        )
    return ConfigNote(
        section=entry.section, key=entry.key, note="pcgr_acmg = oncodrop's AMP/ASCO/CAP tiers"
    )


def _tumor_site(
    source: TomlSource, entries: list[_Entry], flags: list[_Entry]
) -> tuple[str | None, list[ConfigNote]]:
    """The site named by ``[tumor_type] type`` (0.8+) or by the true flags (0.6/0.7)."""
    for flag in flags:
        if not isinstance(flag.value, bool):
            raise source.reject(
                f"{flag.key} = {flag.value!r}: expected true or false", "tumor_type", flag.key
            )
    names = [f.key for f in flags if f.value]
    typed = [e for e in entries if e.section == "tumor_type" and e.key == "type"]
    if typed:
        value = typed[0].value
        if not isinstance(value, str) or value.strip() not in PCGR_TUMOR_TYPES:
            hint = _hint(str(value).strip(), PCGR_TUMOR_TYPES) if isinstance(value, str) else ""
            raise source.reject(
                f"type = {value!r} is not a PCGR tumour type{hint}", "tumor_type", "type"
            )
        names = [value.strip()]
    mappings = {name: PCGR_TUMOR_TYPES[name] for name in names}
    for name, mapping in mappings.items():
        if mapping.choices:
            raise source.reject(
                f"{name} spans the tumour sites {' and '.join(mapping.choices)}; oncodrop needs "
                "one site to match evidence. Write the config in oncodrop's layout with [sample] "
                f"tumor_site = one of {', '.join(repr(c) for c in mapping.choices)}",
                "tumor_type",
                "type" if typed else name,
            )
    sites = {mapping.site for mapping in mappings.values()}
    if len(sites) > 1:
        raise source.reject(
            f"{' and '.join(names)} are both set, but they are different tumour sites; "
            "set only one",
            "tumor_type",
            names[-1],
        )
    notes = [
        ConfigNote(section="tumor_type", key=n, note=m.note) for n, m in mappings.items() if m.note
    ]
    return (sites.pop() if sites else None), notes


def _missing_notes(data: dict[str, Any], version: str) -> list[ConfigNote]:
    """Say which settings PCGR took from its command line, so the report shows our default."""
    notes = []
    if "vcf_tumor_only" not in data.get("tumor_only", {}):
        notes.append(
            ConfigNote(
                section="tumor_only",
                key="vcf_tumor_only",
                note="not in this file (a PCGR command-line flag); tumour/normal assumed",
            )
        )
    if "target_size_mb" not in data.get("mutational_burden", {}):
        notes.append(
            ConfigNote(
                section="mutational_burden",
                key="target_size_mb",
                note="not in this file; oncodrop's default target size is used for TMB",
            )
        )
    if not any(data.get("tumor_type", {}).values()):
        notes.append(
            ConfigNote(
                section="tumor_type",
                key="type",
                note=f"no tumour type in this PCGR {version} file; tumour site is Any",
            )
        )
    return notes  # fmt: skip


def _validate(
    source: TomlSource,
    ours: dict[str, dict[str, Any]],
    origin: dict[tuple[str, str], tuple[str, str]],
    label: str,
    notes: list[ConfigNote],
) -> SampleConfig:
    try:
        return SampleConfig.model_validate({**ours, "source_format": label, "notes": tuple(notes)})
    except ValidationError as exc:
        error = exc.errors()[0]
        target = tuple(str(p) for p in error["loc"][:2])
        section, key = origin.get((target[0], target[1]), (target[0], target[-1]))
        raise source.reject(
            f"{key} = {error.get('input')!r}: {error['msg']} (PCGR {label[5:]} key, read as "
            f"oncodrop's [{target[0]}] {target[-1]})",
            section,
            key,
        ) from exc


def _span(versions: frozenset[str]) -> str:
    ordered = sorted(versions, key=VERSIONS.index)
    return ordered[0] if len(ordered) == 1 else f"{ordered[0]}-{ordered[-1]}"


def _hint(word: str, choices: Any) -> str:
    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near else ""

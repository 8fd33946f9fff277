"""Reference bundles: the reader the reporter uses, and the builders that make them.

``Bundle.open(path)`` is the only way to read reference data; ``oncodrop refdata build``
(``refdata.build``) and ``build_demo_bundle`` (``refdata.demo``) write bundles.
"""

from oncodrop.refdata.bundle import Bundle, GeneLocus, Hotspot, PanelGene

__all__ = ["Bundle", "GeneLocus", "Hotspot", "PanelGene"]

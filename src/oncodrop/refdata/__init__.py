"""Reference bundles: the reader the reporter uses, and the builders that make them.

``Bundle.open(path)`` is the only way to read reference data; ``oncodrop refdata build``
(``refdata.build``) writes bundles; the offline demo bundle is ``oncodrop.demo.bundle``.
"""

from oncodrop.refdata.bundle import Bundle, GeneLocus, Hotspot, PanelGene

__all__ = ["Bundle", "GeneLocus", "Hotspot", "PanelGene"]

"""Reporter backends other than our own engines (PCGR/CPSR, where installed)."""

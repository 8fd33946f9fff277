"""Re-interpretation: re-run evidence matching, tiers, oncogenicity and ACMG classes of a past
sample from its stored interpretation input against another bundle, and say what changed."""

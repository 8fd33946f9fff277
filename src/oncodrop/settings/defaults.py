"""Defaults that code outside the settings reads as plain constants (no pydantic here).

The reporter's modules need ``DEFAULT_COMPRESS_ROWS_OVER`` at import; taking it from here, via the
package's eager names, keeps ``pydantic_settings`` (~90 ms) out of every report's start-up.
"""

from __future__ import annotations

PANELAPP_URL = "https://panelapp.genomicsengland.co.uk/api/v1"

# Over this many rows the tiers TSV and the MAF are written bgzip'd (the reporter's default too).
DEFAULT_COMPRESS_ROWS_OVER = 250_000

"""PanelApp panels fetched from a local HTTP server serving the v1 API's JSON layout."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from oncodrop.errors import BundleError, TransientError
from oncodrop.refdata.knowledge import read_panel
from oncodrop.refdata.panelapp import (
    fetch_panel,
    inheritance,
    write_panelapp_panel,
)

# The shape of GET /api/v1/panels/{id}/ (fields as PanelApp serves them; values a fixture).
PANEL_243 = {
    "id": 243, "hash_id": None, "name": "Childhood solid tumours", "disease_group": "Cancer",
    "disease_sub_group": "", "status": "public", "version": "3.4",
    "version_created": "2024-01-10T10:00:00.000000Z", "relevant_disorders": ["R366"],
    "stats": {"number_of_genes": 4, "number_of_strs": 0, "number_of_regions": 0},
    "types": [{"name": "GMS Cancer Germline Virtual", "slug": "gms-cancer-germline-virtual"}],
    "genes": [
        {"gene_data": {"gene_symbol": "TP53", "hgnc_id": "HGNC:11998", "biotype": "protein_coding"},
         "entity_type": "gene", "entity_name": "TP53", "confidence_level": "3", "penetrance": "Complete",
         "mode_of_pathogenicity": "", "publications": [], "evidence": ["Expert Review Green"],
         "phenotypes": ["Li-Fraumeni syndrome"],
         "mode_of_inheritance": "MONOALLELIC, autosomal or pseudoautosomal, imprinted status unknown",
         "tags": [], "transcript": None},
        {"gene_data": {"gene_symbol": "DICER1"}, "entity_type": "gene", "entity_name": "DICER1",
         "confidence_level": "3", "mode_of_inheritance": "MONOALLELIC, autosomal or pseudoautosomal, "
         "not imprinted"},
        {"gene_data": {"gene_symbol": "ELP1"}, "entity_type": "gene", "entity_name": "ELP1",
         "confidence_level": "2", "mode_of_inheritance": "MONOALLELIC, autosomal or pseudoautosomal"},
        {"gene_data": {"gene_symbol": "FANCA"}, "entity_type": "gene", "entity_name": "FANCA",
         "confidence_level": "3", "mode_of_inheritance": "BIALLELIC, autosomal or pseudoautosomal"},
    ],
    "strs": [],
    "regions": [{"gene_data": None, "entity_type": "region", "entity_name": "ISCA-37404-Loss",
                 "confidence_level": "3", "mode_of_inheritance": "MONOALLELIC, autosomal or pseudoautosomal"}],
}  # fmt: skip


class _PanelApp(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/api/v1/panels/243/":
            body, status = json.dumps(PANEL_243).encode(), 200
        elif self.path == "/api/v1/panels/500/":
            body, status = b'{"detail": "server error"}', 503
        else:
            body, status = b'{"detail": "Not found."}', 404
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def panelapp_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PanelApp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_green_genes_with_inheritance_and_known_mechanisms(panelapp_url: str, tmp_path: Path) -> None:
    panel = fetch_panel(243, {"TP53": "LoF", "DICER1": "LoF"}, base_url=panelapp_url)
    assert (panel.name, panel.version) == ("Childhood solid tumours", "3.4")
    assert [(g.symbol, g.mechanism, g.inheritance) for g in panel.genes] == [
        ("DICER1", "LoF", "AD"), ("FANCA", "unknown", "AR"), ("TP53", "LoF", "AD")]  # ELP1 amber: out
    path = write_panelapp_panel(tmp_path / "knowledge", "panelapp_243", panel)
    assert read_panel(path) == panel.genes


def test_amber_genes_are_included_when_asked(panelapp_url: str) -> None:
    panel = fetch_panel(243, {}, base_url=panelapp_url, min_confidence=2)
    assert "ELP1" in {g.symbol for g in panel.genes}


def test_unknown_panel_is_a_bundle_error_and_server_errors_are_transient(panelapp_url: str) -> None:
    with pytest.raises(BundleError, match="no panel 9999"):
        fetch_panel(9999, {}, base_url=panelapp_url)
    with pytest.raises(TransientError, match="HTTP 503"):
        fetch_panel(500, {}, base_url=panelapp_url)


def test_inheritance_terms_map_to_short_codes() -> None:
    assert inheritance("BOTH monoallelic and biallelic, autosomal or pseudoautosomal") == "AD/AR"
    assert inheritance("X-LINKED: hemizygous mutation in males, biallelic mutations in females") == "XL"
    assert inheritance("Unknown") == "unknown" and inheritance(None) == "unknown"

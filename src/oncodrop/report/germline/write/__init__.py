"""Writers of the germline report folder: HTML, TSV, summary JSON, XLSX and provenance."""

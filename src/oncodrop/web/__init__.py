"""The operators' console: REST API (``/api/v1``), server-rendered dashboard, signed inbound
webhooks and Prometheus ``/metrics``, served by uvicorn beside the service or alone.

App layer: may import runtime and below, never ``service`` or ``cli``. FastAPI and uvicorn
come with the ``web`` extra.
"""

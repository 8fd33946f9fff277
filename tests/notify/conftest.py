from httpcapture import closed_port, http_capture, second_capture  # noqa: F401 - fixtures

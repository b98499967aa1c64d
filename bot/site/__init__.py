"""The small public pages: health checks, tracked short links, /metrics, the simulator."""

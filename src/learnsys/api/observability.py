"""Request ids, structured (JSON) access logs and Prometheus counters, as one middleware."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

log = logging.getLogger("learnsys.access")
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class RequestMetrics:
    """Request counts and latency histograms by route template, method and status."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, int], int] = defaultdict(int)
        self.buckets: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self.sums: dict[tuple[str, str], float] = defaultdict(float)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.counts[(route, method, status)] += 1
        key = (route, method)
        self.sums[key] += seconds
        index = next((i for i, bound in enumerate(BUCKETS) if seconds <= bound), len(BUCKETS))
        self.buckets[key][index] += 1

    def render(self, gauges: dict[str, float]) -> str:
        lines = ["# HELP learnsys_requests_total HTTP requests by route, method and status.",
                 "# TYPE learnsys_requests_total counter"]
        for (route, method, status), count in sorted(self.counts.items()):
            lines.append(f'learnsys_requests_total{{route="{route}",method="{method}",status="{status}"}} {count}')
        lines += ["# HELP learnsys_request_seconds HTTP request latency by route and method.",
                  "# TYPE learnsys_request_seconds histogram"]
        for (route, method), counts in sorted(self.buckets.items()):
            labels = f'route="{route}",method="{method}"'
            cumulative = 0
            for bound, count in zip((*BUCKETS, float("inf")), counts, strict=True):
                cumulative += count
                le = "+Inf" if bound == float("inf") else f"{bound:g}"
                lines.append(f'learnsys_request_seconds_bucket{{{labels},le="{le}"}} {cumulative}')
            lines.append(f"learnsys_request_seconds_sum{{{labels}}} {self.sums[(route, method)]:.6f}")
            lines.append(f"learnsys_request_seconds_count{{{labels}}} {cumulative}")
        for name, value in sorted(gauges.items()):
            lines += [f"# TYPE learnsys_{name} gauge", f"learnsys_{name} {value:g}"]
        return "\n".join(lines) + "\n"


def install_observability(app: FastAPI, metrics: RequestMetrics) -> None:
    @app.middleware("http")
    async def _observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        request.state.request_id = request_id
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        route = getattr(request.scope.get("route"), "path", "unmatched")
        metrics.observe(route, request.method, response.status_code, elapsed)
        response.headers["X-Request-ID"] = request_id
        log.info(json.dumps({"event": "request", "request_id": request_id, "method": request.method,
                             "path": request.url.path, "route": route, "status": response.status_code,
                             "ms": round(elapsed * 1000, 2)}))
        return response

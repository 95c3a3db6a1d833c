#!/usr/bin/env python3
"""Fuzz the learnsys HTTP API with schemathesis against its own OpenAPI schema.

Usage:
    scripts/fuzz_api.py --url http://127.0.0.1:8000          # a server you started (learnsys serve)
    scripts/fuzz_api.py --start                              # start one here (loads/builds indexes/)
    scripts/fuzz_api.py --start --max-examples 50 --strict   # more cases; also content types and status codes

Every operation in ``/openapi.json`` (the ``/v1`` paths) gets schemathesis' example, coverage and fuzzing
phases. Checks: ``not_a_server_error`` (no 5xx) and ``response_schema_conformance`` (every response
matches its documented schema); ``--strict`` adds ``content_type_conformance`` and
``status_code_conformance``. Prints a summary and exits 1 on any failure.

Writes: document writes need a bearer token the fuzzer does not send (401/403, nothing written);
``POST /collaboratives/plan`` stores plans in the running server's in-memory graph, so fuzz a
development server, not production.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
CHECKS = ["not_a_server_error", "response_schema_conformance"]
STRICT_CHECKS = ["content_type_conformance", "status_code_conformance"]


def start_server(port: int) -> Any:
    """Load the services and serve them in a background thread (uvicorn); returns the server."""
    import uvicorn

    from learnsys.api.app import create_app
    from learnsys.config import get_settings
    from learnsys.pipeline import load_services

    services = load_services(get_settings(), progress=lambda m: print(f"[learnsys] {m}", file=sys.stderr))
    server = uvicorn.Server(uvicorn.Config(create_app(services), host="127.0.0.1", port=port,
                                           log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.time() + 60
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.1)
    return server


def known_values(url: str) -> dict[str, list[str]]:
    """Real identifiers for path parameters, so operations are exercised past their 404s."""
    ids = [r["id"] for r in httpx.get(f"{url}/v1/search", params={"q": "care", "k": 5}, timeout=60)
           .json().get("results", [])]
    return {"ods": ["RXN", "RH8", "R1H", "RGT", "RYJ", "RX1"],
            "metric": ["ae_4h_all", "ae_4h_type1", "ae_12h_dta", "rtt_18w_pct", "OF0013"],
            "doc_id": ids or ["bolton-pifu-dermatology"],
            "scheme": ["priority-area", "nof-segment", "nof-domain", "msf", "support-offer"]}


def write_config(path: Path, values: dict[str, list[str]]) -> None:
    """schemathesis.toml: dictionaries of known values, bound to the path parameters (70% of cases)."""
    lines = []
    for name, items in values.items():
        lines += [f"[dictionaries.{name}]", "values = [" + ", ".join(json.dumps(v) for v in items) + "]", ""]
    lines.append("[parameters]")
    bindings = {"path.ods": "ods", "path.metric": "metric", "path.metric_id": "metric", "path.doc_id": "doc_id",
                "path.scheme": "scheme"}
    lines += [f'"{key}" = {{ dictionary = "{name}", probability = 0.7 }}' for key, name in bindings.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def schemathesis_command() -> list[str]:
    exe = Path(sys.executable).with_name("schemathesis")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("schemathesis")
    if not found:
        raise SystemExit("schemathesis is not installed: .venv/bin/pip install schemathesis")
    return [found]


def summarise(report: Path) -> dict[str, Any]:
    """Counts from schemathesis' NDJSON event stream: operations, test cases, failures by check."""
    operations: set[str] = set()
    cases = 0
    failures: dict[str, int] = {}
    statuses: dict[str, int] = {}
    errors = 0
    if not report.exists():
        return {"operations": 0, "cases": 0, "failures": {}, "errors": 0, "statuses": {}}
    for line in report.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        for kind, body in event.items() if isinstance(event, dict) else []:
            if kind == "ScenarioFinished" and isinstance(body, dict):
                label = body.get("label") or (body.get("recorder") or {}).get("label")
                if label:
                    operations.add(label)
                recorder = body.get("recorder") or {}
                for interaction in (recorder.get("interactions") or {}).values():
                    response = (interaction or {}).get("response") or {}
                    if "status_code" in response:
                        cases += 1
                        group = f"{str(response['status_code'])[0]}xx"
                        statuses[group] = statuses.get(group, 0) + 1
                for check_list in (recorder.get("checks") or {}).values():
                    for check in check_list or []:
                        if str(check.get("status", "")).lower() == "failure":
                            failures[check.get("name", "?")] = failures.get(check.get("name", "?"), 0) + 1
            elif kind == "NonFatalError":
                errors += 1
    return {"operations": len(operations), "cases": cases, "failures": failures, "errors": errors,
            "statuses": dict(sorted(statuses.items()))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="base URL of a running server")
    parser.add_argument("--start", action="store_true", help="start a server in this process first")
    parser.add_argument("--port", type=int, default=8799, help="port for --start")
    parser.add_argument("--max-examples", type=int, default=25, help="test cases per operation and phase")
    parser.add_argument("--workers", default="2")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--strict", action="store_true", help="also check content types and status codes")
    parser.add_argument("--report-dir", default=str(REPO / "test-artifacts" / "schemathesis"))
    args = parser.parse_args()

    url = args.url.rstrip("/")
    server = None
    if args.start:
        server = start_server(args.port)
        url = f"http://127.0.0.1:{args.port}"
    try:
        ready = httpx.get(f"{url}/ready", timeout=30)
        if ready.status_code != 200:
            print(f"server at {url} is not ready: {ready.status_code} {ready.text[:200]}", file=sys.stderr)
            return 2
        report_dir = Path(args.report_dir)
        report_dir.mkdir(parents=True, exist_ok=True)
        ndjson = report_dir / "events.ndjson"
        junit = report_dir / "junit.xml"
        checks = CHECKS + (STRICT_CHECKS if args.strict else [])
        config = report_dir / "schemathesis.toml"
        write_config(config, known_values(url))
        command = [*schemathesis_command(), "--config-file", str(config), "run", f"{url}/openapi.json", "--url", url,
                   "--checks", ",".join(checks), "--max-examples", str(args.max_examples),
                   "--workers", str(args.workers), "--seed", str(args.seed), "--no-color",
                   "--phases", "examples,coverage,fuzzing", "--generation-database", "none",
                   "--request-timeout", "30", "--suppress-health-check", "all",
                   "--report", "ndjson,junit", "--report-ndjson-path", str(ndjson),
                   "--report-junit-path", str(junit)]
        print("$ " + " ".join(command), flush=True)
        started = time.perf_counter()
        # this file doubles as the hooks module (see the bottom): a serializer for SPARQL query bodies
        env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": "fuzz_api",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent),
                                                           os.environ.get("PYTHONPATH")]))}
        with tempfile.TemporaryFile(mode="w+") as log:
            code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
            log.seek(0)
            output = log.read()
        (report_dir / "output.txt").write_text(output, encoding="utf-8")
        elapsed = time.perf_counter() - started
        tail = output.strip().splitlines()[-40:]
        print("\n".join(tail))
        summary = summarise(ndjson)
        summary.update(seconds=round(elapsed, 1), exit_code=code, checks=checks)
        five_xx = summary["statuses"].get("5xx", 0)
        match = re.search(r"\d+ generated, \d+ passed[^\n]*", output)
        print("\nsummary: " + json.dumps(summary))
        print(f"operations tested: {summary['operations']}; test cases: {summary['cases']} "
              f"(responses by class: {summary['statuses']}); 5xx: {five_xx}; "
              f"check failures: {sum(summary['failures'].values())} {summary['failures'] or ''}; "
              f"schemathesis exit code {code}{'; ' + match.group(0) if match else ''}; {elapsed:.0f} s")
        print(f"reports: {ndjson}, {junit}, {report_dir / 'output.txt'}")
        return 0 if code == 0 and five_xx == 0 else 1
    finally:
        if server is not None:
            server.should_exit = True


if __name__ == "__main__":
    sys.exit(main())
elif os.environ.get("SCHEMATHESIS_HOOKS") == "fuzz_api":  # loaded by schemathesis as its hooks module
    import schemathesis

    schemathesis.serializer.alias("application/sparql-query", "text/plain")

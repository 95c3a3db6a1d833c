"""``learnsys variation | spc | score | signals``: the oversight analytics on the command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from learnsys.kg.records import ReferenceData


def _data(args: argparse.Namespace) -> ReferenceData:
    from learnsys.config import get_settings
    from learnsys.kg.reference import load_reference_data

    return load_reference_data(Path(args.data_dir) if args.data_dir else get_settings().data_dir)


def _emit(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def cmd_variation(args: argparse.Namespace) -> int:
    from learnsys.oversight import variation
    from learnsys.oversight.metrics import index_of

    data = _data(args)
    if args.metric not in data.metrics:
        print(f"unknown metric {args.metric!r}", file=sys.stderr)
        return 2
    periods = index_of(data).periods(args.metric)
    period = args.period or (periods[-1] if periods else None)
    if period not in periods:
        print(f"{args.metric} has no data for {period!r}; periods: {', '.join(periods)}", file=sys.stderr)
        return 2
    rows = variation.variation(data, args.metric, period, args.peer_group, args.k)
    if args.format == "csv":
        sys.stdout.write(variation.to_csv(rows))
    else:
        _emit({"metric": args.metric, "period": period, "items": [r.__dict__ for r in rows]})
    return 0


def cmd_spc(args: argparse.Namespace) -> int:
    from learnsys.oversight import charts, spc

    data = _data(args)
    if args.ods not in data.providers or args.metric not in data.metrics:
        print(f"unknown provider {args.ods!r} or metric {args.metric!r}", file=sys.stderr)
        return 2
    rules = spc.SpcRules(shift=args.shift, trend=args.trend, min_points=args.min_points)
    try:
        chart = spc.provider_chart(data, args.ods, args.metric, start=args.start, end=args.end, rules=rules)
    except spc.SeriesTooShort as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.svg:
        Path(args.svg).write_text(charts.render_svg(chart, f"{data.providers[args.ods].name}: {args.metric}"))
    _emit(chart.to_dict())
    return 0


def cmd_signals(args: argparse.Namespace) -> int:
    from learnsys.oversight import spc

    data = _data(args)
    rows = spc.improving_providers(data, args.metric, start=args.start, end=args.end)
    if args.current_only:
        rows = [r for r in rows if r["variation"].startswith("special_cause_improvement")]
    if args.json:
        _emit(rows)
        return 0
    print(f"{len(rows)} trusts with special-cause improvement in {args.metric} ({args.start}..{args.end})")
    for r in rows:
        signals = "; ".join(f"{s['rule']} {s['start']}..{s['end']}" for s in r["improvement_signals"])
        print(
            f"{r['provider']:5} {r['name'][:48]:48} mean {r['mean']:8.2f} "
            f"LCL {r['lcl']:8.2f} UCL {r['ucl']:8.2f} "
            f"last {r['latest_value']:7.2f} {r['variation']:32} {signals}"
        )
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from learnsys.oversight import scoring

    data = _data(args)
    started = time.perf_counter()
    if args.validate:
        agreement = scoring.validate_acute(data)
        _emit({**agreement.__dict__, "seconds": round(time.perf_counter() - started, 3)})
        return 0
    if args.what_if:
        changes = {k: float(v) for k, v in (item.split("=", 1) for item in args.what_if)}
        _emit(scoring.what_if(data, args.ods, changes))
        return 0
    assessments = scoring.indicative_assessments(data)
    if args.ods:
        assessments = [a for a in assessments if a.provider == args.ods]
    _emit(
        {
            "official": False,
            "seconds": round(time.perf_counter() - started, 3),
            "items": [a.__dict__ for a in assessments],
        }
    )
    return 0


def register(subparsers: Any) -> None:
    """Add the oversight subcommands to the ``learnsys`` parser."""

    def common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--data-dir", help="reference data folder (default: settings)")
        return p

    p = common(
        subparsers.add_parser("variation", help="each trust's value, percentile, rank and peer position")
    )
    p.add_argument("metric")
    p.add_argument("--period")
    p.add_argument(
        "--peer-group", default="trust-type", choices=["trust-type", "family", "region", "nearest"]
    )
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--format", choices=["json", "csv"], default="csv")
    p.set_defaults(handler=cmd_variation)

    p = common(subparsers.add_parser("spc", help="XmR chart with Making Data Count signals for one trust"))
    p.add_argument("ods")
    p.add_argument("metric")
    p.add_argument("--start")
    p.add_argument("--end")
    p.add_argument("--shift", type=int, default=7)
    p.add_argument("--trend", type=int, default=7)
    p.add_argument("--min-points", type=int, default=12)
    p.add_argument("--svg", help="also write the chart as SVG to this file")
    p.set_defaults(handler=cmd_spc)

    p = common(subparsers.add_parser("signals", help="trusts with special-cause improvement on a metric"))
    p.add_argument("--metric", default="ae_4h_all")
    p.add_argument("--start")
    p.add_argument("--end")
    p.add_argument("--current-only", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_signals)

    p = common(subparsers.add_parser("score", help="indicative NOF 2025/26 assessments, validation, what-if"))
    p.add_argument("--ods")
    p.add_argument(
        "--validate", action="store_true",
        help="recompute the latest published acute quarter and compare with the official results",
    )
    p.add_argument("--what-if", nargs="+", metavar="METRIC=VALUE", help="with --ods: e.g. ae_4h_all=78")
    p.set_defaults(handler=cmd_score)

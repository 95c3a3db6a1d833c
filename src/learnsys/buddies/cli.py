"""``learnsys buddies``, ``learnsys assign`` and ``learnsys plan``: thin commands over the buddy matcher."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from learnsys.config import Settings
from learnsys.services import Services


def load_buddy_services(settings: Settings | None = None) -> Services:
    """Reference data (with indicative assessments where the oversight package has them), the validated
    corpus (or, if it has problems, the documents that parse) and the concept schemes; no graph or search
    index is needed for matching."""
    from learnsys.config import get_settings
    from learnsys.corpus.documents import load_corpus
    from learnsys.kg.concepts import load_concept_schemes
    from learnsys.kg.reference import load_reference_data
    from learnsys.pipeline import CorpusInvalid, load_inputs

    settings = settings or get_settings()
    try:
        data, documents = load_inputs(settings)
    except CorpusInvalid as exc:  # the corpus only feeds the evidence factor: use what parses, say so
        print(
            f"warning: {len(exc.problems)} corpus problem(s); evidence uses the documents that parse", file=sys.stderr
        )
        data = load_reference_data(settings.data_dir, settings.lin_membership_file)
        documents, _errors = load_corpus(settings.corpus_dir)
    try:
        from learnsys.oversight.scoring import indicative_assessments
    except ImportError:
        pass
    else:
        data.assessments.extend(indicative_assessments(data))
    return Services(
        settings=settings,
        reference=data,
        graph=None,
        documents={d.id: d for d in documents},
        concepts=load_concept_schemes(settings.ontology_dir),
        ready=True,
    )


def _matcher() -> Any:
    from learnsys.buddies.matcher import matcher_for

    return matcher_for(load_buddy_services())


def _fail(exc: Exception) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return 2


def cmd_buddies(args: argparse.Namespace) -> int:
    from learnsys.buddies.matcher import UnknownProvider
    from learnsys.buddies.topics import UnknownTopic

    try:
        result = _matcher().rank(args.ods, args.topic, args.k)
    except (UnknownProvider, UnknownTopic) as exc:
        return _fail(exc)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    p = result["provider"]
    a = p["assessment"]
    print(
        f"{p['ods']} {p['name']} — segment {a['segment']} ({a['status']}, {a['period']}); "
        f"topic: {result['topic']['label']}"
    )
    if "headline" in p:
        h = p["headline"]
        print(f"  {h['metric']}: {h['value']} ({h['period']})", end="")
    if "domain_score" in p:
        ds = p["domain_score"]
        print(f"; {ds['domain']} domain score {ds['score']} ({ds['period']})", end="")
    print(f"\n  {result['eligible_candidates']} eligible buddies")
    for rank, b in enumerate(result["buddies"], start=1):
        f = b["factors"]
        floors = b["floors"]
        head = floors.get("headline", {}).get("mentor", {})
        dom = floors.get("domain", {}).get("mentor", {})
        print(f"{rank:>2}. {b['ods']:<5} {b['score']:.3f}  {b['name']}")
        print("      " + "  ".join(f"{k} {v:.3f}" for k, v in f.items()))
        print(
            f"      headline {head.get('value')} ({head.get('period')}), domain score {dom.get('score')}; "
            f"evidence: {len(b['evidence'])} item(s)"
        )
        weakest = b["factor_details"]["complementarity"]["data"]["measures"][:2]
        for m in weakest:
            print(
                f"      ahead on {m['metric']} ({m['label'][:60]}): {m['mentor']['value']} vs "
                f"{m['mentee']['value']} ({m['mentor']['period']})"
            )
    if result.get("note"):
        print(f"  note: {result['note']}")
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    from learnsys.buddies.assignment import UnknownScope, assign, assignment_csv
    from learnsys.buddies.topics import UnknownTopic

    try:
        result = assign(
            _matcher(),
            args.topic,
            args.scope,
            args.capacity,
            mentors_from="national" if args.national_mentors else "scope",
        )
    except (UnknownScope, UnknownTopic) as exc:
        return _fail(exc)
    if args.csv:
        sys.stdout.write(assignment_csv(result))
    elif args.json:
        print(json.dumps(result, indent=1))
    else:
        base = result["baseline"]
        print(
            f"{result['topic']['label']} — scope {result['scope']}, capacity {result['capacity']}, "
            f"assessments: {result['assessments']}"
        )
        print(
            f"challenged {result['challenged']}, mentors {result['mentors_available']}, "
            f"paired {len(result['pairs'])}, unmatched {len(result['unmatched'])}"
        )
        print(
            f"total score {result['total_score']:.4f} (greedy baseline {base['total_score']:.4f} with "
            f"{base['pairs']} pairs); solved in {result['method']['seconds']:.3f} s"
        )
        for pair in result["pairs"]:
            print(
                f"  {pair['mentee']:<5} <- {pair['mentor']:<5} {pair['score']:.3f}  "
                f"{pair['mentee_name']} <- {pair['mentor_name']}"
            )
        for item in result["unmatched"]:
            print(f"  {item['ods']:<5} unmatched: {item['reason']}")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from learnsys.buddies.assignment import UnknownScope
    from learnsys.buddies.topics import UnknownTopic
    from learnsys.buddies.waves import UnknownFamily, collaborative_iri, plan_to_ntriples, plan_waves

    try:
        plan = plan_waves(_matcher(), args.topic, args.wave_size, args.waves, args.scope, args.family)
    except (UnknownScope, UnknownTopic, UnknownFamily) as exc:
        return _fail(exc)
    if args.ntriples:
        Path(args.ntriples).write_bytes(plan_to_ntriples(plan))
    if args.json:
        print(json.dumps({**plan, "iri": str(collaborative_iri(plan))}, indent=1))
        return 0
    c = plan["cohort"]
    print(
        f"{plan['topic']['label']} collaborative — {plan['scope']}, {plan['family']} trusts "
        f"(assessments: {plan['assessments']}): {c['with_topic_data']} with topic data, median position "
        f"{c['median_position']}"
    )
    for w in plan["waves"]:
        pos = w["position"]
        print(
            f"wave {w['number']}: {w['size']} trusts, position {pos['min']}..{pos['max']} (median "
            f"{pos['median']}), regions {w['regions']}"
        )
        print("  faculty: " + ", ".join(f"{f['ods']} ({f['region']})" for f in w["faculty"]))
        print("  members: " + ", ".join(m["ods"] for m in w["members"]))
    print(
        f"intensive support ({len(plan['intensive_support'])}): "
        + ", ".join(i["ods"] for i in plan["intensive_support"])
    )
    print(f"faculty pool ({len(plan['faculty_pool'])}): " + ", ".join(i["ods"] for i in plan["faculty_pool"]))
    print(f"later waves ({len(plan['later_waves'])}): " + ", ".join(i["ods"] for i in plan["later_waves"]))
    print(f"no topic data ({len(plan['no_topic_data'])}): " + ", ".join(i["ods"] for i in plan["no_topic_data"]))
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def register(subparsers: Any) -> None:
    """Add ``buddies``, ``assign`` and ``plan`` to the ``learnsys`` command line."""
    buddies = subparsers.add_parser("buddies", help="rank buddy trusts for a provider on a topic")
    buddies.add_argument("ods", help="ODS code of the provider, e.g. RWA")
    buddies.add_argument("--topic", required=True, help="priority area notation or label, e.g. uec")
    buddies.add_argument("--k", type=_positive, default=5, help="how many buddies (default 5)")
    buddies.add_argument("--json", action="store_true")
    buddies.set_defaults(handler=cmd_buddies)

    assign = subparsers.add_parser("assign", help="pair every challenged trust in scope with a mentor")
    assign.add_argument("--scope", default="national", help="region code (e.g. Y62) or 'national'")
    assign.add_argument("--topic", required=True)
    assign.add_argument("--capacity", type=_positive, default=2, help="mentees per mentor (default 2)")
    assign.add_argument(
        "--national-mentors",
        action="store_true",
        help="draw mentors from the whole country, not only the scope",
    )
    out = assign.add_mutually_exclusive_group()
    out.add_argument("--csv", action="store_true")
    out.add_argument("--json", action="store_true")
    assign.set_defaults(handler=cmd_assign)

    plan = subparsers.add_parser("plan", help="plan improvement collaborative waves on a topic")
    plan.add_argument("--topic", required=True)
    plan.add_argument("--wave-size", type=_positive, default=33)
    plan.add_argument("--waves", type=_positive, default=3)
    plan.add_argument("--scope", default="national")
    plan.add_argument("--family", default=None, help="trust-type family (default: the one the topic fits)")
    plan.add_argument("--json", action="store_true")
    plan.add_argument("--ntriples", metavar="FILE", help="also write the plan as N-Triples for the graph")
    plan.set_defaults(handler=cmd_plan)

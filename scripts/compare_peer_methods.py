"""Compare the one peer model (learnsys.kg.peers) with the three peer methods it replaced.

The old methods are run from the commit before the change (default 333c197), checked out into a temporary
worktree, so their code is not kept in src/. Writes one row per trust (old lists and the new list) to
``--out`` and prints how many trusts' top-k lists changed, the mean overlap, and how often each method's peers
share the trust's NHS England subtype (e.g. "Acute - Teaching", a label the models do not see) beside
random same-family peers as a baseline.

    .venv/bin/python scripts/compare_peer_methods.py --out docs/peer-changes.csv
"""

from __future__ import annotations

import argparse
import csv
import json
import pickle
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

OLD = """
import json, math, pickle, sys
import numpy as np
from learnsys.search.graph_boost import PeerFinder
from learnsys.oversight.variation import standardised_context
from learnsys.buddies.factors import context_matrix, context_similarity
d = pickle.load(open(sys.argv[1], 'rb')); K = int(sys.argv[2])
fam = {o: d.providers[o].family for o in d.context}
out = {"search": {}, "variation": {}, "buddies": {}}
pf, z = PeerFinder(d), standardised_context(d)
for ods in d.context:
    out["search"][ods] = list(pf.nearest(ods, K))
    cands = [o for o in d.context if fam[o] == fam[ods] and o in z and o != ods]
    out["variation"][ods] = [o for _, o in sorted((math.dist(z[ods], z[o]), o) for o in cands)[:K]]
for family in set(fam.values()):
    members = sorted(o for o in d.context if fam[o] == family)
    _, dist = context_similarity(context_matrix(d, members)[0])
    for i, ods in enumerate(members):
        order = sorted((dist[i, j], o) for j, o in enumerate(members) if j != i and not np.isnan(dist[i, j]))
        out["buddies"][ods] = [o for _, o in order[:K]]
print(json.dumps(out))
"""


def old_lists(commit: str, data_pickle: Path, k: int) -> dict[str, dict[str, list[str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "old"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit],
                       check=True, capture_output=True)
        try:
            run = subprocess.run([sys.executable, "-c", OLD, str(data_pickle), str(k)], check=True,
                                 capture_output=True, text=True, env={"PYTHONPATH": str(tree / "src")})
            return json.loads(run.stdout)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)


def main() -> None:
    from learnsys.kg.reference import load_reference_data

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", default="333c197")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    data = load_reference_data(ROOT / "data" / "reference")
    with tempfile.NamedTemporaryFile(suffix=".pkl") as f:
        pickle.dump(data, f)
        f.flush()
        old = old_lists(args.commit, Path(f.name), args.k)
    new = {o: [p.ods for p in data.peer_model.peers(o, args.k)] for o in sorted(data.context)}
    subtype = {o: p.trust_subtype for o, p in data.providers.items()}

    def agreement(lists: dict[str, list[str]]) -> float:
        pairs = [(o, p) for o, ps in lists.items() if subtype.get(o) for p in ps]
        return sum(subtype[o] == subtype[p] for o, p in pairs) / max(1, len(pairs))

    print(f"{len(new)} trusts with peer-finder context, k = {args.k}")
    for method, lists in old.items():
        changed = [o for o in new if set(lists[o]) != set(new[o])]
        overlap = sum(len(set(lists[o]) & set(new[o])) for o in new) / len(new)
        print(f"{method:10s} list changed for {len(changed):3d} trusts; mean overlap with the new list "
              f"{overlap:.2f}/{args.k}; same NHS subtype {agreement(lists):.3f}")
    print(f"{'new':10s} same NHS subtype {agreement(new):.3f}")
    for a, b in (("search", "variation"), ("search", "buddies"), ("variation", "buddies")):
        differ = sum(set(old[a][o]) != set(old[b][o]) for o in new)
        print(f"old {a} and old {b} disagree for {differ} trusts")
    rng = random.Random(0)
    family: dict[str, list[str]] = {}
    for o in new:
        family.setdefault(data.providers[o].family or "", []).append(o)
    draws = [agreement({o: rng.sample([x for x in family[data.providers[o].family or ""] if x != o],
                                      min(args.k, len(family[data.providers[o].family or ""]) - 1))
                        for o in new}) for _ in range(20)]
    print(f"{'random':10s} same NHS subtype {sum(draws) / len(draws):.3f} (same family, mean of 20 draws)")
    if args.out:
        with args.out.open("w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["ods", "name", "family", "new", "old_search", "old_variation", "old_buddies",
                             "changed_from_search", "changed_from_variation", "changed_from_buddies"])
            for o in new:
                writer.writerow([o, data.providers[o].name, data.providers[o].family, " ".join(new[o]),
                                 *(" ".join(old[m][o]) for m in ("search", "variation", "buddies")),
                                 *(" ".join(sorted(set(new[o]) ^ set(old[m][o]))) for m in
                                   ("search", "variation", "buddies"))])
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

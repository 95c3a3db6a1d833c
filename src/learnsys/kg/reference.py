"""Load all reference data from the project's data folder into one ``ReferenceData``."""

from __future__ import annotations

import logging
from pathlib import Path

from learnsys.kg.catalogue import SERIES_METRICS, SOURCES
from learnsys.kg.loaders import ae, lins, nof, ods, peers, series
from learnsys.kg.namespaces import slug
from learnsys.kg.records import Metric, Observation, ReferenceData, Source

log = logging.getLogger(__name__)

# Metrics whose published rows are too few to infer direction from ranks.
KNOWN_DIRECTIONS = {"OF0016": "higher", "OF0017": "lower", "OF0028": "lower", "OF0063": "lower"}
AMBULANCE_TRUSTS = {"RX6", "RX7", "RX8", "RX9", "RYA", "RYC", "RRU", "RYD", "RYE", "RYF"}


def infer_direction(metric: Metric, observations: list[Observation]) -> str:
    """Which way is good for a NOF metric, read from its published ranks (rank 1 = best)."""
    pairs = [(o.value, o.rank) for o in observations if o.metric == metric.id and o.rank is not None]
    if len(pairs) < 5:
        return "lower" if metric.unit in ("score", "segment") else "higher"
    n = len(pairs)
    mean_v, mean_r = sum(p[0] for p in pairs) / n, sum(p[1] for p in pairs) / n
    cov = sum((v - mean_v) * (r - mean_r) for v, r in pairs)
    return "higher" if cov < 0 else "lower"


def _source_for(path: Path, data_dir: Path, sources: dict[str, Source]) -> Source:
    """The catalogued source of a data file, or a new one named after a file added later (a new quarter)."""
    relative = str(path.relative_to(data_dir))
    known = next((s for s in sources.values() if s.file == relative), None)
    if known is not None:
        return known
    source = Source(f"nof-{slug(path.stem)}", f"NHS Oversight Framework publication: {path.name}", "NHS England",
                    "https://www.england.nhs.uk/nhs-oversight-framework/", file=relative)
    sources[source.id] = source
    return source


def load_reference_data(data_dir: Path, lin_file: Path | None = None) -> ReferenceData:
    """Read every reference file; raises ``LoadError`` naming file and line on a malformed file."""
    data = ReferenceData(sources=dict(SOURCES))
    data.regions = ods.load_regions()
    data.icbs = ods.load_icbs(data_dir / "ods" / "icb_names.csv")
    data.providers = ods.load_trusts(data_dir / "ods" / "etr.csv", data.icbs)
    supplementary = data_dir / "ods" / "supplementary_trusts.csv"
    if supplementary.exists():
        data.providers.update(ods.load_trusts(supplementary, data.icbs))

    data_files, league_tables = nof.discover(data_dir / "nof")
    nof_loads = [nof.load_nof_data(path, _source_for(path, data_dir, data.sources).id) for path in data_files]
    assessments = [a for load in nof_loads for a in load.assessments]
    for path in league_tables:
        assessments += nof.load_league_table(path, _source_for(path, data_dir, data.sources).id)
    derived = data_dir / "nof" / "derived" / "acute_league_table_q3_2025_26_subset_via_trustpulse.csv"
    if derived.exists():
        assessments += nof.load_derived_acute_league(derived, "nof-acute-league-q3-2025-26-derived")
    for load in nof_loads:
        for code, (trust_type, subtype) in load.trust_types.items():
            if code in data.providers:
                data.providers[code].trust_type = nof.classify_trust(trust_type, subtype)
                data.providers[code].trust_subtype = subtype
        data.metrics.update(load.metrics)
        data.observations.extend(load.observations)
    for code in AMBULANCE_TRUSTS & data.providers.keys():
        data.providers[code].trust_type, data.providers[code].trust_subtype = "ambulance", "Ambulance"
    data.assessments = [a for a in nof.merge_assessments(assessments) if a.provider in data.providers]

    data.metrics.update(SERIES_METRICS)
    monthly: list[Observation] = []
    for path in sorted((data_dir / "ae").glob("Monthly-AE-*.csv")):
        monthly += ae.load_ae_month(path, "ae-monthly")
    monthly += series.load_rtt(data_dir / "rtt" / "rtt_incomplete_pathways_trust_monthly_2024-08_to_2025-07.csv",
                               "rtt-monthly")
    monthly += series.load_cancer(data_dir / "cancer" / "cancer_cwt_provider_monthly_2024-04_to_2025-07.csv",
                                  "cancer-cwt")
    monthly += series.load_diagnostics(
        data_dir / "diagnostics" / "diagnostics_dm01_provider_monthly_2024-08_to_2025-07.csv", "dm01")
    monthly += series.load_ambulance(
        data_dir / "ambulance" / "ambsys_response_times_and_handovers_trust_monthly.csv", "ambsys")
    monthly += series.load_staff_survey(
        data_dir / "staff_survey" / "nss2024_theme_and_people_promise_scores_by_org.csv", "nss-2024")
    data.observations.extend(monthly)
    data.observations = [o for o in data.observations if o.provider in data.providers]

    for metric_id, metric in list(data.metrics.items()):
        if metric.direction == "unknown":
            direction = KNOWN_DIRECTIONS.get(metric_id) or infer_direction(metric, data.observations)
            data.metrics[metric_id] = Metric(**{**metric.__dict__, "direction": direction})

    data.context, data.context_year = peers.load_context(data_dir / "peers" / "thf_trust_ref_file.csv")
    data.context = {k: v for k, v in data.context.items() if k in data.providers}
    data.lins = (lins.load_lin_memberships(lin_file, data.regions, data.providers) if lin_file
                 else lins.default_lins(data.regions, data.providers))
    log.info("loaded %d providers, %d observations, %d assessments",
             len(data.providers), len(data.observations), len(data.assessments))
    return data

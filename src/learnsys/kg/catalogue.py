"""Stable definitions of the monthly and annual series metrics, and the sources of every data file."""

from __future__ import annotations

from learnsys.kg.records import Metric, Source

NHSE = "NHS England"

SOURCES = {
    s.id: s for s in [
        Source("ods-etr", "Organisation Data Service: NHS trusts (etr), Q1 2025", "NHS England ODS",
               "https://digital.nhs.uk/services/organisation-data-service", file="ods/etr.csv"),
        Source("ods-icb", "GP practice to ICB mapping (ICB names and regions), January 2022", "NHS Digital",
               "https://digital.nhs.uk/services/organisation-data-service", file="ods/icb_names.csv"),
        Source("ae-monthly", "A&E Attendances and Emergency Admissions, monthly provider CSV", NHSE,
               "https://www.england.nhs.uk/statistics/statistical-work-areas/ae-waiting-times-and-activity/",
               file="ae/"),
        Source("rtt-monthly", "Consultant-led Referral to Treatment Waiting Times, incomplete pathways", NHSE,
               "https://www.england.nhs.uk/statistics/statistical-work-areas/rtt-waiting-times/",
               file="rtt/rtt_incomplete_pathways_trust_monthly_2024-08_to_2025-07.csv"),
        Source("cancer-cwt", "Cancer Waiting Times, provider data extracts", NHSE,
               "https://www.england.nhs.uk/statistics/statistical-work-areas/cancer-waiting-times/",
               file="cancer/cancer_cwt_provider_monthly_2024-04_to_2025-07.csv"),
        Source("dm01", "Monthly Diagnostic Waiting Times and Activity (DM01)", NHSE,
               "https://www.england.nhs.uk/statistics/statistical-work-areas/diagnostics-waiting-times-and-activity/",
               file="diagnostics/diagnostics_dm01_provider_monthly_2024-08_to_2025-07.csv"),
        Source("ambsys", "Ambulance Quality Indicators: Systems Indicators (AmbSYS)", NHSE,
               "https://www.england.nhs.uk/statistics/statistical-work-areas/ambulance-quality-indicators/",
               file="ambulance/ambsys_response_times_and_handovers_trust_monthly.csv"),
        Source("nss-2024", "NHS Staff Survey 2024: theme and People Promise scores by organisation",
               "NHS Staff Survey Coordination Centre / NHS England", "https://www.nhsstaffsurveys.com/",
               file="staff_survey/nss2024_theme_and_people_promise_scores_by_org.csv"),
        Source("nof-acute-q1-2025-26", "NHS Oversight Framework 2025/26 acute trust data, Q1", NHSE,
               "https://www.england.nhs.uk/nhs-oversight-framework/",
               file="nof/nhs-oversight-framework-acute-trust-data-q1-2025-26.csv"),
        Source("nof-mhc-2025-26", "NHS Oversight Framework 2025/26 mental health and community trust data, Q1-Q4",
               NHSE, "https://www.england.nhs.uk/nhs-oversight-framework/",
               file="nof/nhs-oversight-framework-mental-health-and-community-trust-data-q4-2025-26.csv"),
        Source("nof-mhc-league-q4-2025-26",
               "NHS Oversight Framework mental health and community trust league table, Q4 2025/26", NHSE,
               "https://www.england.nhs.uk/nhs-oversight-framework/",
               file="nof/nhs-oversight-framework-mental-health-and-community-trust-league-table-q4-2025-26.csv"),
        Source("nof-acute-league-q3-2025-26-derived",
               "NHS Oversight Framework acute league table Q3 2025/26 (second-hand subset of 129 trusts, "
               "kept by the third-party TrustPulse project; use with care)", NHSE,
               "https://www.england.nhs.uk/nhs-oversight-framework/",
               licence="Open Government Licence v3.0 (derived)",
               file="nof/derived/acute_league_table_q3_2025_26_subset_via_trustpulse.csv"),
        Source("thf-peer-finder", "Trust reference file (NHS Trust Peer Finder variables), 2011-2021",
               "The Health Foundation", "https://github.com/HFAnalyticsLab/NHS_trust_peer_finder",
               licence="MIT (The Health Foundation); underlying data NHS Digital, OGL v3",
               file="peers/thf_trust_ref_file.csv"),
    ]
}


def _m(id_: str, label: str, unit: str, direction: str, source: str, domain: str | None, description: str,
       granularity: str = "month") -> Metric:
    return Metric(id_, label, unit, direction, source, granularity, domain, description)


SERIES_METRICS = {
    m.id: m for m in [
        _m("ae_4h_all", "A&E 4-hour performance (all types)", "percent", "higher", "ae-monthly", "access",
           "Share of A&E attendances of all types, booked appointments included, that were admitted, "
           "transferred or discharged within 4 hours of arrival (1 - over 4 hours / attendances)."),
        _m("ae_4h_type1", "A&E 4-hour performance (type 1)", "percent", "higher", "ae-monthly", "access",
           "Share of type 1 (major emergency department) attendances, booked included, within 4 hours."),
        _m("ae_12h_dta", "12-hour waits from decision to admit", "count", "lower", "ae-monthly", "access",
           "Patients who waited more than 12 hours from a decision to admit to admission."),
        _m("ae_12h_dta_per_1000", "12-hour waits from decision to admit per 1,000 type 1 attendances",
           "per-1000", "lower", "ae-monthly", "access",
           "12-hour decision-to-admit waits per 1,000 type 1 attendances (booked included)."),
        _m("ae_attendances", "A&E attendances (all types)", "count", "none", "ae-monthly", None,
           "A&E attendances of all types including booked appointments (activity, context only)."),
        _m("rtt_18w_pct", "RTT: % of incomplete pathways within 18 weeks", "percent", "higher", "rtt-monthly",
           "access", "Share of patients waiting to start consultant-led treatment who have waited 18 weeks "
           "or less (equals NOF OF0023)."),
        _m("rtt_52w_count", "RTT: patients waiting over 52 weeks", "count", "lower", "rtt-monthly", "access",
           "Incomplete pathways waiting more than 52 weeks."),
        _m("rtt_52w_pct", "RTT: % of incomplete pathways over 52 weeks", "percent", "lower", "rtt-monthly",
           "access", "Share of incomplete pathways waiting more than 52 weeks (NOF OF0003)."),
        _m("rtt_waiting_list", "RTT waiting list (incomplete pathways)", "count", "lower", "rtt-monthly",
           "access", "Number of incomplete referral-to-treatment pathways."),
        _m("rtt_median_wait", "RTT median wait", "weeks", "lower", "rtt-monthly", "access",
           "Median waiting time of incomplete pathways, in weeks."),
        _m("cancer_fds_28d", "Cancer 28-day Faster Diagnosis Standard", "percent", "higher", "cancer-cwt",
           "access", "Share of urgent suspected-cancer referrals told of a diagnosis or ruling out within 28 days."),
        _m("cancer_31d", "Cancer 31-day decision to treat", "percent", "higher", "cancer-cwt", "access",
           "Share of patients starting treatment within 31 days of a decision to treat (combined)."),
        _m("cancer_62d", "Cancer 62-day referral to treatment", "percent", "higher", "cancer-cwt", "access",
           "Share of patients starting first treatment within 62 days of an urgent referral (combined)."),
        _m("dm01_6wk_pct", "Diagnostics: % waiting 6 weeks or more", "percent", "lower", "dm01", "access",
           "Share of the DM01 diagnostic waiting list waiting six weeks or more."),
        _m("dm01_waiting_list", "Diagnostics waiting list (DM01)", "count", "lower", "dm01", "access",
           "Patients waiting for one of the 15 DM01 diagnostic tests."),
        _m("amb_c1_mean", "Ambulance category 1 mean response", "minutes", "lower", "ambsys", "access",
           "Mean response time to category 1 (life-threatening) calls."),
        _m("amb_c1_p90", "Ambulance category 1 90th centile response", "minutes", "lower", "ambsys", "access",
           "90th centile response time to category 1 calls."),
        _m("amb_c2_mean", "Ambulance category 2 mean response", "minutes", "lower", "ambsys", "access",
           "Mean response time to category 2 (emergency) calls."),
        _m("amb_c2_p90", "Ambulance category 2 90th centile response", "minutes", "lower", "ambsys", "access",
           "90th centile response time to category 2 calls."),
        _m("amb_handover_mean", "Ambulance hospital handover mean time", "minutes", "lower", "ambsys", "access",
           "Mean time from ambulance arrival at hospital to handover of the patient."),
        _m("amb_handovers_over_60min", "Ambulance handovers over 60 minutes", "count", "lower", "ambsys",
           "access", "Hospital handovers that took more than 60 minutes."),
        _m("nss_engagement", "NHS Staff Survey staff engagement score", "score-out-of-10", "higher", "nss-2024",
           "people-workforce", "Staff engagement theme score (0-10); equals NOF OF0084.", granularity="year"),
        _m("nss_morale", "NHS Staff Survey morale score", "score-out-of-10", "higher", "nss-2024",
           "people-workforce", "Morale theme score (0-10).", granularity="year"),
    ]
}

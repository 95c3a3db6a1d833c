"""Improvement collaboratives as a living workspace: teams, measures, monthly values, PDSA cycles, reports,
SPC charts per team, the faculty dashboard, and the learning that flows back into search.

Core modules know nothing of HTTP or the database:

* ``model``: the validated shapes (measures with operational definitions, teams, cycles, reports, feedback);
* ``values_csv``: the ``month,<measure_id>,...`` spreadsheet upload, refused whole with file:line errors;
* ``team_chart``: a team's XmR chart through ``oversight.spc`` (one implementation), cycles marked, rebased;
* ``dashboard``: every team x measure for the faculty, counts, progress-score spread, CSV exports;
* ``learning``: per change idea, how many teams tested / adopted / adapted / abandoned it and saw improvement;
* ``case_study``: a team's sustained improvement drafted as a corpus case study for review;
* ``demo``: the synthetic UEC demonstration collaborative (labelled synthetic everywhere);
* ``graph``: the collaborative projected into the RDF graph.
"""

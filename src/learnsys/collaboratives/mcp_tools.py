"""The collaborative tools of the MCP server: "how is team X doing" and "which teams improved measure M".

Both call the same ``CollaborativeService`` methods as ``GET /v1/teams/{id}/summary`` and
``GET /v1/teams/improved``. The server acts as the account whose token is in ``LEARNSYS_MCP_TOKEN`` (if set),
otherwise anonymously: then only demonstration collaboratives (synthetic, public) are visible.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

from pydantic import Field

from learnsys.collaboratives import errors


def _account(services: Any) -> Any:
    token = os.environ.get("LEARNSYS_MCP_TOKEN")
    if not token or getattr(services, "store", None) is None:
        return None
    from learnsys.store import accounts

    return accounts.authenticate(services.store, token)


def register_tools(server: Any, loader: Any, annotations: Any, tool_error: type[Exception]) -> None:
    """Add the two tools to ``server`` (an ``MCPServer``)."""

    def _service() -> tuple[Any, Any]:
        services = loader.get()
        service = getattr(services, "collaboratives", None)
        if service is None:
            raise tool_error("the store of record is not open, so there are no collaboratives")
        return service, _account(services)

    @server.tool(title="How is a collaborative team doing", annotations=annotations)
    def collaborative_team_status(
        team_id: Annotated[str, Field(min_length=1, max_length=64, description=(
            "The team id in an improvement collaborative, e.g. 'demo-rxn' for the demo team of RXN."))],
    ) -> dict[str, Any]:
        """One team of an improvement collaborative: its latest progress score, its PDSA cycles (change idea,
        decision), and for every measure the latest monthly value, the Making Data Count variation and
        assurance categories and any special-cause improvement signals, plus a one-sentence summary.
        Responses about demonstration collaboratives carry a 'synthetic' note: say the data is invented."""
        service, account = _service()
        try:
            return service.team_summary(account, team_id)
        except errors.CollaborativeError as exc:
            raise tool_error(f"{exc.title}: {exc.detail}") from exc

    @server.tool(title="Which teams improved a measure", annotations=annotations)
    def teams_improving_measure(
        measure: Annotated[str, Field(min_length=1, max_length=64, description=(
            "A collaborative measure id, e.g. 'ae_4h_all' (four-hour A&E performance) or 'stay_12h_pct'."))],
        collaborative_id: Annotated[str | None, Field(max_length=64, description=(
            "Limit to one collaborative (optional)."))] = None,
    ) -> dict[str, Any]:
        """Teams whose measure shows special-cause improvement on its XmR chart (now, or a signal earlier),
        best first: currently improving, then sustained shifts. Each row names the team, provider, signals
        and months of data. Demonstration (synthetic) results are flagged and are not evidence."""
        service, account = _service()
        try:
            return service.improved_teams(account, measure, collaborative_id)
        except errors.CollaborativeError as exc:
            raise tool_error(f"{exc.title}: {exc.detail}") from exc

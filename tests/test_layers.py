"""The two layers of a report: what each section shows the client, and what goes to the appendix.

A section's client layer holds its finding plus the one chart (occasionally two) and at most one
compact table that prove it; every full table, test, reliability grid, pairwise comparison and
second chart is marked ``layer="appendix"`` (:class:`cem_research.steps.section.Shown`).  Notebooks
show both layers.  Checked on coffee_house (``Settings(n_boot=50)``) and, for the optional sections,
on fitness_club.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib
import pytest


matplotlib.use("Agg")

#: Most figures coffee_house's client layer may hold in total.
MAX_CLIENT_FIGURES = 11
#: Largest table the client layer may hold.
MAX_CLIENT_COLUMNS, MAX_CLIENT_ROWS = 7, 12
#: Widest compact table of an optional section.
MAX_OPTIONAL_COLUMNS = 6
OPTIONAL = ("SurveyWeighting", "ExperientialModules", "Kano", "PromiseAudit")

#: The client layer of each coffee_house section, by kind, in order (the policy of the report's layers).
CLIENT_KINDS = {
    "SampleOverview": [],
    "CustomerSegments": ["figure"],
    "ExperientialLayers": ["table", "figure"],
    "JourneyStages": [],
    "CompetitiveLandscape": [],
    "WhatCustomersSay": ["markdown"],
    "Reliability": [],
    "ExperientialProfile": ["figure"],
    "Drivers": ["figure"],
    "DriverCrosscheck": [],
    "ExperientialPlatform": [],  # its three findings carry the proposal and its evidence
    "BrandElements": ["figure"],
    "ElementImportancePerformance": ["figure"],
    "SegmentDifferences": [],
    "TouchpointPerformance": ["figure"],
    "TouchpointImportancePerformance": ["figure"],
    "Journeys": ["table"],
    "HumanTouch": [],
    "InterfaceVoice": ["figure", "markdown"],
    "TrackingAcrossWaves": ["figure"],
    "EmergingThemes": ["table"],
    "InnovationAgenda": ["figure", "table"],
}


@dataclass(frozen=True)
class Item:
    """What a section showed, without the figure itself (every figure is closed once built)."""

    section: str
    kind: str
    layer: str
    caption: str
    columns: tuple = ()
    rows: int = 0
    table: object = None  # the DataFrame of a client-layer table


def _present(data, settings, keys=None) -> dict[str, dict]:
    """``{section key: {"items": [Item, ...], "findings": [...]}}`` for the sections that run."""
    import matplotlib.pyplot as plt

    from cem_research.steps.section import Shown, all_sections

    out = {}
    for section in all_sections():
        if keys is not None and section.key not in keys:
            continue
        if section.skip_reason(data, settings) is not None:
            continue
        result = section.result(data, settings)
        items = []
        for shown in section.present(result, data, settings):
            if shown is None:
                continue
            assert isinstance(shown, Shown), (section.key, type(shown))
            content = shown.content
            table = shown.kind == "table"
            items.append(Item(section.key, shown.kind, shown.layer, str(shown.caption),
                              tuple(content.columns) if table else (), len(content) if table else 0,
                              content if table and shown.layer == "client" else None))
            if shown.kind == "figure":
                plt.close(content)
        out[section.key] = {"items": items, "findings": section.findings(result, data, settings),
                            "result": result}
    plt.close("all")
    return out


@pytest.fixture(scope="module")
def coffee(clients):
    """``clients``: the session's processed demo clients (conftest.py)."""
    from cem_research.steps.section import Settings

    return _present(clients["coffee_house"], Settings(n_boot=50))


@pytest.fixture(scope="module")
def optional(clients):
    """The optional sections of fitness_club, the demo client that declares all four."""
    from cem_research.steps.section import Settings

    return _present(clients["fitness_club"], Settings(n_boot=50), keys=OPTIONAL)


def _client(sections) -> list[Item]:
    return [i for s in sections.values() for i in s["items"] if i.layer == "client"]


def test_a_shown_item_is_in_one_of_the_two_layers(coffee, optional):
    from cem_research.steps.section import LAYERS, Shown

    assert LAYERS == ("client", "appendix")
    for sections in (coffee, optional):
        for s in sections.values():
            for item in s["items"]:
                assert item.layer in LAYERS, item
    assert Shown("table", None).layer == "client"
    with pytest.raises(ValueError, match="layer"):
        Shown("table", None, layer="summary")


def test_each_section_shows_the_client_its_chart_and_compact_table(coffee):
    assert set(coffee) == set(CLIENT_KINDS), sorted(set(coffee) ^ set(CLIENT_KINDS))
    for key, s in coffee.items():
        kinds = [i.kind for i in s["items"] if i.layer == "client"]
        assert kinds == CLIENT_KINDS[key], (key, kinds)


def test_the_client_layer_holds_at_most_11_figures(coffee):
    figures = [i for i in _client(coffee) if i.kind == "figure"]
    assert 0 < len(figures) <= MAX_CLIENT_FIGURES, [(i.section, i.caption[:50]) for i in figures]


def test_every_client_table_is_compact(coffee):
    tables = [i for i in _client(coffee) if i.kind == "table"]
    assert tables
    for t in tables:
        assert len(t.columns) <= MAX_CLIENT_COLUMNS, (t.section, t.caption, t.columns)
        assert t.rows <= MAX_CLIENT_ROWS, (t.section, t.caption, t.rows)


def test_every_section_keeps_an_item_or_a_finding(coffee):
    for key, s in coffee.items():
        assert s["items"] or s["findings"], f"{key}: shows nothing and finds nothing"
        client = [i for i in s["items"] if i.layer == "client"]
        # a section whose client layer is empty speaks to the client through its finding (the data
        # overview alone is all appendix: the accounting of the rows)
        assert client or s["findings"] or key == "SampleOverview", f"{key}: the client's report shows nothing of it"


def test_no_item_is_shown_twice_in_the_client_layer(coffee):
    captions = [(i.section, i.caption) for i in _client(coffee) if i.kind != "markdown"]
    assert len(captions) == len(set(captions)), captions


def test_notebooks_keep_every_full_table_in_the_appendix(coffee):
    """Nothing is dropped: the full tables a compact client table summarises are still shown."""
    appendix = {(i.section, i.kind) for s in coffee.values() for i in s["items"] if i.layer == "appendix"}
    for key in ("SampleOverview", "Reliability", "DriverCrosscheck", "SegmentDifferences", "EmergingThemes",
                "InnovationAgenda", "TrackingAcrossWaves", "Journeys"):
        assert (key, "table") in appendix, key
    agenda = coffee["InnovationAgenda"]["items"]
    full = next(i for i in agenda if i.kind == "table" and i.layer == "appendix")
    compact = next(i for i in agenda if i.kind == "table" and i.layer == "client")
    assert len(full.columns) > MAX_CLIENT_COLUMNS >= len(compact.columns)
    # page one reads the agenda from the table holding "opportunity" and "gain": the full one
    assert {"opportunity", "gain"} <= set(full.columns)
    assert not {"opportunity", "gain"} <= set(compact.columns)


def test_the_compact_agenda_names_touchpoints_and_stages_in_words(coffee):
    result = coffee["InnovationAgenda"]["result"]
    [compact] = [i for i in coffee["InnovationAgenda"]["items"] if i.kind == "table" and i.layer == "client"]
    table = compact.table
    assert len(table) == min(len(result), MAX_CLIENT_ROWS) and list(table["rank"]) == list(result["rank"])[:len(table)]
    first = table.iloc[0]
    assert result["opportunity"].iloc[0] == "mobile_app_order"  # the id ...
    assert "Mobile app order" in first["action"] and first["where"] == "Purchase stage"  # ... in words
    assert not table.astype(str).apply(lambda c: c.str.contains("_")).any().any()
    assert all(len(str(v)) <= 80 for v in table.to_numpy().ravel())  # no long hidden-text columns


def test_optional_sections_keep_one_chart_and_at_most_one_compact_table(optional):
    assert set(optional) == set(OPTIONAL)
    for key, s in optional.items():
        client = [i for i in s["items"] if i.layer == "client"]
        assert [i.kind for i in client if i.kind == "figure"] == ["figure"], key
        tables = [i for i in client if i.kind == "table"]
        assert len(tables) <= 1, key
        for t in tables:
            assert len(t.columns) <= MAX_OPTIONAL_COLUMNS and t.rows <= MAX_CLIENT_ROWS, (key, t.columns, t.rows)
        assert not [i for i in client if i.kind == "markdown"], key  # the method text is the appendix's

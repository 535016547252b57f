"""Every report section over every demo client and a real survey (scikit-learn's
``parametrize_with_checks`` habit): each returns a result or a one-line reason, never an exception.

Also: the sections' contract (step, title, unique keys), and one main outcome for every step.
"""

from __future__ import annotations

import shutil

import matplotlib
import pytest
import yaml

from conftest import REPO, project_root
from conftest import SECTION_CLIENTS as CLIENTS

matplotlib.use("Agg")


def _sections():
    from cem_research.steps.section import all_sections

    return all_sections()


SECTIONS = _sections()


def test_every_step_has_sections():
    steps = {s.step for s in SECTIONS}
    assert steps == {1, 2, 3, 4, 5}, f"steps without sections: {sorted({1, 2, 3, 4, 5} - steps)}"


def test_sections_have_unique_keys_and_titles_in_step_order():
    keys = [s.key for s in SECTIONS]
    assert len(keys) == len(set(keys)), f"duplicate section classes: {keys}"
    assert [s.step for s in SECTIONS] == sorted(s.step for s in SECTIONS)
    for s in SECTIONS:
        assert isinstance(s.title, str) and s.title.strip() and s.title == s.title.strip()
        assert s.title[0].isupper(), f"{s.key}: title {s.title!r} is not a heading"


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.key)
def test_section_returns_a_result_or_a_reason(section, client, clients):
    import matplotlib.pyplot as plt

    from cem_research.steps.section import Settings, Shown

    if client not in clients:
        pytest.skip(f"{client} is not available here")
    data = clients[client]
    settings = Settings(n_boot=50)
    reason = section.skip_reason(data, settings)
    if reason is not None:
        assert isinstance(reason, str) and reason.strip(), f"{section.key}: empty skip reason"
        assert "\n" not in reason.strip(), f"{section.key}: a skip reason is one line"
        assert section.result(data, settings) is None
        return
    result = section.result(data, settings)
    found = section.findings(result, data, settings)
    assert isinstance(found, list)
    for f in found:
        assert isinstance(f, dict) and isinstance(f.get("text"), str) and f["text"].strip(), (section.key, f)
        assert set(f) <= {"text", "headline", "key", "value", "ci"}, (section.key, sorted(f))
    shown = section.present(result, data, settings)
    try:
        for item in shown:
            assert isinstance(item, Shown), (section.key, type(item))
            assert item.kind in {"table", "figure", "markdown"}
            if item.kind == "figure":
                assert item.caption and not item.caption.startswith("<Figure"), (
                    f"{section.key}: a figure needs a descriptive alt text")
            if item.kind == "table":
                assert hasattr(item.content, "columns"), section.key
    finally:
        plt.close("all")


def test_a_section_result_is_computed_once_per_client_and_settings(clients):
    from cem_research.steps.section import Settings

    data = clients["coffee_house"]
    section = next(s for s in SECTIONS if s.skip_reason(data, Settings()) is None)
    assert section.result(data, Settings()) is section.result(data, Settings())


def test_settings_refuse_unknown_names_and_bad_values():
    from cem_research.steps.section import Settings

    with pytest.raises(TypeError, match="n_bootstrap"):
        Settings.from_params(n_bootstrap=10)
    with pytest.raises(ValueError, match="confidence"):
        Settings(confidence=95)
    assert Settings.from_params(n_boot=None, seed=7) == Settings(seed=7)


# ------------------------------------------------------------------------------------ one main outcome


def _findings(data, settings):
    out = {}
    for section in SECTIONS:
        if section.skip_reason(data, settings) is None:
            result = section.result(data, settings)
            out[section.key] = [f["text"] for f in section.findings(result, data, settings)]
    return out


@pytest.fixture(scope="module")
def reordered(tmp_path_factory):
    """coffee_house three times: outcomes [loyalty, satisfaction, recommend] (main outcome loyalty by
    default); [satisfaction, recommend, loyalty] with ``main_outcome: loyalty``; and the same order
    with ``main_outcome: satisfaction``."""
    from cem_research.client.data import load_client

    root = tmp_path_factory.mktemp("main_outcome")
    variants = {
        "first_loyalty": {"outcomes": ["loyalty", "satisfaction", "recommend"]},
        "declared_loyalty": {"outcomes": ["satisfaction", "recommend", "loyalty"], "main_outcome": "loyalty"},
        "declared_satisfaction": {"outcomes": ["satisfaction", "recommend", "loyalty"],
                                  "main_outcome": "satisfaction"},
    }
    loaded = {}
    with project_root(root):
        for name, change in variants.items():
            folder = root / "data" / "raw" / name
            shutil.copytree(REPO / "data" / "raw" / "coffee_house", folder)
            cfg = yaml.safe_load((folder / "client.yaml").read_text())
            cfg.update(change)
            (folder / "client.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True))
            loaded[name] = load_client(name, raw_root=root / "data" / "raw")
    return loaded


def test_every_step_states_its_findings_on_the_one_main_outcome(reordered):
    from cem_research.steps.section import Settings

    settings = Settings(n_boot=50)
    first = reordered["first_loyalty"]
    assert first.main_outcome == "loyalty" and reordered["declared_satisfaction"].main_outcome == "satisfaction"
    by_default = _findings(first, settings)
    declared = _findings(reordered["declared_loyalty"], settings)
    other = _findings(reordered["declared_satisfaction"], settings)
    # the findings depend on the main outcome only, not on the order the outcomes are listed in ...
    assert by_default == declared
    # ... and they do depend on it: every step states a finding on the declared main outcome
    changed = {k for k in by_default if by_default[k] != other.get(k)}
    steps = {s.step for s in SECTIONS if s.key in changed}
    assert steps == {1, 2, 3, 4, 5}, f"steps that ignore the main outcome: {sorted({1, 2, 3, 4, 5} - steps)}"
    label = first.config.constructs["loyalty"].title
    for key in changed:
        assert any(label in text or label.lower() in text for text in by_default[key]), (
            f"{key}: its finding does not name the main outcome ({label}): {by_default[key]}")

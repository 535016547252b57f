"""Hostile inputs that the bad-input corpus (``tests/bad_inputs/``) cannot hold as plain files (issue 16):
symbolic links, an oversized or recursive ``client.yaml``, and constructs without variation or answers
reaching the report sections.  The corpus cases of the same issue are in ``tests/bad_inputs/make_cases.py``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cem_research.client.config import load_config
from cem_research.client.contract import natural_order, read_client
from cem_research.client.errors import ContractError

CORPUS = Path(__file__).resolve().parent / "bad_inputs"


def _client(tmp_path: Path, name: str = "acme") -> Path:
    folder = tmp_path / name
    shutil.copytree(CORPUS / "valid_base", folder, ignore=shutil.ignore_patterns("expected.*"))
    return folder


# ---------------------------------------------------------------------------
# symbolic links: a client folder reads only its own files
def test_symlinked_data_file_outside_the_folder_is_refused(tmp_path):
    folder = _client(tmp_path)
    secret = tmp_path / "secret.csv"
    secret.write_text("resp_id,wave,brand,comment\nr01,W1,Test Brew,the other client's secret\n")
    (folder / "feedback.csv").unlink()
    (folder / "feedback.csv").symlink_to(secret)
    with pytest.raises(ContractError) as info:
        read_client(load_config(folder))
    assert str(info.value) == ("client 'acme', file 'feedback.csv': is a symbolic link (or lies outside the client "
                               "folder), which is not read: copy the file itself into the client folder")


def test_symlink_inside_the_folder_and_symlinked_yaml_are_refused(tmp_path):
    folder = _client(tmp_path)
    (folder / "survey.csv").rename(folder / "real_survey.csv")
    (folder / "survey.csv").symlink_to(folder / "real_survey.csv")  # a link, even to a file of the folder
    with pytest.raises(ContractError, match="file 'survey.csv': is a symbolic link"):
        load_config(folder)
    other = _client(tmp_path, "other")
    (other / "client.yaml").unlink()
    (other / "client.yaml").symlink_to(folder / "client.yaml")
    with pytest.raises(ContractError, match="client 'other', file 'client.yaml': is a symbolic link"):
        load_config(other)


def test_a_symlinked_client_folder_still_reads(tmp_path):
    """The folder itself may be a link (a shared drive); only files inside it are checked."""
    real = _client(tmp_path / "share")
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "acme").symlink_to(real, target_is_directory=True)
    raw = read_client(load_config(tmp_path / "raw" / "acme"))
    assert len(raw.ratings) == 9


# ---------------------------------------------------------------------------
# client.yaml: size, aliases, nesting
def test_oversized_client_yaml_is_refused_before_parsing(tmp_path):
    folder = _client(tmp_path)
    text = (folder / "client.yaml").read_text()
    (folder / "client.yaml").write_text(text + "# " + "x" * 1_000_000 + "\n")
    with pytest.raises(ContractError, match=r"client\.yaml is 1,00\d,\d+ bytes; at most 1,000,000 are read"):
        load_config(folder)


@pytest.mark.parametrize("tail, message", [
    ("loop: &a [*a]\n", "expands through its aliases"),  # a list inside itself
    ("deep: " + "[" * 5000 + "]" * 5000 + "\n", "nests lists or mappings too deeply"),
])
def test_recursive_or_deep_yaml_is_refused(tmp_path, tail, message):
    folder = _client(tmp_path)
    (folder / "client.yaml").write_text((folder / "client.yaml").read_text() + tail)
    with pytest.raises(ContractError, match=message):
        load_config(folder)


def test_a_few_aliases_are_fine(tmp_path):
    folder = _client(tmp_path)
    text = (folder / "client.yaml").read_text()
    text = text.replace("\nscale: [1, 7]\n", "\nscale: &likert [1, 7]\n")
    text = text.replace("  quality:\n    items: [qual1, qual2, qual3]\n",
                        "  quality:\n    items: [qual1, qual2, qual3]\n    scale: *likert\n")
    assert text.count("*likert") == 1
    (folder / "client.yaml").write_text(text)
    assert load_config(folder).constructs["quality"].scale == (1.0, 7.0)


# ---------------------------------------------------------------------------
# waves without `waves:`
@pytest.mark.parametrize("labels, order", [
    (["Wave 10", "Wave 9", "Wave 2"], ["Wave 2", "Wave 9", "Wave 10"]),
    (["10", "9", "2.5"], ["2.5", "9", "10"]),
    (["2026Q1", "2025Q4"], ["2025Q4", "2026Q1"]),
    (["Q1 2026", "Q4 2025", "Q2 2025"], ["Q2 2025", "Q4 2025", "Q1 2026"]),
    (["2025-10-01", "2025-09-15", "2024-12-31"], ["2024-12-31", "2025-09-15", "2025-10-01"]),
    (["Jan 2026", "Dec 2025"], ["Dec 2025", "Jan 2026"]),
    (["only"], ["only"]),
    (["Spring", "Autumn"], None),
    (["baseline", "follow-up"], None),
    (["01.03.2025", "02.01.2025"], None),  # day.month or month.day: unknown
    (["v1.10", "v1.9"], None),
])
def test_natural_wave_order(labels, order):
    assert natural_order(labels) == order


# ---------------------------------------------------------------------------
# a construct with no variation, or no answers, reaches the sections of notebooks 03 and 05
def _variant(data, construct: str, value: float | None):
    from cem_research.client.data import ClientData

    ratings = data.ratings.copy()
    for col in (*data.config.constructs[construct].items, construct):
        ratings[col] = float("nan") if value is None else float(value)  # as processing stores them
    return ClientData(data.config, ratings, data.feedback, data.touchpoints, data.meta, data.kano_answers,
                      data.hand_coded)


@pytest.mark.parametrize("construct, value", [
    ("look_and_feel", 4.0),    # every answer alike (a driver and a brand element)
    ("look_and_feel", None),   # nobody answered
    ("sensory", 4.0),          # a brand-experience dimension compared across segments
    ("satisfaction", 6.0),     # the main outcome
])
def test_constructs_without_variation_or_answers_never_crash_a_section(clients, construct, value):
    import matplotlib.pyplot as plt

    from cem_research.steps.section import Settings, all_sections

    if "tiny_client" not in clients:
        pytest.skip("tiny_client is not available")
    data = _variant(clients["tiny_client"], construct, value)
    settings = Settings(n_boot=30)
    ran = {}
    try:
        for section in all_sections():
            if section.step not in (3, 5):
                continue
            reason = section.skip_reason(data, settings)
            if reason is None:
                result = section.result(data, settings)
                section.findings(result, data, settings)
                section.present(result, data, settings)
            else:
                assert reason.strip() and "\n" not in reason.strip()
            ran[section.key] = result if reason is None else reason
    finally:
        plt.close("all")
    segments = ran.get("SegmentDifferences")
    if segments is not None and not isinstance(segments, str):  # a construct without variation is not compared
        assert construct not in set(segments.differences["dimension"])
    agenda = ran.get("InnovationAgenda")
    if agenda is not None and not isinstance(agenda, str) and construct != "satisfaction":
        from cem_research.steps.innovation.common import construct_title

        assert construct_title(data.config, construct) not in set(agenda["opportunity"])
    # and the report says once why it is absent: the measurement-quality finding names it
    from cem_research.present import narrative as nv
    from cem_research.steps.platform import Reliability

    rel = Reliability()
    [finding] = rel.findings(rel.result(data, settings), data, settings)
    why = "no answers" if value is None else f"every answer is {value:.0f}"
    assert f"{nv.label(data.config, construct)} ({why})" in finding["text"] and finding["headline"]


def test_codebook_file_is_read_as_safely_as_client_yaml(tmp_path):
    folder = _client(tmp_path)
    text = (folder / "client.yaml").read_text().replace("\njourney: [", "\nmodules:\n  codebook: book.yaml\njourney: [")
    (folder / "client.yaml").write_text(text)
    bomb = "".join(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}" if i else "lol"] * 9) + "]\n"
                   for i in range(9))
    (folder / "book.yaml").write_text(bomb)
    with pytest.raises(ContractError) as info:
        load_config(folder)
    assert str(info.value) == ("client 'acme', file 'book.yaml': book.yaml expands through its aliases (*name) to "
                               "more than 100,000 values; write the values out instead of repeating aliases")
    (folder / "book.yaml").unlink()
    outside = tmp_path / "book.yaml"
    outside.write_text("RELATE: [community]\n")
    (folder / "book.yaml").symlink_to(outside)
    with pytest.raises(ContractError, match="'modules.codebook' names the file 'book.yaml', which is not a file in"):
        load_config(folder)

"""Tables a client can read: reader labels for every column (present.labels) and one cell formatter
consistent with the sentences (present.tables, built on present.narrative)."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

from cem_research.present import labels as lb
from cem_research.present import narrative as nv
from cem_research.present import tables

matplotlib.use("Agg")

HEADER = re.compile(r"<th(?:\s[^>]*)?>(.*?)</th>", re.S)
CELL = re.compile(r"<td(?:\s[^>]*)?>(.*?)</td>", re.S)
CLIENTS = ["coffee_house", "fitness_club"]
LT001 = "<\u00a0.001"  # '< .001' with a space a narrow column does not break


def cells(df, **options):
    """The formatted cells of a one-column frame as a list."""
    return tables.format_frame(df, **options).iloc[:, 0].tolist()


def headers(html_text):
    return HEADER.findall(html_text)


def part_html(html_text):
    """Each ``<table>`` of a shown table (with the caption before it)."""
    return [t for t in re.split(r"(?=<p><em>)|(?<=</table>)", html_text) if "<table" in t]


# ---- one formatter for cells ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["p", "p_unc", "p_corr", "p_gameshowell", "pair_p", "reach_p_corr", "trend_p_corr"])
def test_p_values_read_as_in_sentences(name):
    out = cells(pd.DataFrame({name: [0.0004, 0.0123, 0.05, 1.0, np.nan]}))
    assert out == [LT001, ".012", ".050", "1.000", ""]
    assert out[0].replace("\u00a0", " ") == nv.p(0.0004).removeprefix("p ")
    assert out[1] == nv.p(0.0123).removeprefix("p = ")


def test_declared_p_value_column():
    assert cells(pd.DataFrame({"holm": [0.00001]}), pvalues=("holm",)) == [LT001]
    assert cells(pd.DataFrame({"holm": [0.00001]})) == ["0.00"]


@pytest.mark.parametrize("name", ["pct_promoters", "pomp", "passives"])
def test_names_that_merely_start_with_p_are_not_p_values(name):
    assert not tables.is_pvalue(name)


def test_percentages_never_show_a_negative_zero():
    out = cells(pd.DataFrame({"share": [0.275, -0.0001, -0.0004, 0.0, 1.0, np.nan]}), percent=("share",))
    assert out == ["27.5%", "0.0%", "0.0%", "0.0%", "100.0%", ""]
    assert not any(c.startswith("-0") for c in out)


def test_percentages_on_a_0_to_100_scale():
    assert cells(pd.DataFrame({"pct_promoters": [35.7558, -0.01]})) == ["35.8%", "0.0%"]


def test_nps_as_signed_integers_with_its_interval_and_change():
    df = pd.DataFrame({"wave": ["a", "b"], "nps": [11.92, -0.3], "ci_low": [3.86, -9.4], "ci_high": [19.98, 5.2],
                       "change": [np.nan, -3.3], "change_ci_low": [np.nan, -14.8], "change_ci_high": [np.nan, 8.2]})
    out = tables.format_frame(df)
    assert out["nps"].tolist() == ["+12", "0"]
    assert out["ci_low"].tolist() == ["+4", "-9"] and out["ci_high"].tolist() == ["+20", "+5"]
    assert out["change"].tolist() == ["", "-3"] and out["change_ci_high"].tolist() == ["", "+8"]
    assert cells(pd.DataFrame({"nps_latest": [13.79]})) == ["+14"]
    # without an nps column an interval is an ordinary number
    assert cells(pd.DataFrame({"ci_low": [3.86]})) == ["3.86"]
    assert cells(pd.DataFrame({"score": [7.6]}), nps=("score",)) == ["+8"]


def test_counts_as_integers_with_thousands_separators():
    df = pd.DataFrame({"n": [1050, 2], "n_events": [12345.0, 3.0], "n_eff": [1040.0, 481.46], "mean": [1234.5, 2.0]})
    out = tables.format_frame(df)
    assert out["n"].tolist() == ["1,050", "2"]
    assert out["n_events"].tolist() == ["12,345", "3"]
    assert out["n_eff"].tolist() == ["1,040", "481"]
    assert out["mean"].tolist() == ["1,234.50", "2.00"]
    assert cells(pd.DataFrame({"iterations": pd.array([51, None], dtype="Int64")})) == ["51", ""]


def test_whole_degrees_of_freedom_and_scale_points_without_decimals():
    out = tables.format_frame(pd.DataFrame({"ddof1": [1.0, 2.0], "ddof2": [513.47, 624.9], "scale_max": [7.0, 10.0]}))
    assert out.values.tolist() == [["1", "513.47", "7"], ["2", "624.90", "10"]]
    assert cells(pd.DataFrame({"df": [928.0, 690.94]})) == ["928.00", "690.94"]


def test_booleans_yes_no_and_missing_empty():
    assert cells(pd.DataFrame({"significant": [True, False]})) == ["yes", "no"]
    assert cells(pd.DataFrame({"flag": [True, None, np.nan]})) == ["yes", "", ""]
    assert cells(pd.DataFrame({"note": ["x", None, np.nan]})) == ["x", "", ""]
    assert cells(pd.DataFrame({"mean": [np.nan, None]})) == ["", ""]


def test_negative_zero_never_shown():
    assert cells(pd.DataFrame({"diff": [-0.001, -0.004, -0.006, 0.0]})) == ["0.00", "0.00", "-0.01", "0.00"]
    assert cells(pd.DataFrame({"diff": [-0.04]}), digits=1) == ["0.0"]


def test_text_in_a_percent_column_is_kept():
    assert cells(pd.DataFrame({"share": ["4% [3%, 6%]", 0.5]}), percent=("share",)) == ["4% [3%, 6%]", "50.0%"]


# ---- column labels ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name, label", [
    ("ci_low", "95% CI low"), ("ci_high", "95% CI high"), ("p_corr", "p (corrected)"), ("p_unc", "p"),
    ("hedges", "Hedges' g"), ("n_eff", "effective n"), ("omega2", "ω²"), ("np2", "partial η²"),
    ("pomp", "score (0–100)"), ("reliability_flag", "reliability note"), ("share_ci_low", "share, 95% CI low"),
    ("ddof2", "df (within)"), ("mean_ref", "own brand mean"), ("n_other", "n (competitor)"),
    ("share_2026Q2", "share, 2026Q2"), ("scale_min", "scale minimum"),
])
def test_labels(name, label):
    assert lb.column_label(name) == label


def test_safety_net_reads_snake_case_as_words():
    assert lb.column_label("brand_new_thing") == "brand new thing"
    assert lb.column_label("uplift_ci_low") == "uplift, 95% CI low"
    assert lb.column_label("Already fine") == "Already fine"


def test_labels_that_depend_on_the_table():
    assert tables.reader_columns(pd.DataFrame(columns=["k", "alpha"]))["k"] == "items"
    assert tables.reader_columns(pd.DataFrame(columns=["k", "F"]))["k"] == "groups"
    assert tables.reader_columns(pd.DataFrame(columns=["nps", "ci_low"]))["ci_low"] == "NPS, 95% CI low"
    assert tables.reader_columns(pd.DataFrame(columns=["kappa", "alpha"]))["alpha"] == "Krippendorff's α"
    assert tables.reader_columns(pd.DataFrame(columns=["A", "B", "mean_A"]))["A"] == "group A"
    assert tables.reader_columns(pd.DataFrame(columns=["label", "A", "O", "M"]))["A"] == "A"  # Kano: attractive


def test_interval_labels_follow_the_confidence_level():
    df = pd.DataFrame({"share": [0.5], "ci_low": [0.4], "ci_high": [0.6]})
    assert tables.reader_columns(df, confidence=0.9)["ci_low"] == "90% CI low"
    assert tables.reader_columns(df, caption="Shares (Wilson 99% CI)")["ci_high"] == "99% CI high"
    assert tables.reader_columns(df, caption="Shares")["ci_high"] == "95% CI high"
    assert tables.reader_columns(df)["ci_low"] == "95% CI low"
    html_text = tables.show(df, "Shares (Wilson 90% CI)", percent=("share", "ci_low", "ci_high")).data
    assert headers(html_text) == ["share", "90% CI low", "90% CI high"]
    assert headers(tables.show(df, "Shares (Wilson 90% CI)", confidence=0.8).data)[1] == "80% CI low"


def test_a_sections_rename_wins():
    df = pd.DataFrame({"mean_ref": [1.0], "diff": [0.5], "p_corr": [0.01], "ci_low_0_100": [40.0]})
    rename = {"mean_ref": "own mean", "diff": "own minus competitor", "p_corr": "p_corr (Holm)",
              "ci_low_0_100": "ci_low"}
    assert headers(tables.show(df, rename=rename).data) == ["own mean", "own minus competitor", "p (Holm)",
                                                           "95% CI low"]
    assert tables.reader_columns(df, rename=rename) == dict(zip(df.columns, headers(tables.show(df, rename=rename).data)))


def test_labels_of_one_table_are_distinct():
    df = pd.DataFrame(columns=["outcome", "outcome_label", "layer", "layer_label", "n_ref", "n_own"])
    labels = tables.reader_columns(df)
    assert labels["outcome"] == "outcome code" and labels["outcome_label"] == "outcome"
    assert len(set(labels.values())) == len(labels)


def test_reader_columns_is_what_show_writes():
    df = pd.DataFrame({"segment_label": ["a"], "np2": [0.1], "omega2": [0.05], "p_corr": [0.2], "n": [3]})
    assert list(tables.reader_columns(df).values()) == headers(tables.show(df).data)


# ---- captions, escaping, the HTML object ---------------------------------------------------------------
def test_client_text_is_escaped_once():
    df = pd.DataFrame({"brand": ["Bean & Co.", "<script>x</script>"], "n": [1, 2]})
    shown = tables.show(df, caption="Bean & Co. <ratings>")
    from IPython.display import HTML

    assert isinstance(shown, HTML)
    text = shown.data
    assert "<p><em>Bean &amp; Co. &lt;ratings&gt;</em></p>" in text
    assert CELL.findall(text)[0] == "Bean &amp; Co."
    assert "&lt;script&gt;x&lt;/script&gt;" in text
    assert "&amp;amp;" not in text and "&amp;lt;" not in text and "<script>" not in text


def test_a_named_column_index_adds_no_header():
    df = pd.DataFrame({"label": ["Clean showers"], "Attractive": ["4% [3%, 6%]"]})
    df.columns.name = "category_name"
    assert headers(tables.show(df, rename={"label": "feature"}).data) == ["feature", "Attractive"]


def test_index_option_shows_the_index():
    df = pd.DataFrame({"mean": [1.0]}, index=pd.Index(["x"], name="brand_kind"))
    assert headers(tables.show(df, index=True).data) == ["brand type", "mean"]


# ---- every table of every section, as the demo reports show them -------------------------------------
@pytest.fixture(scope="module")
def shown_tables(clients):
    """``(client, section, Shown)`` for every table every section shows for the demo clients (``clients``:
    the session's processed clients, conftest.py)."""
    import matplotlib.pyplot as plt

    from cem_research.steps.section import Settings, all_sections

    settings = Settings(n_boot=50)
    out = []
    for name in CLIENTS:
        data = clients[name]
        for section in all_sections():
            if section.skip_reason(data, settings) is not None:
                continue
            for item in section.present(section.result(data, settings), data, settings):
                if item is not None and item.kind == "table":
                    out.append((name, section.key, item))
                elif item is not None and item.kind == "figure":
                    plt.close(item.content)
    assert {c for c, _, _ in out} == set(CLIENTS)
    return out


def test_no_header_a_reader_sees_is_a_code_name(shown_tables):
    bad = []
    for client, key, item in shown_tables:
        html_text = tables.show(item.content, caption=item.caption or None, **item.options).data
        found = list(dict.fromkeys(headers(html_text)))  # a split table repeats its key columns
        assert len(found) == item.content.shape[1] + (item.content.index.nlevels if item.options.get("index") else 0)
        bad += [(client, key, h) for h in found if lb.CODE_NAME.match(h)]
        for part in part_html(html_text):
            assert len(set(headers(part))) == len(headers(part)), (client, key, headers(part))
    assert not bad, bad


def test_every_snake_case_column_of_the_demo_reports_is_labelled_explicitly(shown_tables):
    """The snake_case -> words rule is only a safety net: each such name has its own label."""
    missing = set()
    for client, key, item in shown_tables:
        rename = item.options.get("rename") or {}
        for col in map(str, item.content.columns):
            if "_" not in col or col in rename:
                continue
            if not (col in lb.LABELS or col in lb.CONTEXT_LABELS or any(p.match(col) for p, _ in lb.PATTERNS)):
                missing.add((key, col))
    assert not missing, sorted(missing)


def test_demo_tables_show_nps_p_values_and_zeros_as_the_sentences_do(shown_tables):
    seen_nps = seen_p = 0
    for client, key, item in shown_tables:
        opts = {k: v for k, v in item.options.items() if k in {"digits", "percent", "pvalues", "nps"}}
        out = tables.format_frame(item.content, **opts)
        for col in out.columns:
            values = out[col].tolist()
            if tables.is_pvalue(col):
                seen_p += 1
                assert all(re.fullmatch(r"(<\u00a0\.001|\.\d{3}|1\.000)?", v) for v in values), (client, key, col, values)
            if col in tables.nps_columns(out.columns):
                seen_nps += 1
                assert all(re.fullmatch(r"([+-]?[1-9]\d*|0)?", v) for v in values), (client, key, col, values)
            assert not any(re.fullmatch(r"-0(\.0+)?%?", v) for v in values), (client, key, col)
    assert seen_p > 20 and seen_nps >= 4


def test_demo_tables_fit_the_text_column(shown_tables):
    """Every part of every demo table is estimated within the budget, unless one unit alone is wider."""
    split = 0
    for client, key, item in shown_tables:
        frame = item.content.reset_index() if item.options.get("index") else item.content
        opts = {k: v for k, v in item.options.items() if k in {"digits", "percent", "pvalues", "nps"}}
        shown = tables.format_frame(frame, **opts)
        labels = list(tables.reader_columns(frame, rename=item.options.get("rename"),
                                            confidence=item.options.get("confidence"),
                                            caption=item.caption or None).values())
        widths = tables.column_widths(shown, labels)
        keys = tables.key_count(frame, shown)
        units = tables.column_units(frame.columns, keys)
        parts = tables.table_parts(frame, shown, labels)
        html_text = tables.show(item.content, caption=item.caption or None, **item.options).data
        assert html_text.count("<table") == len(parts), (client, key)
        split += len(parts) > 1
        for part in parts:
            rest = part[keys:]
            if len(parts) > 1 and not any(rest == u for u in units):
                assert sum(widths[i] for i in part) <= tables.TABLE_WIDTH_PX, (client, key, part)
    assert split, "some demo tables are wider than the text column"


# ---- wide tables split into parts that fit the text column ------------------------------------------
def wide_frame(n_rows=4):
    """A 22-column table: two key columns, estimates with intervals, counts and p-values."""
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"brand": [f"Brand {i}" for i in range(n_rows)],
                       "segment": [["Newcomers", "Regulars"][i % 2] for i in range(n_rows)]})
    for stem in ("satisfaction", "effort", "loyalty", "recommend"):
        df[f"{stem}_mean"] = rng.normal(5, 1, n_rows)
        df[f"{stem}_ci_low"] = df[f"{stem}_mean"] - 0.4
        df[f"{stem}_ci_high"] = df[f"{stem}_mean"] + 0.4
        df[f"{stem}_p_corr"] = rng.uniform(0, 0.2, n_rows)
    df["pct_promoters"] = rng.uniform(20, 60, n_rows)
    df["n"] = rng.integers(100, 5000, n_rows)
    df["n_eff"] = df["n"] * 0.8
    df["significant"] = [True, False] * (n_rows // 2)
    assert df.shape[1] == 22
    return df


def test_a_wide_table_splits_into_parts_that_fit():
    df = wide_frame()
    shown = tables.format_frame(df)
    labels = list(tables.reader_columns(df).values())
    widths = tables.column_widths(shown, labels)
    assert sum(widths) > tables.TABLE_WIDTH_PX
    parts = tables.table_parts(df, shown, labels)
    assert len(parts) > 1
    assert all(sum(widths[i] for i in p) <= tables.TABLE_WIDTH_PX for p in parts)
    assert all(p[:2] == [0, 1] for p in parts), "brand and segment lead every part"
    rest = [i for p in parts for i in p[2:]]
    assert rest == list(range(2, 22)), "every other column once, in order"
    for p in parts:  # an estimate and its interval stay together
        names = [df.columns[i] for i in p]
        for stem in ("satisfaction", "effort", "loyalty", "recommend"):
            if f"{stem}_mean" in names:
                at = names.index(f"{stem}_mean")
                assert names[at + 1:at + 3] == [f"{stem}_ci_low", f"{stem}_ci_high"]


def test_a_split_table_is_several_captioned_tables():
    df = wide_frame()
    text = tables.show(df, caption="Ratings by brand & segment").data
    parts = part_html(text)
    m = len(parts)
    assert m > 1 and text.count("<table") == m
    for k, part in enumerate(parts, 1):
        assert part.startswith(f"<p><em>Ratings by brand &amp; segment (part {k} of {m})</em></p>")
        assert headers(part)[:2] == ["brand", "segment"]
    every = [h for part in parts for h in headers(part)[2:]]
    assert every == list(tables.reader_columns(df).values())[2:]
    # the rows are the same in every part, in the same order
    first_cells = [CELL.findall(part)[::len(headers(part))] for part in parts]
    assert all(c == first_cells[0] for c in first_cells)
    assert first_cells[0] == [f"Brand {i}" for i in range(4)]
    # without a caption each part is labelled
    bare = tables.show(df).data
    assert [re.search(r"<p><em>(.*?)</em></p>", p).group(1) for p in part_html(bare)] == [
        f"Part {k} of {m}" for k in range(1, m + 1)]


def test_a_split_table_escapes_client_text_once():
    df = wide_frame()
    df["brand"] = ["Bean & Co.", "<script>x</script>", "A", "B"]
    text = tables.show(df, caption="<b>").data
    assert text.count("Bean &amp; Co.") == text.count("<table") > 1
    assert "<script>" not in text and "&amp;amp;" not in text and "&lt;b&gt; (part 1 of" in text


def test_a_narrow_table_is_one_table_as_before():
    df = pd.DataFrame({"brand": ["Bean & Co.", "Other"], "mean": [5.6, 4.2], "ci_low": [5.1, 3.9],
                       "ci_high": [6.1, 4.5], "n": [120, 98]})
    text = tables.show(df, caption="Means").data
    assert text.count("<table") == 1 and "part 1" not in text
    shown = tables.format_frame(df)
    shown.columns = list(tables.reader_columns(df).values())
    assert text == "<p><em>Means</em></p>" + shown.to_html(index=False, escape=True, border=0,
                                                           classes="cem-table", na_rep="")
    assert tables.table_parts(df) == [[0, 1, 2, 3, 4]]


def test_intervals_stay_with_their_estimate():
    cols = ["label", "nps", "ci_low", "ci_high", "change", "change_ci_low", "change_ci_high", "pomp", "pomp_low",
            "pomp_high", "alpha", "alpha_ci_low", "alpha_ci_high", "ci_low_0_100", "p_corr", "scale_min"]
    assert tables.column_units(cols, 1) == [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12, 13], [14], [15]]
    assert tables.column_units(["ci_low", "ci_high", "n"]) == [[0, 1], [2]]


def test_keys_are_the_leading_label_columns():
    df = pd.DataFrame({"construct": ["x"], "label": ["y"], "level": ["z"], "mean": [1.0]})
    assert tables.key_count(df) == 2
    assert tables.key_count(df, limit=1) == 1
    assert tables.key_count(pd.DataFrame({"mean": [1.0], "label": ["y"]})) == 0
    assert tables.key_count(pd.DataFrame({"significant": [True], "label": ["y"]})) == 0
    assert tables.key_count(pd.DataFrame({"label": ["y"], "share": ["4% [3%, 6%]"]})) == 1
    assert tables.key_count(pd.DataFrame({"label": ["y"], "p": ["<\u00a0.001"], "x": [1]})) == 1
    assert tables.key_count(pd.DataFrame({"wave": ["2026Q1"], "mean": [1.0]})) == 1
    assert tables.key_count(pd.DataFrame({"priority": [1], "touchpoint": ["app"], "gap": [1.0]})) == 2
    assert tables.key_count(pd.DataFrame({"a": ["x"], "b": ["y"]})) == 1, "never every column"


def test_a_column_too_wide_for_any_part_gets_a_part_of_its_own():
    assert tables.column_parts([100, 900, 50, 50], keys=1, units=[[1], [2], [3]], budget=500) == [
        [0, 1], [0, 2, 3]]
    assert tables.column_parts([100, 900, 900], keys=1, units=[[1], [2]], budget=500) == [[0, 1], [0, 2]]
    # nothing to split: a single unit stays one table, however wide
    assert tables.column_parts([100, 900, 900], keys=1, units=[[1, 2]], budget=500) == [[0, 1, 2]]
    assert tables.column_parts([600, 600], keys=0, units=[[0], [1]], budget=500) == [[0], [1]]


def test_the_split_is_deterministic_and_follows_the_budget():
    df = wide_frame()
    assert tables.show(df, caption="c").data == tables.show(df, caption="c").data
    assert tables.show(df, max_width=10_000).data.count("<table") == 1
    assert tables.show(df, max_width=400).data.count("<table") > tables.show(df).data.count("<table")


def test_width_estimate():
    """Widest unbreakable word plus padding; bold headers wider; a no-break space never wraps."""
    assert tables.min_content_width("95% CI low") == tables.text_width("95%")
    assert tables.min_content_width("<\u00a0.001") == tables.text_width("<\u00a0.001")
    assert tables.text_width("Mean", bold=True) > tables.text_width("Mean")
    assert tables.text_width("mm") == 2 * tables.text_width("m")
    assert tables.text_width("漢") >= tables.TABLE_FONT_PX  # an unknown character counts as wide
    widths = tables.column_widths(pd.DataFrame({"a": ["1,050", ""], "b": ["x y", None]}), ["effective n", "b"])
    assert widths[0] == pytest.approx(tables.text_width("effective", bold=True) + tables.CELL_PADDING_PX)
    assert widths[1] == pytest.approx(tables.text_width("b", bold=True) + tables.CELL_PADDING_PX)


# ---- measured in Chromium with the report's CSS ----------------------------------------------------------
TEXT_COLUMN_PX = 992  # body max-width 1040px less 2 x 1.5rem padding, at a 1280 px window


@pytest.fixture(scope="module")
def chromium_page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    yield page
    page.close()


def report_page(fragment, font=None):
    """A page with the report's CSS (optionally another font) and ``fragment`` as the renderer wraps it."""
    from cem_research.present.report.appendix import CSS

    css = CSS + (f"\nbody {{ font-family: {font}; }}" if font else "")
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head><body>"
            f'<div class="table-wrap">{fragment}</div></body></html>')


@pytest.mark.browser
@pytest.mark.parametrize("font", [None, '"DejaVu Sans"'], ids=["report-fonts", "dejavu"])
def test_a_split_table_fits_the_text_column_in_chromium(chromium_page, font):
    df = wide_frame(n_rows=6)
    df["segment"] = ["Newcomers (first year)", "Regulars", "Lapsed customers", "Regulars", "x", "y"]
    chromium_page.set_content(report_page(tables.show(df, caption="Ratings").data, font))
    column, widths = chromium_page.evaluate(
        """() => [document.querySelector('.table-wrap').clientWidth,
                  Array.from(document.querySelectorAll('table')).map(t =>
                      Math.max(t.scrollWidth, t.getBoundingClientRect().width))]""")
    assert column == TEXT_COLUMN_PX
    assert len(widths) > 1 and max(widths) <= TEXT_COLUMN_PX, widths
    # unsplit, the same table overflows the column
    chromium_page.set_content(report_page(tables.show(df, max_width=10_000).data, font))
    assert chromium_page.evaluate("() => document.querySelector('table').scrollWidth") > TEXT_COLUMN_PX


@pytest.mark.browser
@pytest.mark.parametrize("font", [None, '"DejaVu Sans"'], ids=["report-fonts", "dejavu"])
def test_the_width_estimate_is_never_below_chromiums(chromium_page, font):
    """The estimate against the table's min-content width as Chromium lays it out (table width 1px)."""
    frames = [wide_frame(), pd.DataFrame({"construct": ["Product quality", "Look and feel"],
                                          "alpha_ci_low": [0.812, 0.7], "p_corr": [0.0001, 0.5],
                                          "reliability_flag": ["alpha below .70 (unreliable)", ""],
                                          "WWW": ["MMMMMM", "@@@"], "n_eff": [1040.2, 12.0]})]
    for df in frames:
        shown = tables.format_frame(df)
        labels = list(tables.reader_columns(df).values())
        estimate = sum(tables.column_widths(shown, labels))
        chromium_page.set_content(report_page(tables.show(df, max_width=10_000).data, font))
        measured = chromium_page.evaluate(
            "() => { const t = document.querySelector('table'); t.style.width = '1px';"
            " return t.getBoundingClientRect().width; }")
        assert measured <= estimate <= 1.3 * measured, (estimate, measured)

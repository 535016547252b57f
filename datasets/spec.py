"""Read and validate a demo client's spec file (``datasets/specs/<client>.yaml``).

Each demo client is described by one YAML file in ``datasets/specs/``: the questionnaire, the
competitors, the touchpoints, the verbatim catalogue and the effects planted in the data (the
keys are documented in ``datasets/specs/README.md``).  :func:`load_spec` reads it into the frozen
:class:`~datasets.model.Spec` the generator works from.  A misspelt, missing or mistyped key, or
a name the spec does not declare (a driver that is no construct, a touchpoint of no journey
stage, ...), is refused with a :class:`SpecError` that names the file and the key.
"""

from __future__ import annotations

import string
from pathlib import Path

import yaml

from datasets.checks import Checker, SpecError, check_keys, hint
from datasets.model import (BES_ITEMS, BES_KIND, KANO_CATEGORIES, MODULES, SENTIMENTS, Construct,
                            Feedback, Kano, Outcome, Promise, Spec, Touchpoint)

__all__ = ["SPEC_DIR", "SpecError", "spec_names", "spec_path", "read_spec_file", "load_spec"]

#: folder of the spec files (one ``<client>.yaml`` per demo client)
SPEC_DIR = Path(__file__).resolve().parent / "specs"

KINDS = ("direct", "new_entrant", "outside_industry")
INTERFACES = ("human_human", "human_technology", "human_environment")
LAYERS = ("context", "usage", "category", "brand")
ELEMENTS = ("product", "look_and_feel", "communications")
OUTCOMES = ("satisfaction", "recommend", "loyalty")
TP_ROLES = ("id", "touchpoint", "stage", "interface", "channel", "time", "satisfaction", "effort")

# --------------------------------------------------------------------------------------------
# file access
def spec_names() -> list[str]:
    """Names of the spec files in :data:`SPEC_DIR` (file stems, sorted)."""
    return sorted(p.stem for p in SPEC_DIR.glob("*.yaml"))


def spec_path(name: str) -> Path:
    """The spec file of demo client ``name``; raises :class:`ValueError` for an unknown name."""
    path = SPEC_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ValueError(f"unknown demo spec {name!r}; use one of {', '.join(spec_names())}")
    return path


def read_spec_file(path: str | Path) -> dict:
    """The raw mapping of a spec file, with ``extends:``/``override:`` applied (not validated).

    A spec may start from another one: ``extends: <name>`` reads ``<name>.yaml`` from the same
    folder, and each ``override:`` entry (a dotted path such as ``feedback.rising.shares``)
    replaces that key of the base spec with its value.  The path must exist in the base.
    """
    path = Path(path)
    where = _where(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SpecError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: expected a mapping of keys at the top level")
    if "extends" not in raw:
        if "override" in raw:
            raise SpecError(f"{where}: key 'override' needs 'extends: <spec name>'")
        return raw
    check_keys(raw, {"extends", "override", "random_stream"}, "", where)
    base_path = path.parent / f"{raw['extends']}.yaml"
    if not base_path.is_file():
        raise SpecError(f"{where}: key 'extends': no spec file {base_path.name} next to it")
    base = read_spec_file(base_path)
    for dotted, value in (raw.get("override") or {}).items():
        node, keys = base, str(dotted).split(".")
        for i, key in enumerate(keys):
            if not isinstance(node, dict) or key not in node:
                have = list(node) if isinstance(node, dict) else []
                raise SpecError(f"{where}: key 'override.{dotted}': the base spec {raw['extends']} has no "
                                f"key {'.'.join(keys[:i + 1])!r}{hint(key, have)}")
            if i == len(keys) - 1:
                node[key] = value
            else:
                node = node[key]
    if "random_stream" in raw:
        base["random_stream"] = raw["random_stream"]
    return base


def load_spec(name_or_path: str | Path) -> Spec:
    """Read and validate a demo client's spec.

    Parameters
    ----------
    name_or_path : str or Path
        A spec name (``"coffee_house"``, ``"tiny_client"``, ...: a file of :data:`SPEC_DIR`)
        or the path of a spec file.

    Returns
    -------
    Spec
        The frozen specification the generator uses.

    Raises
    ------
    SpecError
        A key is unknown, missing or of the wrong type, or names something the spec does not
        declare; the message names the file and the key.

    Examples
    --------
    >>> load_spec("coffee_house").brand
    'Bean & Co.'
    """
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = spec_path(str(name_or_path))
    return _Builder(_where(path)).spec(read_spec_file(path), path.stem)


# --------------------------------------------------------------------------------------------
def _where(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Builder(Checker):
    """Build a :class:`Spec` from the raw mapping of a spec file."""

    # ---- the spec ------------------------------------------------------------------------------
    TOP = ("name", "market", "brand", "description", "random_stream", "competitors", "csv", "waves",
           "wave_days", "respondents", "survey_only", "survey_columns", "id_prefix", "segments",
           "constructs", "outcomes", "drivers", "betas", "brand_offsets", "planted", "journey",
           "touchpoint_events", "touchpoints", "feedback", "kano", "promises", "hand_coded", "weighting",
           "model", "behaviour", "uce")
    REQUIRED = ("name", "market", "brand", "description", "competitors", "waves", "wave_days", "respondents",
                "survey_only", "survey_columns", "id_prefix", "segments", "constructs", "outcomes",
                "drivers", "betas", "brand_offsets", "planted")

    def spec(self, raw: dict, name: str) -> Spec:
        raw = self.mapping(raw, "", allowed=self.TOP, required=self.REQUIRED)
        comps = []
        for i, c in enumerate(self.seq(raw["competitors"], "competitors")):
            p = f"competitors[{i}]"
            c = self.mapping(c, p, allowed=("name", "kind"), required=("name", "kind"))
            comps.append((self.text(c["name"], f"{p}.name"), self.one_of(c["kind"], f"{p}.kind", KINDS, "a kind")))
        names = [c for c, _ in comps]
        waves = self.mapping(raw["waves"], "waves")
        if not waves:
            self.fail("waves", "expected at least one wave")
        csv = None
        if "csv" in raw:
            csv = {k: self.text(v, f"csv.{k}") for k, v in
                   self.mapping(raw["csv"], "csv", allowed=("delimiter", "decimal", "encoding")).items()}
        resp = self.mapping(raw["respondents"], "respondents", allowed=("own_per_wave", "competitor_per_wave"),
                            required=("own_per_wave", "competitor_per_wave"))
        cols = self.mapping(raw["survey_columns"], "survey_columns", allowed=("id", "wave", "brand", "date"),
                            required=("id", "wave", "brand"))
        prefix = self.mapping(raw["id_prefix"], "id_prefix", allowed=("own", "competitor"),
                              required=("own", "competitor"))
        self.segs = self.segments(raw["segments"])
        self.constructs = self.construct_list(raw["constructs"])
        cnames = [c.name for c in self.constructs]
        outcomes = self.outcome_list(raw["outcomes"])
        items = [i for c in self.constructs for i in c.items] + [i for o in outcomes for i in o.items]
        dup = sorted({i for i in items if items.count(i) > 1})
        if dup:
            self.fail("constructs", f"item {dup[0]!r} is used twice (item names must be unique)")
        drivers = tuple(self.one_of(d, f"drivers[{i}]", cnames, "a construct")
                        for i, d in enumerate(self.seq(raw["drivers"], "drivers")))
        betas = {}
        for o, by in self.mapping(raw["betas"], "betas", allowed=OUTCOMES, required=OUTCOMES).items():
            # an outcome may also depend on an earlier outcome (satisfaction -> loyalty)
            by = self.mapping(by, f"betas.{o}", allowed=cnames + list(OUTCOMES[:OUTCOMES.index(o)]))
            betas[o] = {k: self.number(v, f"betas.{o}.{k}") for k, v in by.items()}
        offsets = {}
        for comp, by in self.mapping(raw["brand_offsets"], "brand_offsets", allowed=names).items():
            by = self.mapping(by, f"brand_offsets.{comp}", allowed=cnames)
            offsets[comp] = {k: self.number(v, f"brand_offsets.{comp}.{k}") for k, v in by.items()}
        journey, stage_days, tps, events = (), (), (), {}
        if "touchpoints" in raw or "journey" in raw or "touchpoint_events" in raw:
            for key in ("touchpoints", "journey", "touchpoint_events"):
                if key not in raw:
                    raise SpecError(f"{self.where}: missing key {key!r} (a client with touchpoints needs "
                                    "touchpoints, journey and touchpoint_events)")
            jm = self.mapping(raw["journey"], "journey")
            journey = tuple(self.text(k, "journey") for k in jm)
            stage_days = tuple(self.integer(v, f"journey.{k}", 1) for k, v in jm.items())
            tps = self.touchpoint_list(raw["touchpoints"], journey)
            events = self.touchpoint_events(raw["touchpoint_events"], journey, tps)
        wave_names = tuple(self.text(w, "waves") for w in waves)
        fields = dict(
            name=name, stream=self.text(raw.get("random_stream", name), "random_stream"), folder=name,
            display_name=self.text(raw["name"], "name"), market=self.one_of(raw["market"], "market", ("B2C", "B2B"),
                                                                             "a market"),
            brand=self.text(raw["brand"], "brand"), competitors=tuple(comps), waves=wave_names,
            wave_starts=tuple(self.date(v, f"waves.{k}") for k, v in waves.items()),
            wave_days=self.integer(raw["wave_days"], "wave_days", 1),
            n_own=self.integer(resp["own_per_wave"], "respondents.own_per_wave", 1),
            n_comp=self.integer(resp["competitor_per_wave"], "respondents.competitor_per_wave", 1),
            survey_only=self.flag(raw["survey_only"], "survey_only"),
            survey_cols={k: self.text(v, f"survey_columns.{k}") for k, v in cols.items()},
            id_prefix=(self.text(prefix["own"], "id_prefix.own"),
                       self.text(prefix["competitor"], "id_prefix.competitor")),
            segments=self.segs, constructs=self.constructs, outcomes=outcomes, drivers=drivers, betas=betas,
            brand_offsets=offsets, header="\n# ".join(self.text(raw["description"], "description").splitlines()),
            csv_block=csv, journey=journey, touchpoints=tps, stage_days=stage_days, **events)
        fields.update(self.planted(raw["planted"], names, tps))
        if "model" in raw:
            fields["model"] = self.path_model(raw["model"], cnames)
        if "feedback" in raw:
            fields["feedback"] = self.feedback(raw["feedback"], tps, len(wave_names))
        fields.update(self.methods(raw, tps, fields.get("feedback")))
        if "uce" in raw:
            from datasets.uce import parse_uce

            fields["uce"] = parse_uce(self, raw["uce"], names, [o.name for o in outcomes])
            taken = set(items) | set(cnames)
            clash = [x for f in fields["uce"].factors for x in (f.construct, *f.items) if x in taken]
            if clash:
                self.fail("uce", f"{clash[0]!r} is already a construct or item name")
        return Spec(**fields)

    def segments(self, value) -> tuple:
        out = []
        for col, s in self.mapping(value, "segments").items():
            p = f"segments.{col}"
            s = self.mapping(s, p, allowed=("label", "levels"), required=("label", "levels"))
            levels = self.mapping(s["levels"], f"{p}.levels")
            if len(levels) < 2:
                self.fail(f"{p}.levels", "expected at least two levels")
            out.append((self.text(col, p), self.text(s["label"], f"{p}.label"),
                        tuple(self.text(k, f"{p}.levels") for k in levels),
                        tuple(self.number(v, f"{p}.levels.{k}") for k, v in levels.items())))
        return tuple(out)

    def level(self, segment: str, value, path: str) -> str:
        levels = next(lv for c, _l, lv, _p in self.segs if c == segment)
        return self.one_of(value, path, levels, f"a level of segment {segment}")

    CONSTRUCT = ("bes", "items", "reverse", "scale", "experience", "kind", "layer", "element", "note", "mean",
                 "reliable", "item_offsets")

    def construct_list(self, value) -> tuple[Construct, ...]:
        out = []
        for name, c in self.mapping(value, "constructs").items():
            p = f"constructs.{name}"
            c = self.mapping(c, p, allowed=self.CONSTRUCT, required=("items",))
            kw: dict = {}
            if "bes" in c:
                dim = self.one_of(c["bes"], f"{p}.bes", list(BES_ITEMS), "a Brand Experience Scale dimension")
                for key in ("reverse", "experience", "kind", "layer"):
                    if key in c:
                        self.fail(f"{p}.{key}", "set by 'bes' (the published scale); remove it")
                items = self.texts(c["items"], f"{p}.items")
                if len(items) != len(BES_ITEMS[dim]):
                    self.fail(f"{p}.items", f"the {dim} dimension has {len(BES_ITEMS[dim])} items")
                wording = tuple(w for w, _ in BES_ITEMS[dim])
                reverse = tuple(n for n, (_, r) in zip(items, BES_ITEMS[dim]) if r)
                kw.update(experience=True, kind=BES_KIND[dim], layer="brand")
            else:
                m = self.mapping(c["items"], f"{p}.items")
                if not m:
                    self.fail(f"{p}.items", "expected at least one item")
                items = tuple(self.text(k, f"{p}.items") for k in m)
                wording = tuple(self.text(v, f"{p}.items.{k}") for k, v in m.items())
                reverse = self.texts(c.get("reverse", []), f"{p}.reverse", 0)
                for i, r in enumerate(reverse):
                    self.one_of(r, f"{p}.reverse[{i}]", items, "an item of the construct")
                if "experience" in c:
                    kw["experience"] = self.flag(c["experience"], f"{p}.experience")
                if "kind" in c:
                    kw["kind"] = self.one_of(c["kind"], f"{p}.kind", ("emotional", "functional"), "a kind")
                if "layer" in c:
                    kw["layer"] = self.one_of(c["layer"], f"{p}.layer", LAYERS, "a layer")
            if "element" in c:
                kw["element"] = self.one_of(c["element"], f"{p}.element", ELEMENTS, "a brand element")
            if "scale" in c:
                kw["scale"] = self.pair(c["scale"], f"{p}.scale", self.integer)
            if "note" in c:
                kw["note"] = self.text(c["note"], f"{p}.note")
            if "mean" in c:
                kw["mean"] = self.number(c["mean"], f"{p}.mean")
            if "reliable" in c:
                kw["reliable"] = self.flag(c["reliable"], f"{p}.reliable")
            if "item_offsets" in c:
                offs = tuple(self.number(v, f"{p}.item_offsets[{i}]")
                             for i, v in enumerate(self.seq(c["item_offsets"], f"{p}.item_offsets")))
                if len(offs) != len(items):
                    self.fail(f"{p}.item_offsets", f"expected one offset per item ({len(items)})")
                kw["item_offsets"] = offs
            out.append(Construct(self.text(name, p), items, wording, reverse, **kw))
        if not out:
            self.fail("constructs", "expected at least one construct")
        return tuple(out)

    def outcome_list(self, value) -> tuple[Outcome, ...]:
        value = self.mapping(value, "outcomes", allowed=OUTCOMES, required=OUTCOMES)
        out = []
        for name, o in value.items():
            p = f"outcomes.{name}"
            o = self.mapping(o, p, allowed=("items", "scale", "mean", "spread", "item_noise"),
                             required=("items", "scale", "mean", "spread"))
            m = self.mapping(o["items"], f"{p}.items")
            if not m:
                self.fail(f"{p}.items", "expected at least one item")
            out.append(Outcome(name, tuple(self.text(k, f"{p}.items") for k in m),
                               tuple(self.text(v, f"{p}.items.{k}") for k, v in m.items()),
                               self.pair(o["scale"], f"{p}.scale", self.integer), self.number(o["mean"], f"{p}.mean"),
                               self.number(o["spread"], f"{p}.spread"),
                               self.number(o.get("item_noise", 0.0), f"{p}.item_noise")))
        rec = next(o for o in out if o.name == "recommend")
        if len(rec.items) != 1 or rec.scale != (0, 10):
            self.fail("outcomes.recommend", "the Net Promoter Score needs one item on the scale [0, 10]")
        return tuple(out)

    def touchpoint_list(self, value, journey) -> tuple[Touchpoint, ...]:
        out = []
        for name, t in self.mapping(value, "touchpoints").items():
            p = f"touchpoints.{name}"
            t = self.mapping(t, p, allowed=("stage", "interface", "channel", "rate", "mean", "effort", "sd"),
                             required=("stage", "interface", "channel", "rate", "mean", "effort"))
            out.append(Touchpoint(self.text(name, p), self.one_of(t["stage"], f"{p}.stage", journey, "a journey stage"),
                                  self.one_of(t["interface"], f"{p}.interface", INTERFACES, "an interface"),
                                  self.text(t["channel"], f"{p}.channel"), self.number(t["rate"], f"{p}.rate"),
                                  self.number(t["mean"], f"{p}.mean"), self.number(t["effort"], f"{p}.effort"),
                                  self.number(t.get("sd", 0.8), f"{p}.sd")))
        if not out:
            self.fail("touchpoints", "expected at least one touchpoint")
        return tuple(out)

    def touchpoint_events(self, value, journey, tps) -> dict:
        p = "touchpoint_events"
        e = self.mapping(value, p, allowed=("columns", "rate_scale", "stage_gap_days", "open_hours",
                                            "outcome_effect", "rate_multipliers", "early_stop"),
                         required=("columns",))
        cols = self.mapping(e["columns"], f"{p}.columns", allowed=TP_ROLES, required=TP_ROLES)
        out = {"tp_cols": {k: self.text(v, f"{p}.columns.{k}") for k, v in cols.items()}}
        if "rate_scale" in e:
            out["tp_rate_scale"] = self.number(e["rate_scale"], f"{p}.rate_scale")
        if "stage_gap_days" in e:
            out["stage_gap"] = self.integer(e["stage_gap_days"], f"{p}.stage_gap_days")
        if "open_hours" in e:
            out["open_hours"] = self.pair(e["open_hours"], f"{p}.open_hours", self.integer)
        if "outcome_effect" in e:
            m = self.mapping(e["outcome_effect"], f"{p}.outcome_effect", allowed=OUTCOMES)
            out["tp_effect"] = {k: self.number(v, f"{p}.outcome_effect.{k}") for k, v in m.items()}
        mults = []
        for i, m in enumerate(self.seq(e.get("rate_multipliers", []), f"{p}.rate_multipliers", 0)):
            q = f"{p}.rate_multipliers[{i}]"
            m = self.mapping(m, q, allowed=("touchpoint", "segment", "level", "factor"),
                             required=("touchpoint", "segment", "level", "factor"))
            seg = self.one_of(m["segment"], f"{q}.segment", [c for c, *_ in self.segs], "a segment")
            mults.append((self.one_of(m["touchpoint"], f"{q}.touchpoint", [t.name for t in tps], "a touchpoint"),
                          seg, self.level(seg, m["level"], f"{q}.level"), self.number(m["factor"], f"{q}.factor")))
        out["tp_multipliers"] = tuple(mults)
        if "early_stop" in e:
            q = f"{p}.early_stop"
            s = self.mapping(e["early_stop"], q, allowed=("intercept", "slope", "stages"),
                             required=("intercept", "slope", "stages"))
            stages = self.mapping(s["stages"], f"{q}.stages")
            out["early_stop"] = (self.number(s["intercept"], f"{q}.intercept"), self.number(s["slope"], f"{q}.slope"),
                                 {journey.index(self.one_of(k, f"{q}.stages", journey, "a journey stage")):
                                  self.number(v, f"{q}.stages.{k}") for k, v in stages.items()})
        return out

    def path_model(self, value, cnames: list[str]) -> tuple:
        """``model:``: the PLS path model written into client.yaml; every path leads to an outcome,
        whose ``betas`` plant it (a path the betas leave out is planted as 0)."""
        p = "model"
        m = self.mapping(value, p, allowed=("paths", "target", "groups"), required=("paths",))
        paths = []
        for i, pair in enumerate(self.seq(m["paths"], f"{p}.paths")):
            q = f"{p}.paths[{i}]"
            if not isinstance(pair, list) or len(pair) != 2:
                self.fail(q, f"expected a pair [from, to], got {pair!r}")
            to = self.one_of(pair[1], q, OUTCOMES, "an outcome (the generator plants effects on outcomes)")
            earlier = list(OUTCOMES[:OUTCOMES.index(to)])
            paths.append((self.one_of(pair[0], q, cnames + earlier, f"a construct or an outcome before {to}"), to))
        target = groups = None
        if "target" in m:
            target = self.one_of(m["target"], f"{p}.target", [t for _, t in paths], "an outcome a path leads to")
        if "groups" in m:
            groups = self.one_of(m["groups"], f"{p}.groups", [c for c, *_ in self.segs], "a segment")
        return tuple(paths), target, groups

    PLANTED = ("wave_shift", "no_change", "segment_effect", "brand_advantage", "brand_gap", "worst_touchpoint",
               "human_minus_technology", "human_touch", "gradient", "noisy_segment")

    def planted(self, value, competitors, tps) -> dict:
        p = "planted"
        v = self.mapping(value, p, allowed=self.PLANTED,
                         required=("wave_shift", "no_change", "segment_effect", "brand_advantage", "brand_gap"))
        cnames = [c.name for c in self.constructs]
        seg_names = [c for c, *_ in self.segs]

        def construct(x, q):
            return self.one_of(x, q, cnames, "a construct")

        def segment(x, q):
            return self.one_of(x, q, seg_names, "a segment")

        ws = self.mapping(v["wave_shift"], f"{p}.wave_shift", allowed=("construct", "delta"),
                          required=("construct", "delta"))
        se = self.mapping(v["segment_effect"], f"{p}.segment_effect",
                          allowed=("segment", "construct", "higher", "lower", "delta"),
                          required=("segment", "construct", "higher", "lower", "delta"))
        q = f"{p}.segment_effect"
        seg = segment(se["segment"], f"{q}.segment")
        bg = self.mapping(v["brand_gap"], f"{p}.brand_gap", allowed=("construct", "competitor"),
                          required=("construct", "competitor"))
        out = {
            "wave_shift": (construct(ws["construct"], f"{p}.wave_shift.construct"),
                           self.number(ws["delta"], f"{p}.wave_shift.delta")),
            "no_change": construct(v["no_change"], f"{p}.no_change"),
            "segment_effect": (seg, construct(se["construct"], f"{q}.construct"),
                               self.level(seg, se["higher"], f"{q}.higher"), self.level(seg, se["lower"], f"{q}.lower"),
                               self.number(se["delta"], f"{q}.delta")),
            "brand_advantage": construct(v["brand_advantage"], f"{p}.brand_advantage"),
            "brand_gap": (construct(bg["construct"], f"{p}.brand_gap.construct"),
                          self.one_of(bg["competitor"], f"{p}.brand_gap.competitor", competitors, "a competitor")),
        }
        if tps:
            if "worst_touchpoint" not in v:
                raise SpecError(f"{self.where}: missing key 'planted.worst_touchpoint' (the client has touchpoints)")
            out["worst_tp"] = self.one_of(v["worst_touchpoint"], f"{p}.worst_touchpoint", [t.name for t in tps],
                                          "a touchpoint")
        elif "worst_touchpoint" in v or "human_touch" in v:
            self.fail(p, "worst_touchpoint and human_touch need touchpoints")
        if "human_minus_technology" in v:
            out["human_minus_technology"] = self.number(v["human_minus_technology"], f"{p}.human_minus_technology")
        if "human_touch" in v:
            q = f"{p}.human_touch"
            h = self.mapping(v["human_touch"], q, allowed=("segment", "level", "extra_gap", "penalty"),
                             required=("segment", "level", "extra_gap", "penalty"))
            seg = segment(h["segment"], f"{q}.segment")
            out["human_touch"] = (seg, self.level(seg, h["level"], f"{q}.level"),
                                  self.number(h["extra_gap"], f"{q}.extra_gap"),
                                  self.number(h["penalty"], f"{q}.penalty"))
        if "gradient" in v:
            q = f"{p}.gradient"
            g = self.mapping(v["gradient"], q, allowed=("segment", "construct", "offsets"),
                             required=("segment", "construct", "offsets"))
            seg = segment(g["segment"], f"{q}.segment")
            levels = next(lv for c, _l, lv, _p in self.segs if c == seg)
            out["gradient"] = (seg, construct(g["construct"], f"{q}.construct"),
                               self.shares(g["offsets"], f"{q}.offsets", levels, f"levels of {seg}"))
        if "noisy_segment" in v:
            q = f"{p}.noisy_segment"
            n = self.mapping(v["noisy_segment"], q, allowed=("segment", "level", "construct"),
                             required=("segment", "level", "construct"))
            seg = segment(n["segment"], f"{q}.segment")
            out["noisy_segment"] = (seg, self.level(seg, n["level"], f"{q}.level"),
                                    construct(n["construct"], f"{q}.construct"))
        return out

    def sentences(self, value, path: str, codes: dict) -> list[str]:
        """A list of sentences, each a text or ``[text, "MODULE;MODULE"]`` (modules a coder gives it)."""
        out = []
        for i, s in enumerate(self.seq(value, path)):
            q = f"{path}[{i}]"
            if isinstance(s, list):
                if len(s) != 2:
                    self.fail(q, "expected a text or [text, modules]")
                text, mods = self.text(s[0], f"{q}[0]"), self.text(s[1], f"{q}[1]")
                for m in filter(None, mods.split(";")):
                    self.one_of(m, f"{q}[1]", MODULES, "an experiential module")
                codes[text] = mods
                out.append(text)
            else:
                out.append(self.text(s, q))
        return out

    def feedback(self, value, tps, n_waves: int) -> Feedback:
        p = "feedback"
        f = self.mapping(value, p, allowed=("columns", "touchpoint_share", "vocab", "topics", "closers", "rising",
                                            "stable", "pii"),
                         required=("columns", "vocab", "topics", "closers", "rising", "stable"))
        cols = self.mapping(f["columns"], f"{p}.columns", allowed=("text", "id", "wave", "brand", "touchpoint"),
                            required=("text", "id", "wave"))
        vocab = {self.text(k, f"{p}.vocab"): list(self.texts(v, f"{p}.vocab.{k}"))
                 for k, v in self.mapping(f["vocab"], f"{p}.vocab").items()}
        codes: dict[str, str] = {}
        topics = {}
        for t, by in self.mapping(f["topics"], f"{p}.topics").items():
            by = self.mapping(by, f"{p}.topics.{t}", allowed=SENTIMENTS, required=SENTIMENTS)
            topics[t] = {k: self.sentences(v, f"{p}.topics.{t}.{k}", codes) for k, v in by.items()}
            for k, templates in topics[t].items():
                for tpl in templates:
                    for _, fld, _, _ in string.Formatter().parse(tpl):
                        if fld and fld not in vocab:
                            self.fail(f"{p}.topics.{t}.{k}", f"{{{fld}}} in {tpl!r} is not in {p}.vocab"
                                      + hint(fld, vocab))
        for t in tps:
            if t.name not in topics:
                self.fail(f"{p}.topics", f"touchpoint {t.name!r} has no topic (every touchpoint needs one)")
        if not any(t.startswith("_") for t in topics):
            self.fail(f"{p}.topics", "expected at least one brand-element topic (a name starting with '_')")
        closers = self.mapping(f["closers"], f"{p}.closers", allowed=SENTIMENTS, required=SENTIMENTS)
        closers = {k: self.sentences(v, f"{p}.closers.{k}", codes) for k, v in closers.items()}
        q = f"{p}.rising"
        r = self.mapping(f["rising"], q, allowed=("phrase", "shares", "module", "sentences"),
                         required=("phrase", "shares", "sentences"))
        shares = tuple(self.number(x, f"{q}.shares[{i}]") for i, x in enumerate(self.seq(r["shares"], f"{q}.shares")))
        if len(shares) != n_waves:
            self.fail(f"{q}.shares", f"expected one share per wave ({n_waves}), got {len(shares)}")
        rising = (self.text(r["phrase"], f"{q}.phrase"), tuple(self.sentences(r["sentences"], f"{q}.sentences", codes)),
                  shares)
        q = f"{p}.stable"
        s = self.mapping(f["stable"], q, allowed=("phrase", "share", "sentences"),
                         required=("phrase", "share", "sentences"))
        stable = (self.text(s["phrase"], f"{q}.phrase"), tuple(self.sentences(s["sentences"], f"{q}.sentences", codes)),
                  self.number(s["share"], f"{q}.share"))
        pii = []
        for i, x in enumerate(self.seq(f.get("pii", []), f"{p}.pii", 0)):
            q = f"{p}.pii[{i}]"
            x = self.mapping(x, q, allowed=("touchpoint", "text"), required=("touchpoint", "text"))
            pii.append((self.one_of(x["touchpoint"], f"{q}.touchpoint", [t.name for t in tps], "a touchpoint"),
                        self.text(x["text"], f"{q}.text")))
        kw = {}
        if "touchpoint_share" in f:
            kw["touchpoint_share"] = self.number(f["touchpoint_share"], f"{p}.touchpoint_share")
        if "module" in r:
            kw["rising_module"] = self.one_of(r["module"], f"{p}.rising.module", MODULES, "an experiential module")
        return Feedback(columns={k: self.text(v, f"{p}.columns.{k}") for k, v in cols.items()}, topics=topics,
                        vocab=vocab, closers=closers, rising=rising, stable=stable, pii=tuple(pii), codes=codes, **kw)

    def methods(self, raw: dict, tps, feedback) -> dict:
        out: dict = {}
        cnames = [c.name for c in self.constructs]
        if "kano" in raw:
            kano = []
            for feat, k in self.mapping(raw["kano"], "kano").items():
                p = f"kano.{feat}"
                k = self.mapping(k, p, allowed=("label", "functional", "dysfunctional", "shares"),
                                 required=("label", "functional", "dysfunctional", "shares"))
                kano.append(Kano(self.text(feat, p), self.text(k["label"], f"{p}.label"),
                                 self.text(k["functional"], f"{p}.functional"),
                                 self.text(k["dysfunctional"], f"{p}.dysfunctional"),
                                 self.shares(k["shares"], f"{p}.shares", KANO_CATEGORIES, "Kano categories")))
            tops = {KANO_CATEGORIES[max(range(6), key=lambda j: k.shares[j])] for k in kano}
            if not {"must_be", "attractive"} <= tops:
                self.fail("kano", "plant at least one must_be and one attractive feature (largest share)")
            out["kano"] = tuple(kano)
        if "promises" in raw:
            promises = []
            for i, x in enumerate(self.seq(raw["promises"], "promises")):
                p = f"promises[{i}]"
                x = self.mapping(x, p, allowed=("promise", "construct", "touchpoints", "target", "delivered"),
                                 required=("promise", "construct", "touchpoints"))
                touch = tuple(self.one_of(t, f"{p}.touchpoints", [t.name for t in tps], "a touchpoint")
                              for t in self.seq(x["touchpoints"], f"{p}.touchpoints"))
                promises.append(Promise(
                    self.text(x["promise"], f"{p}.promise"), self.one_of(x["construct"], f"{p}.construct", cnames,
                                                                         "a construct"), touch,
                    None if x.get("target") is None else self.number(x["target"], f"{p}.target"),
                    None if x.get("delivered") is None else self.flag(x["delivered"], f"{p}.delivered")))
            out["promises"] = tuple(promises)
        if "hand_coded" in raw:
            out["hand_coded"] = self.integer(raw["hand_coded"], "hand_coded")
            if out["hand_coded"] and (feedback is None or not feedback.codes):
                self.fail("hand_coded", "a hand-coded sample needs feedback sentences with their modules "
                                        "([text, MODULES])")
        if "weighting" in raw:
            w = self.mapping(raw["weighting"], "weighting", allowed=("segment", "targets"),
                             required=("segment", "targets"))
            seg = self.one_of(w["segment"], "weighting.segment", [c for c, *_ in self.segs], "a segment")
            levels = next(lv for c, _l, lv, _p in self.segs if c == seg)
            targets = self.shares(w["targets"], "weighting.targets", levels, f"levels of {seg}")
            if abs(sum(targets) - 1) > 1e-9:
                self.fail("weighting.targets", f"population shares must add up to 1, not {sum(targets):g}")
            out["weighting"] = (seg, targets)
        if "behaviour" in raw:
            from datasets.behaviour import parse_behaviour

            out["behaviour"] = parse_behaviour(self, raw["behaviour"], self.segs)
        return out

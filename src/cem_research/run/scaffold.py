"""``make new-client NAME=…``: a client folder with a commented ``client.yaml`` and CSV headers."""

from __future__ import annotations

from pathlib import Path

from cem_research.client.config import check_client_name

TEMPLATE = """\
# client.yaml for {name} -- the one file that describes this client's data.
# Every column name below is YOURS: change them to the names in your survey export.
# Full reference: docs/contract.md.  Check the data with `make check CLIENT={name}`.

name: {title}                     # shown on the report
market: B2C                       # B2C | B2B | mixed
brand: Our Brand                  # the client's own brand, as written in the brand column
competitors:                      # kind: direct | new_entrant | outside_industry
  - {{name: Rival One, kind: direct}}
  - {{name: Newcomer, kind: new_entrant}}
  - {{name: Other Industry Co, kind: outside_industry}}
csv: {{delimiter: ",", decimal: ".", encoding: utf-8}}   # e.g. ";" "," cp1252 for European Excel
scale: [1, 7]                     # default answer scale of the items

survey:                           # required: one row per respondent and rated brand
  file: survey.csv
  id: respondent_id
  wave: wave
  brand: brand                    # remove if every row rates the own brand

# Brand Experience Scale (Brakus, Schmitt & Zarantonello 2009), 7-point agreement:
constructs:
  sensory:                        # a strong impression on my senses / interesting in a sensory way / (R) does not appeal
    items: [sens1, sens2, sens3_r]
    reverse: [sens3_r]
    experience: true
    kind: emotional
    layer: brand
  affective:                      # induces feelings / (R) no strong emotions / an emotional brand
    items: [aff1, aff2_r, aff3]
    reverse: [aff2_r]
    experience: true
    kind: emotional
    layer: brand
  intellectual:                   # makes me think / (R) does not make me think / stimulates curiosity
    items: [int1, int2_r, int3]
    reverse: [int2_r]
    experience: true
    layer: brand
  behavioral:                     # physical actions / bodily experiences / (R) not action oriented
    items: [beh1, beh2, beh3_r]
    reverse: [beh3_r]
    experience: true
    layer: brand
  satisfaction: {{items: [overall_satisfaction], scale: [1, 10]}}
  recommend: {{items: [likelihood_to_recommend], scale: [0, 10]}}
drivers: [sensory, affective, intellectual, behavioral]
outcomes: [satisfaction, recommend]
nps: recommend

segments:                         # segment column: label shown in the report
  customer_type: Customer type (B2C/B2B)
  role: Purchaser or user

journey: [awareness, purchase, usage, disposal]

# Optional files: uncomment when you have them.
# feedback:
#   file: feedback.csv
#   text: comment
#   id: respondent_id
#   wave: wave
#   touchpoint: touchpoint
# touchpoints:
#   file: touchpoints.csv
#   id: respondent_id
#   touchpoint: touchpoint
#   stage: stage                  # one of the journey stages above
#   interface: interface          # human_human | human_technology | human_environment
#   channel: channel
#   time: timestamp               # ISO 8601
#   satisfaction: rating
#   effort: effort
#   scale: [1, 5]
#   effort_scale: [1, 7]
"""

SURVEY_HEADER = ("respondent_id,wave,brand,customer_type,role,sens1,sens2,sens3_r,aff1,aff2_r,aff3,"
                 "int1,int2_r,int3,beh1,beh2,beh3_r,overall_satisfaction,likelihood_to_recommend\n")
FEEDBACK_HEADER = "respondent_id,wave,touchpoint,comment\n"
TOUCHPOINTS_HEADER = "respondent_id,touchpoint,stage,interface,channel,timestamp,rating,effort\n"


def new_client(name: str, raw_root: str | Path) -> Path:
    """Create ``raw_root/<name>/`` with a commented ``client.yaml`` and CSV headers.

    Parameters
    ----------
    name : str
        Client folder name (letters, digits, ``_`` and ``-``).
    raw_root : str or Path
        Usually ``data/raw``.

    Returns
    -------
    Path
        The new folder.

    Raises
    ------
    FileExistsError
        If the folder exists (nothing is overwritten).
    """
    check_client_name(name)
    folder = Path(raw_root) / name
    if folder.exists():
        raise FileExistsError(f"{folder} already exists; nothing was changed")
    folder.mkdir(parents=True)
    title = name.replace("_", " ").replace("-", " ").title()
    (folder / "client.yaml").write_text(TEMPLATE.format(name=name, title=title), encoding="utf-8")
    (folder / "survey.csv").write_text(SURVEY_HEADER, encoding="utf-8")
    (folder / "feedback.csv").write_text(FEEDBACK_HEADER, encoding="utf-8")
    (folder / "touchpoints.csv").write_text(TOUCHPOINTS_HEADER, encoding="utf-8")
    return folder
